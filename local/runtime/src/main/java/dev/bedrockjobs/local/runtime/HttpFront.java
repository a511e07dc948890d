package dev.bedrockjobs.local.runtime;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.bedrockjobs.core.api.ApiResponse;
import dev.bedrockjobs.core.api.Problem;
import dev.bedrockjobs.core.api.ResponseStream;
import dev.bedrockjobs.lambda.HttpApi;
import dev.bedrockjobs.lambda.StreamingRoutes;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The API Gateway HTTP API in front of the handlers: matches the route, runs the route's Lambda authorizer, turns the
 * request into the payload-2.0 event, invokes the route's function and writes its response back verbatim (status,
 * headers, multi-value headers, cookies, body, base64-decoded when flagged).
 *
 * <p>What API Gateway answers itself is answered here as the API contract spells errors (RFC 9457 problems): 400 for
 * a request that is not well-formed HTTP (a request target that is not a URI, a broken header line, conflicting
 * framing; {@link HttpWire} reads the bytes), 431 past the quota on the request line and header values, 404 for an
 * unknown route or method, 401 for a missing or refused identity, 413 past the 10 MB payload quota (checked on
 * Content-Length first and counted while reading, for chunked bodies), 429 with {@code Retry-After} when all its
 * handling slots are taken (where API Gateway throttles), 500 when a function fails.
 */
final class HttpFront implements AutoCloseable {
    /** API Gateway's payload quota for HTTP APIs: 10 MB. */
    static final int MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
    /**
     * Requests handled at once: enough for ~64 concurrent clients, long polls ({@code ?wait=20}) included; one more
     * is answered 429 at once, not queued.
     */
    static final int THREADS = 128;
    /** How long a kept-alive connection may wait for its next request, or a request for its next bytes. */
    static final int IDLE_TIMEOUT_MILLIS = 30_000;
    /** How much of a refused body is read to answer 413 cleanly; past that the connection is simply closed. */
    private static final long MAX_DISCARDED_BYTES = 64L * 1024 * 1024;

    private static final Logger LOG = Logger.getLogger(HttpFront.class.getName());

    private final RouteTable routes;
    private final Map<String, Supplier<LambdaFunction.Instance>> functions;
    private final Map<String, AuthorizerGate> authorizers;
    private final ApiGatewayEvents events;
    private final ServerSocket listener;
    /** One thread per open connection: it reads the connection's requests one after the other. */
    private final ExecutorService connections;

    private final Semaphore handling = new Semaphore(THREADS);
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    HttpFront(
            int port,
            RouteTable routes,
            Map<String, Supplier<LambdaFunction.Instance>> functions,
            Map<String, AuthorizerGate> authorizers,
            ApiGatewayEvents events) {
        this.routes = routes;
        this.functions = Map.copyOf(functions);
        this.authorizers = Map.copyOf(authorizers);
        this.events = events;
        for (RouteTable.Route r : routes.routes()) {
            if (!this.functions.containsKey(r.function())) {
                throw new IllegalStateException("route " + r.routeKey() + " names unknown function " + r.function());
            }
            if (r.authorizer() != null && !this.authorizers.containsKey(r.authorizer())) {
                throw new IllegalStateException(
                        "route " + r.routeKey() + " names unknown authorizer " + r.authorizer());
            }
        }
        try {
            listener = new ServerSocket();
            listener.setReuseAddress(true);
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot listen on 127.0.0.1:" + port + " (is another local stack running? choose another --port)",
                    e);
        }
        AtomicInteger n = new AtomicInteger();
        connections = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "http-front-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    HttpFront start() {
        Thread acceptor = new Thread(this::acceptConnections, "http-front-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        return this;
    }

    int port() {
        return listener.getLocalPort();
    }

