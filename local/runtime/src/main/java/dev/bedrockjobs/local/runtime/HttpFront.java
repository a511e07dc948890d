package dev.bedrockjobs.local.runtime;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.bedrockjobs.core.api.ApiResponse;
import dev.bedrockjobs.core.api.Problem;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The API Gateway HTTP API in front of the handlers: matches the route, runs the route's Lambda authorizer, turns the
 * request into the payload-2.0 event, invokes the route's function and writes its response back verbatim (status,
 * headers, multi-value headers, cookies, body, base64-decoded when flagged).
 *
 * <p>What API Gateway answers itself is answered here as the API contract spells errors (RFC 9457 problems): 404 for
 * an unknown route or method, 401 for a missing or refused identity, 413 past the 10 MB payload quota (checked on
 * Content-Length first and counted while reading, for chunked bodies), 500 when a function fails.
 */
final class HttpFront implements AutoCloseable {
    /** API Gateway's payload quota for HTTP APIs: 10 MB. */
    static final int MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
    /** Request threads: enough for ~64 concurrent clients, long polls ({@code ?wait=20}) included. */
    static final int THREADS = 128;
    /** How much of a refused body is read to answer 413 cleanly; past that the connection is simply closed. */
    private static final long MAX_DISCARDED_BYTES = 64L * 1024 * 1024;

    private static final Logger LOG = Logger.getLogger(HttpFront.class.getName());

    private final RouteTable routes;
    private final Map<String, Supplier<LambdaFunction.Instance>> functions;
    private final Map<String, AuthorizerGate> authorizers;
    private final ApiGatewayEvents events;
    private final HttpServer server;
    private final ThreadPoolExecutor executor;

