package dev.bedrockjobs.core.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * One function's operations by route key. API Gateway has chosen the route before the function runs and names it in
 * the event's {@code routeKey}: the method, a space and the route's path as the template declares it
 * ({@code GET /v1/jobs/{id}}), or {@code $default}. A request is dispatched on that key alone, never on its path.
 *
 * <p>A key the function does not serve is a 404; a key whose path it serves with other methods is a 405. API Gateway
 * sends neither (it answers 404 itself for a method it has no route for): they answer a route added to the template
 * but not to the function's table.
 */
public final class Routes implements Function<ApiRequest, ApiResponse> {
    /** See "Routes for HTTP APIs" in the API Gateway developer guide: a method (or ANY), a space, a path. */
    private static final Pattern ROUTE_KEY =
            Pattern.compile("\\$default|(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY) /\\S*");

    private final Map<String, Function<ApiRequest, ApiResponse>> operations;

    private Routes(Map<String, Function<ApiRequest, ApiResponse>> operations) {
        this.operations = Map.copyOf(operations);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The route keys served, to check against the template's routes. */
    public Set<String> keys() {
        return operations.keySet();
    }

    @Override
    public ApiResponse apply(ApiRequest request) {
        // an immutable map refuses to look up null; an event without a route key is simply no route
        Function<ApiRequest, ApiResponse> operation =
                request.routeKey() == null ? null : operations.get(request.routeKey());
        if (operation != null) {
            return operation.apply(request);
        }
        String path = pathOf(request.routeKey());
        if (path != null && operations.keySet().stream().anyMatch(k -> path.equals(pathOf(k)))) {
            return new Problem(
                            405,
                            "method_not_allowed",
                            "Method not allowed",
                            "This route does not take that method.",
                            null)
                    .toResponse();
        }
        return Problem.notFound("route " + request.routeKey()).toResponse();
    }

    private static String pathOf(String routeKey) {
        int space = routeKey == null ? -1 : routeKey.indexOf(' ');
        return space < 0 ? null : routeKey.substring(space + 1);
    }

    /** Collects the routes, one line each. */
    public static final class Builder {
        private final Map<String, Function<ApiRequest, ApiResponse>> operations = new LinkedHashMap<>();

        private Builder() {}

        public Builder route(String routeKey, Function<ApiRequest, ApiResponse> operation) {
            if (!ROUTE_KEY.matcher(routeKey).matches()) {
                throw new IllegalArgumentException("not a route key: '" + routeKey + "'");
            }
            if (operations.putIfAbsent(routeKey, operation) != null) {
                throw new IllegalArgumentException("route " + routeKey + " is served twice");
            }
            return this;
        }

        public Routes build() {
            return new Routes(operations);
        }
    }
}
