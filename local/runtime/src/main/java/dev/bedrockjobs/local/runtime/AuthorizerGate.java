package dev.bedrockjobs.local.runtime;

import com.amazonaws.services.lambda.runtime.events.SimpleIAMPolicyResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * An HTTP API Lambda authorizer (payload format 2.0, simple responses) as API Gateway runs it: the identity sources
 * must all be present or the request is refused without calling the function; otherwise the function gets an
 * {@code APIGatewayV2CustomAuthorizerEvent} and its {@code {isAuthorized, context}} decides, and the decision is
 * cached per identity for {@code ReauthorizeEvery} seconds (allow and deny alike, as API Gateway does).
 */
final class AuthorizerGate {
    private static final int MAX_CACHED = 10_000;

    /** What the authorizer said; {@code context} becomes {@code requestContext.authorizer.lambda}. */
    record Decision(boolean authorized, Map<String, Object> context) {
        static final Decision DENY = new Decision(false, Map.of());
    }

    private record Cached(Decision decision, long expiresAtNanos) {}

    private final String name;
    private final Supplier<LambdaFunction.Instance> function;
    private final List<String> identityHeaders;
    private final List<String> identityQueryStrings;
    private final long ttlNanos;
    private final ApiGatewayEvents events;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    AuthorizerGate(
            String name,
            Supplier<LambdaFunction.Instance> function,
            List<String> identityHeaders,
            List<String> identityQueryStrings,
            Duration ttl,
            ApiGatewayEvents events) {
        this.name = name;
        this.function = function;
        this.identityHeaders =
                identityHeaders.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
        this.identityQueryStrings = List.copyOf(identityQueryStrings);
        this.ttlNanos = ttl.toNanos();
        this.events = events;
    }

    /**
     * Reads the authorizers of the HTTP API's {@code Auth} section. Only what this gate implements is accepted:
     * payload format 2.0 with simple responses; anything else stops the start with the reason.
     */
    static Map<String, AuthorizerGate> fromTemplate(
            LocalResources resources,
            Map<?, ?> auth,
            Map<String, Supplier<LambdaFunction.Instance>> functions,
            ApiGatewayEvents events) {
        Map<String, AuthorizerGate> gates = new LinkedHashMap<>();
        if (!(auth.get("Authorizers") instanceof Map<?, ?> authorizers)) {
            return gates;
        }
        authorizers.forEach((key, value) -> {
            String authorizerName = (String) key;
            Map<?, ?> a = (Map<?, ?>) value;
            if (a.get("FunctionArn") == null) {
                throw new IllegalStateException("authorizer " + authorizerName + " is not a Lambda authorizer; "
                        + "the local runtime runs Lambda authorizers only (AuthMode jwt needs API Gateway: run "
                        + "locally with AuthMode apikey)");
            }
            String version = String.valueOf(a.get("AuthorizerPayloadFormatVersion"));
            boolean simple = "true".equalsIgnoreCase(String.valueOf(a.get("EnableSimpleResponses")));
            if (!version.equals("2.0") || !simple) {
                throw new IllegalStateException("authorizer " + authorizerName + ": the local runtime supports "
                        + "AuthorizerPayloadFormatVersion '2.0' with EnableSimpleResponses: true only");
            }
            String functionName = functionName(resources.resolveString(a.get("FunctionArn")));
            Supplier<LambdaFunction.Instance> target = functions.get(functionName);
            if (target == null) {
                throw new IllegalStateException("authorizer " + authorizerName + " names " + functionName
                        + ", which is not a function of the template");
            }
            Map<?, ?> identity = a.get("Identity") instanceof Map<?, ?> m ? m : Map.of();
            int ttlSeconds = identity.get("ReauthorizeEvery") == null
                    ? 0
                    : Integer.parseInt(resources.resolveString(identity.get("ReauthorizeEvery")));
            gates.put(
                    authorizerName,
                    new AuthorizerGate(
                            authorizerName,
                            target,
                            strings(resources, identity.get("Headers")),
                            strings(resources, identity.get("QueryStrings")),
                            Duration.ofSeconds(ttlSeconds),
                            events));
        });
        return gates;
    }

    /** {@code !Ref F.Alias} resolves to a name; {@code !GetAtt F.Arn} (possibly qualified) to an ARN. */
    private static String functionName(String nameOrArn) {
        int at = nameOrArn.indexOf(":function:");
        if (at < 0) {
            return nameOrArn;
        }
        String rest = nameOrArn.substring(at + ":function:".length());
        int qualifier = rest.indexOf(':');
        return qualifier < 0 ? rest : rest.substring(0, qualifier);
    }

    private static List<String> strings(LocalResources resources, Object list) {
        if (!(list instanceof List<?> l)) {
            return List.of();
        }
        return l.stream().map(resources::resolveString).toList();
    }

    String name() {
        return name;
    }

    Supplier<LambdaFunction.Instance> function() {
        return function;
    }

    /**
     * @return the decision, or empty when an identity source is missing (API Gateway then answers 401 without
     * calling the authorizer)
     * @throws RuntimeException when the authorizer function fails (API Gateway answers 500)
     */
    Optional<Decision> authorize(IncomingRequest request, RouteTable.Match match) {
        List<String> identity = new ArrayList<>();
        for (String header : identityHeaders) {
            String v = request.header(header);
            if (v == null || v.isEmpty()) {
                return Optional.empty();
            }
            identity.add(v);
        }
        for (String q : identityQueryStrings) {
            String v = request.query().get(q);
            if (v == null || v.isEmpty()) {
                return Optional.empty();
            }
            identity.add(v);
        }
        if (identity.isEmpty()) {
            // No identity sources: API Gateway calls the authorizer on every request and never caches.
            return Optional.of(invoke(request, match, identity));
        }
        String key = String.join("\u0000", identity);
        long now = System.nanoTime();
        Cached hit = cache.get(key);
        if (hit != null && hit.expiresAtNanos() - now > 0) {
            return Optional.of(hit.decision());
        }
        Decision decision = invoke(request, match, identity);
        if (ttlNanos > 0) {
            if (cache.size() >= MAX_CACHED) {
                cache.values().removeIf(c -> c.expiresAtNanos() - now <= 0);
                if (cache.size() >= MAX_CACHED) {
                    cache.clear();
                }
            }
            cache.put(key, new Cached(decision, now + ttlNanos));
        }
        return Optional.of(decision);
    }

    private Decision invoke(IncomingRequest request, RouteTable.Match match, List<String> identity) {
        Object response = function.get().invoke(events.authorizerEvent(request, match, identity));
        if (response instanceof SimpleIAMPolicyResponse simple) {
            Map<String, Object> context = simple.getContext() == null ? Map.of() : Map.copyOf(simple.getContext());
            return simple.getIsAuthorized() ? new Decision(true, context) : Decision.DENY;
        }
        if (response instanceof Map<?, ?> map && map.get("isAuthorized") instanceof Boolean allowed) {
            Map<String, Object> context = new LinkedHashMap<>();
            if (map.get("context") instanceof Map<?, ?> c) {
                c.forEach((k, v) -> context.put(String.valueOf(k), v));
            }
            return allowed ? new Decision(true, context) : Decision.DENY;
        }
        throw new IllegalStateException("authorizer " + name + " returned "
                + (response == null ? "null" : response.getClass().getName()) + ", not a simple response");
    }
}