    private void acceptConnections() {
        while (!closed) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                if (!closed) {
                    // e.g. out of file descriptors: a pause keeps a lasting failure from spinning the loop
                    LOG.log(Level.WARNING, "accepting a connection failed", e);
                    pauseAfterAcceptFailure();
                }
                continue;
            }
            open.add(socket);
            try {
                connections.execute(() -> serve(socket));
            } catch (RejectedExecutionException stopping) {
                closeQuietly(socket);
            }
        }
    }

    private static void pauseAfterAcceptFailure() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true); // small responses on kept-alive connections would wait on delayed ACKs
            socket.setSoTimeout(IDLE_TIMEOUT_MILLIS);
            InputStream in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
            while (!closed && serveOne(socket, in, out)) {
                // the next request on the same connection
            }
        } catch (IOException | RuntimeException e) {
            // The client went away, or writing failed: nothing more can be sent on this connection.
            LOG.log(Level.FINE, "connection from " + socket.getRemoteSocketAddress() + " aborted", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the front is closing
        } finally {
            open.remove(socket);
        }
    }

    /** Reads, handles and answers one request; whether the connection can carry another. */
    private boolean serveOne(Socket socket, InputStream in, OutputStream out) throws IOException, InterruptedException {
        HttpWire.RequestHead head;
        InputStream body;
        try {
            head = HttpWire.readHead(in);
            if (head == null) {
                return false;
            }
            body = HttpWire.body(head, in);
        } catch (HttpWire.MalformedRequest e) {
            refuse(socket, out, e, null);
            return false;
        }
        if (head.expectsContinue()) {
            HttpWire.writeContinue(out);
        }
        IncomingRequest request = IncomingRequest.from(head, socket);
        APIGatewayV2HTTPResponse response;
        if (!handling.tryAcquire()) {
            // Every slot is busy (long polls, most likely): answer now, as API Gateway throttles, rather than queue
            // without bound behind requests that may hold their slot for 20 seconds.
            boolean drained = discard(body);
            write(out, request, busy(!drained), !drained || !head.keepAlive());
            if (!drained || !head.keepAlive()) {
                closeGently(socket);
                return false;
            }
            return true;
        }
        try {
            response = handle(request, body, out);
        } catch (HttpWire.MalformedRequest e) {
            refuse(socket, out, e, request); // a chunked body that broke its own framing
            return false;
        } finally {
            handling.release();
        }
        if (response == null) { // streamed, and ended cleanly
            if (!head.keepAlive() || body.read() >= 0) {
                closeGently(socket);
                return false;
            }
            return true;
        }
        boolean close = !head.keepAlive() || isClose(response) || body.read() >= 0;
        write(out, request, response, close);
        if (close) {
            closeGently(socket);
        }
        return !close;
    }

    /** Answers a request that is not well-formed HTTP with a problem, then closes: the rest of its bytes are suspect. */
    private static void refuse(Socket socket, OutputStream out, HttpWire.MalformedRequest e, IncomingRequest request)
            throws IOException {
        String code = e.status() == 431 ? "headers_too_large" : "bad_request";
        String title = e.status() == 431 ? "Request header fields too large" : "Bad request";
        ApiResponse r = new Problem(e.status(), code, title, e.getMessage(), null).toResponse();
        List<Map.Entry<String, String>> headers = new ArrayList<>(r.headers().entrySet());
        if (request != null) {
            headers.add(Map.entry("apigw-requestid", request.requestId()));
        }
        HttpWire.writeResponse(out, r.status(), headers, r.body().getBytes(StandardCharsets.UTF_8), false, true);
        closeGently(socket);
    }

    /**
     * Ends the connection after its last answer: output first, then whatever the client still sends is read and
     * dropped for a moment. Closing with unread input makes TCP reset the connection, and the reset can destroy the
     * answer before the client reads it.
     */
    private static void closeGently(Socket socket) {
        try {
            socket.shutdownOutput();
            socket.setSoTimeout(1_000);
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[16 * 1024];
            long drained = 0;
            int n;
            while (drained < MAX_DISCARDED_BYTES && (n = in.read(buffer)) > 0) {
                drained += n;
            }
        } catch (IOException e) {
            // the client closed first, or stayed silent: either way the answer is out
        } finally {
            closeQuietly(socket);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already broken
        }
    }

    private static boolean isClose(APIGatewayV2HTTPResponse r) {
        return r.getHeaders() != null
                && r.getHeaders().entrySet().stream()
                        .anyMatch(h ->
                                h.getKey().equalsIgnoreCase("connection") && "close".equalsIgnoreCase(h.getValue()));
    }

    /** The response to write, or null when it has been streamed already. */
    private APIGatewayV2HTTPResponse handle(IncomingRequest request, InputStream requestBody, OutputStream out)
            throws IOException {
        Optional<RouteTable.Match> match = routes.match(request.method(), request.rawPath());
        if (declaredLength(request) > MAX_PAYLOAD_BYTES) {
            return tooLarge(discard(requestBody));
        }
        byte[] body = readBody(requestBody);
        if (body == null) {
            return tooLarge(discard(requestBody));
        }
        if (match.isEmpty()) {
            return problem(Problem.notFound("route " + request.method() + " " + request.rawPath()), false);
        }
        RouteTable.Route route = match.get().route();
        Map<String, Object> authorizerContext = null;
        try {
            if (route.authorizer() != null) {
                Optional<AuthorizerGate.Decision> decision =
                        authorizers.get(route.authorizer()).authorize(request, match.get());
                if (decision.isEmpty() || !decision.get().authorized()) {
                    return problem(Problem.unauthorized(), false);
                }
                authorizerContext = decision.get().context();
            }
            LambdaFunction.Instance function = functions.get(route.function()).get();
            APIGatewayV2HTTPEvent event = events.httpEvent(request, match.get(), body, authorizerContext);
            Optional<StreamingRoutes> streaming = function.streaming().filter(s -> s.streams(route.routeKey()));
            if (streaming.isPresent()) {
                stream(streaming.get(), event, request, out);
                return null;
            }
            Object response = function.invoke(event);
            if (response instanceof APIGatewayV2HTTPResponse r && r.getStatusCode() >= 100) {
                return r;
            }
            throw new IllegalStateException(route.function() + " returned "
                    + (response == null ? "null" : response.getClass().getName() + " without a status code")
                    + ", not an HTTP API response");
        } catch (RuntimeException | LinkageError e) {
            // In AWS an invocation error or a malformed response is API Gateway's 500; the details go to the log.
            LOG.log(Level.SEVERE, "request " + request.requestId() + " (" + route.routeKey() + ") failed", e);
            return problem(Problem.internal(request.requestId()), false);
        }
    }

    /**
     * Sends the function's streamed answer as it is produced, in chunks. API Gateway's HTTP API cannot do this (it
     * returns a response once complete, and invokes the function's ordinary handler instead); the front can, as a
     * Lambda function URL in RESPONSE_STREAM mode would. A failure after the first byte can no longer become a 500:
     * the connection is closed without the last chunk, which tells the client that the response broke off.
     */
    private static void stream(
            StreamingRoutes function, APIGatewayV2HTTPEvent event, IncomingRequest request, OutputStream out)
            throws IOException {
        HttpWire.ChunkedResponse chunked = new HttpWire.ChunkedResponse(out);
        try {
            function.stream(event, new ResponseStream() {
                @Override
                public void start(int status, Map<String, String> headers) throws IOException {
                    List<Map.Entry<String, String>> all = new ArrayList<>(headers.entrySet());
                    all.add(Map.entry("apigw-requestid", request.requestId()));
                    chunked.start(status, all);
                }

                @Override
                public void write(String part) throws IOException {
                    chunked.write(part.getBytes(StandardCharsets.UTF_8));
                }

                @Override
                public void send(ApiResponse whole) throws IOException {
                    HttpFront.write(out, request, HttpApi.toEvent(whole), false);
                }
            });
        } catch (RuntimeException | LinkageError e) {
            if (!chunked.started()) {
                throw e;
            }
            LOG.log(Level.SEVERE, "request " + request.requestId() + " failed while streaming", e);
            throw new IOException("the streamed response broke off", e);
        }
        if (chunked.started()) { // else the answer was sent whole, and framed by its length
            chunked.end();
        }
    }

    /**
     * The 413 problem. The refused body is read and dropped first (up to a bound): closing a connection with unread
     * input makes TCP reset it, and the reset can destroy the response before the client reads it.
     */
    private static APIGatewayV2HTTPResponse tooLarge(boolean drained) {
        return problem(
                new Problem(
                        413,
                        "payload_too_large",
                        "Payload too large",
                        "The request body exceeds the API's limit of " + MAX_PAYLOAD_BYTES + " bytes.",
                        null),
                !drained);
    }

    /** The 429 problem when all {@link #THREADS} handling slots are taken. */
    private static APIGatewayV2HTTPResponse busy(boolean closeConnection) {
        APIGatewayV2HTTPResponse response = problem(
                new Problem(
                        429,
                        "too_many_requests",
                        "Too many requests",
                        "The local API is handling " + THREADS + " requests at once; send this one again shortly.",
                        null),
                closeConnection);
        Map<String, String> headers = new java.util.HashMap<>(response.getHeaders());
        headers.put("retry-after", "1");
        response.setHeaders(headers);
        return response;
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
        response.setHeaders(
                closeConnection ? Map.of("content-type", Problem.CONTENT_TYPE, "connection", "close") : r.headers());
        response.setBody(r.body());
        return response;
    }

    private static void write(OutputStream out, IncomingRequest request, APIGatewayV2HTTPResponse r, boolean close)
            throws IOException {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        if (r.getHeaders() != null) {
            r.getHeaders().forEach((k, v) -> {
                if (v != null) {
                    set(headers, k, v);
                }
            });
        }
        if (r.getMultiValueHeaders() != null) {
            r.getMultiValueHeaders().forEach((k, values) -> {
                if (values != null) {
                    values.forEach(v -> headers.add(Map.entry(k, v)));
                }
            });
        }
        List<String> cookies = r.getCookies();
        if (cookies != null) {
            cookies.forEach(c -> headers.add(Map.entry("set-cookie", c)));
        }
        set(headers, "apigw-requestid", request.requestId());
        byte[] body = r.getBody() == null
                ? new byte[0]
                : r.getIsBase64Encoded()
                        ? Base64.getDecoder().decode(r.getBody())
                        : r.getBody().getBytes(StandardCharsets.UTF_8);
        HttpWire.writeResponse(
                out, r.getStatusCode(), headers, body, request.method().equals("HEAD"), close);
    }

    /** Replaces every header of that name, in any case, with this one. */
    private static void set(List<Map.Entry<String, String>> headers, String name, String value) {
        headers.removeIf(h -> h.getKey().equalsIgnoreCase(name));
        headers.add(Map.entry(name, value));
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            LOG.log(Level.FINE, "closing the listener failed", e);
        }
        open.forEach(HttpFront::closeQuietly);
        connections.shutdownNow();
    }
}
