package dev.bedrockjobs.local.runtime;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The HTTP API's routes, read from the {@code HttpApi} events of the template's functions: {@code Path} (with
 * {@code {param}} and greedy {@code {param+}} variables), {@code Method} ({@code ANY} included) and
 * {@code Auth.Authorizer} ({@code NONE} = public; absent = the API's {@code DefaultAuthorizer}).
 *
 * <p>Selection follows API Gateway: the most specific route wins (more literal segments before fewer, a path
 * variable before a greedy one, an exact method before {@code ANY}), and {@code $default} catches the rest when it
 * is defined. A known path with another method is not a match (HTTP APIs answer 404, not 405).
 */
final class RouteTable {
    static final String DEFAULT_ROUTE = "$default";

    /**
     * @param authorizer the authorizer's name, or null for a public route
     */
    record Route(String method, String path, String function, String authorizer) {
        String routeKey() {
            return path == null ? DEFAULT_ROUTE : method + " " + path;
        }

        List<String> segments() {
            return path == null ? List.of() : split(path);
        }
    }

    record Match(Route route, Map<String, String> pathParameters) {}

    private final List<Route> routes;

    RouteTable(List<Route> routes) {
        this.routes = List.copyOf(routes);
    }

    /** Routes of every function event of {@code Type: HttpApi} on the one HTTP API {@code apiLogicalId}. */
    static RouteTable fromTemplate(LocalResources resources, String apiLogicalId, String defaultAuthorizer) {
        List<Route> routes = new ArrayList<>();
        for (String function : resources.template().resourcesOfType("AWS::Serverless::Function")) {
            Object events = resources.template().functionProperties(function).get("Events");
            if (!(events instanceof Map<?, ?> byName)) {
                continue;
            }
            for (Object e : byName.values()) {
                Map<?, ?> event = (Map<?, ?>) e;
                if (!"HttpApi".equals(event.get("Type"))) {
                    continue;
                }
                Map<?, ?> p = event.get("Properties") instanceof Map<?, ?> m ? m : Map.of();
                Object apiId = p.get("ApiId");
                if (apiId instanceof Map<?, ?> ref && !apiLogicalId.equals(ref.get("Ref"))) {
                    throw new IllegalStateException(function + " routes to " + apiId + "; the local runtime serves "
                            + "one HTTP API, " + apiLogicalId);
                }
                String path = p.get("Path") == null ? null : resources.resolveString(p.get("Path"));
                String method = p.get("Method") == null
                        ? "ANY"
                        : resources.resolveString(p.get("Method")).toUpperCase(Locale.ROOT);
                if ("X-AMAZON-APIGATEWAY-ANY-METHOD".equals(method)) {
                    method = "ANY";
                }
                String authorizer = defaultAuthorizer;
                if (p.get("Auth") instanceof Map<?, ?> auth && auth.get("Authorizer") != null) {
                    authorizer = resources.resolveString(auth.get("Authorizer"));
                }
                routes.add(new Route(method, path, function, "NONE".equals(authorizer) ? null : authorizer));
            }
        }
        return new RouteTable(routes);
    }

    List<Route> routes() {
        return routes;
    }

    Optional<Match> match(String method, String rawPath) {
        List<String> request = split(rawPath);
        Match best = null;
        int[] bestScore = null;
        for (Route route : routes) {
            if (!route.method().equals("ANY") && !route.method().equals(method)) {
                continue;
            }
            Map<String, String> params = route.path() == null ? Map.of() : bind(route.segments(), request);
            if (params == null) {
                continue;
            }
            int[] score = score(route);
            if (bestScore == null || SCORE_ORDER.compare(score, bestScore) > 0) {
                best = new Match(route, params);
                bestScore = score;
            }
        }
        return Optional.ofNullable(best);
    }

    private static final Comparator<int[]> SCORE_ORDER = (a, b) -> {
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                return Integer.compare(a[i], b[i]);
            }
        }
        return 0;
    };

    /** Higher is more specific: a real path, no greedy variable, literal segments, an exact method. */
    private static int[] score(Route route) {
        if (route.path() == null) {
            return new int[] {0, 0, 0, 0};
        }
        List<String> segments = route.segments();
        boolean greedy =
                !segments.isEmpty() && segments.get(segments.size() - 1).endsWith("+}");
        int literals = (int) segments.stream().filter(s -> !isVariable(s)).count();
        return new int[] {1, greedy ? 0 : 1, literals, route.method().equals("ANY") ? 0 : 1};
    }

    /** Binds the route's variables to the request's segments, or null when the path does not fit. */
    private static Map<String, String> bind(List<String> pattern, List<String> request) {
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < pattern.size(); i++) {
            String p = pattern.get(i);
            if (isVariable(p) && p.endsWith("+}")) {
                if (i >= request.size()) {
                    return null;
                }
                List<String> rest = request.subList(i, request.size());
                params.put(p.substring(1, p.length() - 2), decode(String.join("/", rest)));
                return params;
            }
            if (i >= request.size()) {
                return null;
            }
            String segment = request.get(i);
            if (isVariable(p)) {
                if (segment.isEmpty()) {
                    return null;
                }
                params.put(p.substring(1, p.length() - 1), decode(segment));
            } else if (!p.equals(decode(segment))) {
                return null;
            }
        }
        return pattern.size() == request.size() ? params : null;
    }

    private static boolean isVariable(String segment) {
        return segment.startsWith("{") && segment.endsWith("}");
    }

    private static List<String> split(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        return p.isEmpty() ? List.of() : List.of(p.split("/", -1));
    }

    private static String decode(String s) {
        try {
            // '+' is a literal plus in a path, unlike in a query string.
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return s;
        }
    }
}
