package dev.bedrockjobs.lambda;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.bedrockjobs.core.api.ApiRequest;
import dev.bedrockjobs.core.api.ApiResponse;
import dev.bedrockjobs.core.api.Problem;
import dev.bedrockjobs.core.api.ProblemMapping;
import dev.bedrockjobs.core.api.ResponseStream;
import dev.bedrockjobs.core.domain.LogContext;
import dev.bedrockjobs.core.domain.ValidationException;
import java.io.IOException;
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

    /** An operation whose answer streams, or is sent whole with {@link ResponseStream#send}. */
    public interface StreamedOperation {
        void serve(ApiRequest request, ResponseStream out) throws IOException;
    }

    /**
     * Serves a streamed route as {@link #handle} serves the others: the same request, the same refusals and problems,
     * sent whole when they come before the stream has started. A failure after it has started ends the stream (the
     * client resumes from the last event it had); an {@link IOException} means the client has gone.
     */
    public static void stream(
            APIGatewayV2HTTPEvent event, TenantIdentity identity, ResponseStream out, StreamedOperation operation)
            throws IOException {
        ApiRequest request;
        try {
            request = toRequest(event, identity);
        } catch (ValidationException e) {
            out.send(Problem.validation(e.errors()).toResponse());
            return;
        }
        if (request.tenantId() == null || request.tenantId().isBlank()) {
            out.send(Problem.unauthorized().toResponse());
            return;
        }
        boolean[] started = {false};
        ResponseStream tracked = new ResponseStream() {
            @Override
            public void start(int status, Map<String, String> headers) throws IOException {
                started[0] = true;
                out.start(status, headers);
            }

            @Override
            public void write(String part) throws IOException {
                out.write(part);
            }

            @Override
            public void send(ApiResponse whole) throws IOException {
                out.send(whole);
            }
        };
        try {
            operation.serve(request, tracked);
        } catch (RuntimeException e) {
            if (started[0]) {
                throw e;
            }
            out.send(ProblemMapping.problem(request, e));
        }
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