    HttpFront(int port, RouteTable routes, Map<String, Supplier<LambdaFunction.Instance>> functions,
              Map<String, AuthorizerGate> authorizers, ApiGatewayEvents events) {
        this.routes = routes;
        this.functions = Map.copyOf(functions);
        this.authorizers = Map.copyOf(authorizers);
        this.events = events;
        for (RouteTable.Route r : routes.routes()) {
            if (!this.functions.containsKey(r.function())) {
                throw new IllegalStateException("route " + r.routeKey() + " names unknown function " + r.function());
            }
            if (r.authorizer() != null && !this.authorizers.containsKey(r.authorizer())) {
                throw new IllegalStateException("route " + r.routeKey() + " names unknown authorizer "
                        + r.authorizer());
            }
        }
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port
                    + " (is another local stack running? choose another --port)", e);
        }
        AtomicInteger n = new AtomicInteger();
        executor = new ThreadPoolExecutor(THREADS, THREADS, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "http-front-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        executor.allowCoreThreadTimeOut(true);
        server.setExecutor(executor);
        server.createContext("/", this::serve);
    }

    HttpFront start() {
        server.start();
        return this;
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void serve(HttpExchange exchange) {
        IncomingRequest request = null;
        try (exchange) {
            request = IncomingRequest.from(exchange);
            write(exchange, request, handle(exchange, request));
        } catch (IOException | RuntimeException e) {
            // The client went away mid-response, or writing failed: nothing more can be sent on this exchange.
            LOG.log(Level.FINE, "request " + (request == null ? "?" : request.requestId()) + " aborted", e);
        }
    }

    private APIGatewayV2HTTPResponse handle(HttpExchange exchange, IncomingRequest request) throws IOException {
        Optional<RouteTable.Match> match = routes.match(request.method(), request.rawPath());
        if (declaredLength(request) > MAX_PAYLOAD_BYTES) {
            return tooLarge(discard(exchange.getRequestBody()));
        }
        byte[] body = readBody(exchange.getRequestBody());
        if (body == null) {
            return tooLarge(discard(exchange.getRequestBody()));
        }
        if (match.isEmpty()) {
            return problem(Problem.notFound("route " + request.method() + " " + request.rawPath()), false);
        }
        RouteTable.Route route = match.get().route();
        Map<String, Object> authorizerContext = null;
        try {
            if (route.authorizer() != null) {
                Optional<AuthorizerGate.Decision> decision = authorizers.get(route.authorizer())
                        .authorize(request, match.get());
                if (decision.isEmpty() || !decision.get().authorized()) {
                    return problem(Problem.unauthorized(), false);
                }
                authorizerContext = decision.get().context();
            }
            Object response = functions.get(route.function()).get()
                    .invoke(events.httpEvent(request, match.get(), body, authorizerContext));
            if (response instanceof APIGatewayV2HTTPResponse r && r.getStatusCode() >= 100) {
                return r;
            }
            throw new IllegalStateException(route.function() + " returned " + (response == null ? "null"
                    : response.getClass().getName() + " without a status code") + ", not an HTTP API response");
        } catch (RuntimeException | LinkageError e) {
            // In AWS an invocation error or a malformed response is API Gateway's 500; the details go to the log.
            LOG.log(Level.SEVERE, "request " + request.requestId() + " (" + route.routeKey() + ") failed", e);
            return problem(Problem.internal(request.requestId()), false);
        }
    }

    /**
     * The 413 problem. The refused body is read and dropped first (up to a bound): closing a connection with unread
     * input makes TCP reset it, and the reset can destroy the response before the client reads it.
     */
    private static APIGatewayV2HTTPResponse tooLarge(boolean drained) {
        return problem(new Problem(413, "payload_too_large", "Payload too large",
                "The request body exceeds the API's limit of " + MAX_PAYLOAD_BYTES + " bytes.", null), !drained);
    }

    /** Reads and drops the rest of a body; false if more than {@link #MAX_DISCARDED_BYTES} remained. */
    private static boolean discard(InputStream in) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) > 0) {
            total += n;
            if (total > MAX_DISCARDED_BYTES) {
                return false;
            }
        }
        return true;
    }

    private static long declaredLength(IncomingRequest request) {
        String v = request.header("content-length");
        if (v == null) {
            return -1;
        }
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The whole body, or null once it passes the payload limit (what was read so far is dropped). */
    private static byte[] readBody(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[16 * 1024];
        int n;
        while ((n = in.read(buffer)) > 0) {
            if (out.size() + n > MAX_PAYLOAD_BYTES) {
                return null;
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    private static APIGatewayV2HTTPResponse problem(Problem problem, boolean closeConnection) {
        ApiResponse r = problem.toResponse();
        APIGatewayV2HTTPResponse response = new APIGatewayV2HTTPResponse();
        response.setStatusCode(r.status());
        response.setHeaders(closeConnection
                ? Map.of("content-type", Problem.CONTENT_TYPE, "connection", "close")
                : r.headers());
        response.setBody(r.body());
        return response;
    }

    private static void write(HttpExchange exchange, IncomingRequest request, APIGatewayV2HTTPResponse r)
            throws IOException {
        var headers = exchange.getResponseHeaders();
        if (r.getHeaders() != null) {
            r.getHeaders().forEach((k, v) -> {
                if (v != null) {
                    headers.set(k, v);
                }
            });
        }
        if (r.getMultiValueHeaders() != null) {
            r.getMultiValueHeaders().forEach((k, values) -> {
                if (values != null) {
                    values.forEach(v -> headers.add(k, v));
                }
            });
        }
        List<String> cookies = r.getCookies();
        if (cookies != null) {
            cookies.forEach(c -> headers.add("set-cookie", c));
        }
        headers.set("apigw-requestid", request.requestId());
        headers.remove("content-length");
        headers.remove("transfer-encoding");
        byte[] body = r.getBody() == null ? new byte[0]
                : r.getIsBase64Encoded() ? Base64.getDecoder().decode(r.getBody())
                : r.getBody().getBytes(StandardCharsets.UTF_8);
        boolean noBody = body.length == 0 || r.getStatusCode() == 204 || r.getStatusCode() == 304
                || request.method().equals("HEAD");
        exchange.sendResponseHeaders(r.getStatusCode(), noBody ? -1 : body.length);
        if (!noBody) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
