package dev.bedrockjobs.lambda;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.bedrockjobs.core.api.ApiRequest;
import dev.bedrockjobs.core.api.ApiResponse;
import dev.bedrockjobs.core.api.Problem;
import dev.bedrockjobs.core.api.ProblemMapping;
import dev.bedrockjobs.core.domain.LogContext;
import dev.bedrockjobs.core.domain.ValidationException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The edge between API Gateway (payload format 2.0) and the services: maps the event in, the response out; what the
 * services throw becomes a problem response in {@link ProblemMapping}. The event's {@code routeKey} names the route
 * API Gateway matched, which the function's {@link dev.bedrockjobs.core.api.Routes} dispatch on (the event's fields:
 * "Create AWS Lambda proxy integrations for HTTP APIs" in the API Gateway developer guide).
 */
public final class HttpApi {
    private HttpApi() {}

    public static APIGatewayV2HTTPResponse handle(
            APIGatewayV2HTTPEvent event, TenantIdentity identity, Function<ApiRequest, ApiResponse> service) {
        ApiRequest request;
        try {
            request = toRequest(event, identity);
        } catch (ValidationException e) {
            return toEvent(Problem.validation(e.errors()).toResponse());
        }
        ApiRequest r = request;
        return LogContext.with(
                Map.of(
                        LogContext.REQUEST_ID,
                        String.valueOf(r.requestId()),
                        LogContext.TENANT_ID,
                        String.valueOf(r.tenantId())),
                () -> toEvent(ProblemMapping.serve(r, service)));
    }

    public static ApiRequest toRequest(APIGatewayV2HTTPEvent e, TenantIdentity identity) {
        Map<String, String> headers = new HashMap<>();
        if (e.getHeaders() != null) {
            e.getHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
        }
        var ctx = e.getRequestContext();
        String requestId = ctx != null ? ctx.getRequestId() : null;
        return new ApiRequest(
                e.getRouteKey(),
                e.getPathParameters(),
                e.getQueryStringParameters(),
                headers,
                body(e),
                identity.tenantOf(ctx),
                requestId);
    }

    private static String body(APIGatewayV2HTTPEvent e) {
        if (e.getBody() == null || !e.getIsBase64Encoded()) {
            return e.getBody();
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(e.getBody());
        } catch (IllegalArgumentException ex) {
            throw ValidationException.of("body", "is not valid base64");
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException ex) {
            throw ValidationException.of("body", "is not valid UTF-8");
        }
    }

    public static APIGatewayV2HTTPResponse toEvent(ApiResponse r) {
        return APIGatewayV2HTTPResponse.builder()
                .withStatusCode(r.status())
                .withHeaders(r.headers())
                .withBody(r.body())
                .withIsBase64Encoded(false)
                .build();
    }
}
