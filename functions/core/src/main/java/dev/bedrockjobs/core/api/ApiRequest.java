package dev.bedrockjobs.core.api;

import java.util.Map;

/**
 * An HTTP API request reduced to what the services read. {@code routeKey} is the route API Gateway matched
 * ({@code GET /v1/jobs/{id}}), which {@link Routes} dispatches on. Header names are lower-case. {@code tenantId} is
 * what the authorizer resolved; null means the request was not authorized and must be refused.
 */
public record ApiRequest(
        String routeKey,
        Map<String, String> pathParameters,
        Map<String, String> query,
        Map<String, String> headers,
        String body,
        String tenantId,
        String requestId) {

    public ApiRequest {
        pathParameters = pathParameters == null ? Map.of() : Map.copyOf(pathParameters);
        query = query == null ? Map.of() : Map.copyOf(query);
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    public String header(String name) {
        return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }

    public String pathParameter(String name) {
        return pathParameters.get(name);
    }

    public String queryParameter(String name) {
        return query.get(name);
    }
}
