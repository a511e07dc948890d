package dev.bedrockjobs.local.runtime;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Builds the {@link HttpFront} of the template's one {@code AWS::Serverless::HttpApi}: its routes (the functions'
 * {@code HttpApi} events), its authorizers and default authorizer ({@code Auth}), and the function instances behind
 * them.
 */
final class TemplateHttpApi {
    private static final Logger LOG = Logger.getLogger(TemplateHttpApi.class.getName());

    private TemplateHttpApi() {}

    static HttpFront front(LocalResources resources, Map<String, LambdaFunction> functions, int port) {
        List<String> apis = resources.template().resourcesOfType("AWS::Serverless::HttpApi");
        if (apis.size() != 1) {
            throw new IllegalStateException(
                    "the local runtime serves exactly one AWS::Serverless::HttpApi; the " + "template has " + apis);
        }
        String api = apis.get(0);
        // Resolved as a whole, as AWS::LanguageExtensions does before SAM reads it: the authorizer, its cache TTL
        // and the mode (API key or JWT) come from parameters.
        Object declared = resources.template().properties(api).get("Auth");
        Map<?, ?> auth = declared == null ? Map.of() : (Map<?, ?>) resources.resolve(declared);
        String defaultAuthorizer =
                auth.get("DefaultAuthorizer") == null ? null : String.valueOf(auth.get("DefaultAuthorizer"));
        RouteTable routes = RouteTable.fromTemplate(resources, api, defaultAuthorizer);

        // One shared instance per function: the handlers keep no per-request state, only thread-safe SDK clients.
        // The ones behind routes and authorizers are created now, so that no request pays a cold start.
        Map<String, Supplier<LambdaFunction.Instance>> instances = new LinkedHashMap<>();
        functions.forEach((id, f) -> instances.put(id, f.lazyInstance()));
        ApiGatewayEvents events = new ApiGatewayEvents(apiId(api));
        Map<String, AuthorizerGate> gates = AuthorizerGate.fromTemplate(resources, auth, instances, events);
        routes.routes().forEach(r -> warm(instances.get(r.function())));
        gates.values().forEach(g -> warm(g.function()));
        LOG.info(routes.routes().size() + " routes: "
                + routes.routes().stream()
                        .map(r -> r.routeKey() + " -> " + r.function() + (r.authorizer() == null ? " (public)" : ""))
                        .toList());
        return new HttpFront(port, routes, instances, gates, events);
    }

    /** Builds the function's instance now (its init phase), so that no request pays for it. */
    private static void warm(Supplier<LambdaFunction.Instance> function) {
        Objects.requireNonNull(function.get());
    }

    /** An id shaped like API Gateway's (10 lower-case letters and digits), stable for a given API. */
    private static String apiId(String logicalId) {
        String hash = Long.toString(Integer.toUnsignedLong(logicalId.hashCode()), 36);
        return ("local" + hash + "00000").substring(0, 10);
    }
}
