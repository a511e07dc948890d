package dev.bedrockjobs.local.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SimpleIAMPolicyResponse;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.core.api.ApiResponse;
import dev.bedrockjobs.core.api.ResponseStream;
import dev.bedrockjobs.lambda.StreamingRoutes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The HTTP front with handlers that show what they received: the payload-2.0 event's shape, the authorizer's
 * event, its cache, and the response written back verbatim.
 */
class HttpFrontTest {
    /** Answers with the event it got as JSON, or with a binary body and cookies when asked. */
    public static final class EchoHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
        static final ConcurrentLinkedQueue<APIGatewayV2HTTPEvent> SEEN = new ConcurrentLinkedQueue<>();
        /** Requests to /open/hold wait here, counted in HELD, until it is opened. */
        static volatile java.util.concurrent.CountDownLatch hold = new java.util.concurrent.CountDownLatch(0);

        static final AtomicInteger HELD = new AtomicInteger();

        public EchoHandler(Map<String, String> env) {}

        @Override
        public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
            SEEN.add(event);
            if ("/open/hold".equals(event.getRawPath())) {
                HELD.incrementAndGet();
                try {
                    hold.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            APIGatewayV2HTTPResponse r = new APIGatewayV2HTTPResponse();
            if ("/binary".equals(event.getRawPath())) {
                r.setStatusCode(201);
                r.setHeaders(Map.of("content-type", "application/octet-stream"));
                r.setMultiValueHeaders(Map.of("x-multi", List.of("one", "two")));
                r.setCookies(List.of("a=1; Path=/", "b=2"));
                r.setBody(Base64.getEncoder().encodeToString(new byte[] {0, 1, 2, (byte) 255}));
                r.setIsBase64Encoded(true);
            } else if ("/boom".equals(event.getRawPath())) {
                throw new IllegalStateException("handler failure with a secret stack trace");
            } else {
                r.setStatusCode(200);
                r.setHeaders(Map.of("content-type", "application/json"));
                r.setBody("{\"ok\": true}");
            }
            return r;
        }
    }

    /**
     * Streams {@code GET /stream/{mode}}: "ok" sends two parts, "broken" fails after its first, "gone" answers a whole
     * 204; its ordinary handler is never called for that route.
     */
    public static final class StreamingHandler
            implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>, StreamingRoutes {
        public StreamingHandler(Map<String, String> env) {}

        @Override
        public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
            throw new AssertionError("a streamed route was invoked whole");
        }

        @Override
        public boolean streams(String routeKey) {
            return "GET /stream/{mode}".equals(routeKey);
        }

        @Override
        public void stream(APIGatewayV2HTTPEvent event, ResponseStream out) throws IOException {
            String mode = event.getPathParameters().get("mode");
            if (mode.equals("gone")) {
                out.send(new ApiResponse(204, Map.of(), ""));
                return;
            }
            out.start(200, Map.of("content-type", "text/event-stream"));
            out.write("data: a\n\n");
            if (mode.equals("broken")) {
                throw new IllegalStateException("failed mid-stream");
            }
            out.write("data: b\n\n");
        }
    }

    /** Allows "Bearer good" (with a context) and counts its invocations. */
    public static final class CountingAuthorizer
            implements RequestHandler<APIGatewayV2CustomAuthorizerEvent, SimpleIAMPolicyResponse> {
        static final AtomicInteger CALLS = new AtomicInteger();
        static final ConcurrentLinkedQueue<APIGatewayV2CustomAuthorizerEvent> SEEN = new ConcurrentLinkedQueue<>();

        public CountingAuthorizer(Map<String, String> env) {}

        @Override
        public SimpleIAMPolicyResponse handleRequest(APIGatewayV2CustomAuthorizerEvent event, Context context) {
            CALLS.incrementAndGet();
            SEEN.add(event);
            boolean good = List.of("Bearer good").equals(event.getIdentitySource());
            return new SimpleIAMPolicyResponse(good, good ? Map.of("tenantId", "t1", "keyId", "k1") : Map.of());
        }
    }

    private static HttpFront front;
    private static ApiClient client;

    @BeforeAll
    static void start() {
        LambdaFunction echo = new LambdaFunction(
                "Echo",
                EchoHandler.class.getName() + "::handleRequest",
                Map.of(),
                Duration.ofSeconds(30),
                128); // long enough to hold every handling slot at once
        LambdaFunction authorizer = new LambdaFunction(
                "Auth", CountingAuthorizer.class.getName() + "::handleRequest", Map.of(), Duration.ofSeconds(3), 128);
        Supplier<LambdaFunction.Instance> echoInstance = echo.lazyInstance();
        LambdaFunction streaming = new LambdaFunction(
                "Streaming",
                StreamingHandler.class.getName() + "::handleRequest",
                Map.of(),
                Duration.ofSeconds(30),
                128);
        ApiGatewayEvents events = new ApiGatewayEvents("abcdefghij");
        RouteTable routes = new RouteTable(List.of(
                new RouteTable.Route("ANY", "/open/{name}", "Echo", null),
                new RouteTable.Route("GET", "/binary", "Echo", null),
                new RouteTable.Route("GET", "/boom", "Echo", null),
                new RouteTable.Route("GET", "/stream/{mode}", "Streaming", null),
                new RouteTable.Route("POST", "/guarded", "Echo", "Gate")));
        AuthorizerGate gate = new AuthorizerGate(
                "Gate", authorizer.lazyInstance(), List.of("Authorization"), List.of(), Duration.ofSeconds(60), events);
        front = new HttpFront(
                        0,
                        routes,
                        Map.of("Echo", echoInstance, "Streaming", streaming.lazyInstance()),
                        Map.of("Gate", gate),
                        events)
                .start();
        client = new ApiClient(URI.create("http://127.0.0.1:" + front.port()), null);
    }

    @AfterAll
    static void stop() {
        front.close();
    }

    @BeforeEach
    void clear() {
        EchoHandler.SEEN.clear();
        CountingAuthorizer.SEEN.clear();
    }

    @Test
    void aRequestBeyondTheHandlingSlotsIsAnswered429AtOnceInsteadOfQueued() throws Exception {
        EchoHandler.hold = new java.util.concurrent.CountDownLatch(1);
        EchoHandler.HELD.set(0);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(HttpFront.THREADS);
        try {
            List<java.util.concurrent.Future<HttpResponse<String>>> held = new ArrayList<>();
            for (int i = 0; i < HttpFront.THREADS; i++) {
                held.add(pool.submit(() -> client.get("/open/hold")));
            }
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (EchoHandler.HELD.get() < HttpFront.THREADS && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertEquals(HttpFront.THREADS, EchoHandler.HELD.get(), "every slot holds a request");

            HttpResponse<String> refused = client.postJson("/open/more", "{\"body\": \"dropped\"}");
            assertEquals(429, refused.statusCode(), refused.body());
            assertEquals(
                    "application/problem+json",
                    refused.headers().firstValue("content-type").orElse(""));
            assertEquals("1", refused.headers().firstValue("retry-after").orElse(""));
            assertEquals(
                    "too_many_requests", ApiClient.json(refused).path("code").asText());

            EchoHandler.hold.countDown();
            for (var r : held) {
                assertEquals(
                        200, r.get(30, java.util.concurrent.TimeUnit.SECONDS).statusCode());
            }
            assertEquals(200, client.get("/open/after").statusCode(), "slots free again");
        } finally {
            EchoHandler.hold.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void theEventIsShapedLikeApiGateways() {
        HttpResponse<String> r = client.send(client.request("/open/a%20b?x=1&y=2&x=3&flag")
                .header("X-Repeat", "one")
                .header("X-Repeat", "two")
                .header("Cookie", "c1=v1; c2=v2")
                .header("Content-Type", "application/json; charset=utf-8")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"é\": 1}")));
        assertEquals(200, r.statusCode(), r.body());
        APIGatewayV2HTTPEvent e = EchoHandler.SEEN.poll();
        assertEquals("2.0", e.getVersion());
        assertEquals("ANY /open/{name}", e.getRouteKey());
        assertEquals("/open/a%20b", e.getRawPath());
        assertEquals("x=1&y=2&x=3&flag", e.getRawQueryString());
        assertEquals(Map.of("x", "1,3", "y", "2", "flag", ""), e.getQueryStringParameters());
        assertEquals(Map.of("name", "a b"), e.getPathParameters());
        assertEquals("one,two", e.getHeaders().get("x-repeat"));
        assertFalse(e.getHeaders().containsKey("cookie"), "payload 2.0 moves cookies out of the headers");
        assertEquals(List.of("c1=v1", "c2=v2"), e.getCookies());
        assertEquals("{\"é\": 1}", e.getBody());
        assertFalse(e.getIsBase64Encoded());
        var ctx = e.getRequestContext();
        assertEquals("ANY /open/{name}", ctx.getRouteKey(), "the functions dispatch on it");
        assertEquals("PATCH", ctx.getHttp().getMethod());
        assertEquals("HTTP/1.1", ctx.getHttp().getProtocol());
        assertEquals("127.0.0.1", ctx.getHttp().getSourceIp());
        assertEquals("$default", ctx.getStage());
        assertEquals("abcdefghij", ctx.getApiId());
        assertTrue(ctx.getTime().matches("\\d{2}/\\w{3}/\\d{4}:\\d{2}:\\d{2}:\\d{2} \\+0000"), ctx.getTime());
        assertEquals(r.headers().firstValue("apigw-requestid").orElseThrow(), ctx.getRequestId());
        assertNull(ctx.getAuthorizer(), "a public route has no authorizer context");
    }

    @Test
    void aBinaryBodyTravelsBase64EncodedBothWays() throws Exception {
        byte[] sent = {(byte) 0xff, 0, (byte) 0xfe};
        HttpResponse<String> echoed = client.send(client.request("/open/bin")
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(sent)));
        assertEquals(200, echoed.statusCode());
        APIGatewayV2HTTPEvent e = EchoHandler.SEEN.poll();
        assertTrue(e.getIsBase64Encoded());
        assertArrayEquals(sent, Base64.getDecoder().decode(e.getBody()));

        HttpResponse<byte[]> binary = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + front.port() + "/binary"))
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(201, binary.statusCode());
        assertArrayEquals(new byte[] {0, 1, 2, (byte) 255}, binary.body(), "isBase64Encoded bodies are decoded");
        assertEquals(List.of("one", "two"), binary.headers().allValues("x-multi"));
        assertEquals(List.of("a=1; Path=/", "b=2"), binary.headers().allValues("set-cookie"));
    }

    @Test
    void theAuthorizerDecidesOncePerIdentityWithinItsTtl() {
        int before = CountingAuthorizer.CALLS.get();
        HttpResponse<String> missing = client.postJson("/guarded", "{}");
        assertEquals(401, missing.statusCode());
        assertEquals(before, CountingAuthorizer.CALLS.get(), "no identity source: refused without a call");

        ApiClient good = client.withKey("good");
        assertEquals(200, good.postJson("/guarded", "{}").statusCode());
        assertEquals(200, good.postJson("/guarded", "{}").statusCode());
        assertEquals(before + 1, CountingAuthorizer.CALLS.get(), "the second decision came from the cache");
        APIGatewayV2HTTPEvent integration =
                EchoHandler.SEEN.stream().reduce((a, b) -> b).orElseThrow();
        assertEquals(
                Map.of("tenantId", "t1", "keyId", "k1"),
                integration.getRequestContext().getAuthorizer().getLambda());
        APIGatewayV2CustomAuthorizerEvent authEvent = CountingAuthorizer.SEEN.poll();
        assertEquals("REQUEST", authEvent.getType());
        assertEquals("POST /guarded", authEvent.getRouteKey());
        assertEquals("Bearer good", authEvent.getHeaders().get("authorization"));
        assertTrue(authEvent.getRouteArn().endsWith(":abcdefghij/$default/POST/guarded"), authEvent.getRouteArn());
        APIGatewayV2CustomAuthorizerEvent.RequestContext authContext = authEvent.getRequestContext();
        APIGatewayV2HTTPEvent.RequestContext context = integration.getRequestContext();
        assertEquals("abcdefghij", authContext.getApiId());
        assertEquals(context.getAccountId(), authContext.getAccountId());
        assertEquals(context.getDomainName(), authContext.getDomainName());
        assertEquals(context.getDomainPrefix(), authContext.getDomainPrefix());
        assertEquals("POST /guarded", authContext.getRouteKey());
        assertEquals("$default", authContext.getStage());
        assertEquals("POST", authContext.getHttp().getMethod());
        assertEquals("/guarded", authContext.getHttp().getPath());
        assertEquals("HTTP/1.1", authContext.getHttp().getProtocol());
        assertEquals("127.0.0.1", authContext.getHttp().getSourceIp());
        assertEquals(context.getHttp().getUserAgent(), authContext.getHttp().getUserAgent());
        assertTrue(authContext.getRequestId() != null
                && !authContext.getRequestId().isEmpty());

        ApiClient bad = client.withKey("bad");
        HttpResponse<String> denied = bad.postJson("/guarded", "{}");
        assertEquals(401, denied.statusCode());
        JsonNode problem = ApiClient.json(denied);
        assertEquals("unauthorized", problem.path("code").asText());
        bad.postJson("/guarded", "{}");
        assertEquals(before + 2, CountingAuthorizer.CALLS.get(), "denials are cached too");
    }

    @Test
    void aFailingHandlerIsA500ProblemWithoutItsDetails() {
        HttpResponse<String> r = client.get("/boom");
        assertEquals(500, r.statusCode());
        assertEquals("internal_error", ApiClient.json(r).path("code").asText());
        assertFalse(r.body().contains("secret"), r.body());
    }

    /** A Java class, exception or stack frame: what the JDK server's own error pages named. */
    private static final Pattern JAVA_INTERNALS =
            Pattern.compile("[A-Z][A-Za-z]+(?:Exception|Error)\\b|\\b(?:java|sun|com)\\.[a-z]+\\.|\\.java:\\d+");

    @Test
    void aQueryThatIsNotPercentEncodedIsA400ProblemNamingNoJavaClass() throws IOException {
        RawResponse r = exchange(ascii("GET /open/x?cursor=%%% HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
                .get(0);
        assertEquals(400, r.status(), r.toString());
        assertEquals("application/problem+json", r.header("content-type"), r.toString());
        JsonNode problem = ApiClient.JSON.readTree(r.body());
        assertEquals("bad_request", problem.path("code").asText(), r.body());
        assertEquals(400, problem.path("status").asInt());
        assertFalse(JAVA_INTERNALS.matcher(r.body()).find(), r.body());
        assertTrue(EchoHandler.SEEN.isEmpty(), "a malformed request never reaches a function");
    }

    static List<Arguments> malformedRequests() {
        String host = "Host: 127.0.0.1\r\n";
        return List.of(
                Arguments.of(
                        "a bad percent-encoding in the path", 400, ascii("GET /open/%zz HTTP/1.1\r\n" + host + "\r\n")),
                Arguments.of(
                        "a lone percent sign in the path", 400, ascii("GET /open/100% HTTP/1.1\r\n" + host + "\r\n")),
                Arguments.of(
                        "a raw byte that is not UTF-8 in the path",
                        400,
                        bytes(ascii("GET /open/"), new byte[] {(byte) 0xff}, ascii(" HTTP/1.1\r\n" + host + "\r\n"))),
                Arguments.of(
                        "a raw non-ASCII character in the query",
                        400,
                        bytes(
                                ascii("GET /open/a?q="),
                                "\u00e9t\u00e9".getBytes(StandardCharsets.UTF_8),
                                ascii(" HTTP/1.1\r\n" + host + "\r\n"))),
                Arguments.of(
                        "characters a URI may not hold", 400, ascii("GET /open/a|b{c} HTTP/1.1\r\n" + host + "\r\n")),
                Arguments.of("a space in the request target", 400, ascii("GET /open/a b HTTP/1.1\r\n" + host + "\r\n")),
                Arguments.of("a request line that is not one", 400, ascii("GARBAGE\r\n\r\n")),
                Arguments.of("a target that is not a path", 400, ascii("OPTIONS * HTTP/1.1\r\n" + host + "\r\n")),
                Arguments.of("an HTTP version that is not 1.x", 400, ascii("GET /open/a HTTP/9.9\r\n" + host + "\r\n")),
                Arguments.of(
                        "a header name with a space",
                        400,
                        ascii("GET /open/a HTTP/1.1\r\n" + host + "Bad Name: v\r\n\r\n")),
                Arguments.of(
                        "a header line without a colon",
                        400,
                        ascii("GET /open/a HTTP/1.1\r\n" + host + "NoColon\r\n\r\n")),
                Arguments.of(
                        "a folded header line",
                        400,
                        ascii("GET /open/a HTTP/1.1\r\n" + host + "X-A: one\r\n  two\r\n\r\n")),
                Arguments.of(
                        "a NUL in a header value",
                        400,
                        ascii("GET /open/a HTTP/1.1\r\n" + host + "X-A: a\u0000b\r\n\r\n")),
                Arguments.of(
                        "a bare CR in a header value",
                        400,
                        ascii("GET /open/a HTTP/1.1\r\n" + host + "X-A: a\rInjected: 1\r\n\r\n")),
                Arguments.of(
                        "a Content-Length that is not a number",
                        400,
                        ascii("POST /open/a HTTP/1.1\r\n" + host + "Content-Length: abc\r\n\r\n")),
                Arguments.of(
                        "two Content-Lengths that disagree",
                        400,
                        ascii("POST /open/a HTTP/1.1\r\n" + host + "Content-Length: 0\r\nContent-Length: 2\r\n\r\n{}")),
                Arguments.of(
                        "a Content-Length beside chunked encoding",
                        400,
                        ascii("POST /open/a HTTP/1.1\r\n" + host
                                + "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n")),
                Arguments.of(
                        "a transfer coding other than chunked",
                        400,
                        ascii("POST /open/a HTTP/1.1\r\n" + host + "Transfer-Encoding: gzip\r\n\r\n")),
                Arguments.of(
                        "a chunked body whose chunk size is not hex",
                        400,
                        ascii("POST /open/a HTTP/1.1\r\n" + host
                                + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n")),
                Arguments.of(
                        "header values over API Gateway's 10240 bytes",
                        431,
                        ascii("GET /open/a HTTP/1.1\r\n" + host + "X-Long: " + "v".repeat(10_300) + "\r\n\r\n")),
                Arguments.of(
                        "a header block that never ends",
                        431,
                        ascii("GET /open/a HTTP/1.1\r\n" + host + "X-Name-Without-End-".repeat(5_000))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedRequests")
    void aMalformedRequestIsAClean4xxProblemAndTheConnectionCloses(String what, int status, byte[] request)
            throws IOException {
        List<RawResponse> answers = exchange(request);
        assertEquals(1, answers.size(), what + ": " + answers);
        RawResponse r = answers.get(0);
        assertEquals(status, r.status(), what + ": " + r);
        assertEquals("application/problem+json", r.header("content-type"), what + ": " + r);
        JsonNode problem = ApiClient.JSON.readTree(r.body());
        assertEquals(status, problem.path("status").asInt(), r.body());
        assertFalse(problem.path("code").asText().isEmpty(), r.body());
        assertFalse(JAVA_INTERNALS.matcher(r.body()).find(), what + ": " + r.body());
        assertEquals("close", r.header("connection"), what + ": the connection cannot be trusted after it");
        assertTrue(EchoHandler.SEEN.isEmpty(), what + ": a malformed request never reaches a function");
    }

    @Test
    void aMalformedRequestAfterAGoodOneOnTheSameConnectionIsRefusedAlone() throws IOException {
        List<RawResponse> answers = exchange(ascii("POST /open/first HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Length: 2\r\n\r\n{}"
                + "GET /open/second HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2\r\n{}\r\n0\r\n\r\n"
                + "GET /open/%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
        assertEquals(
                List.of(200, 200, 400),
                answers.stream().map(RawResponse::status).toList(),
                answers.toString());
        assertEquals(
                List.of("/open/first", "/open/second"),
                EchoHandler.SEEN.stream().map(APIGatewayV2HTTPEvent::getRawPath).toList());
        assertEquals(
                "bad_request",
                ApiClient.JSON.readTree(answers.get(2).body()).path("code").asText());
    }

    @Test
    void aClientThatWaitsForContinueGetsItsBodyRead() {
        HttpResponse<String> r = client.send(client.request("/open/continued")
                .expectContinue(true)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"a\": 1}")));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("{\"a\": 1}", EchoHandler.SEEN.poll().getBody());
    }

    @Test
    void aHeadRequestIsAnsweredWithHeadersOnly() throws IOException {
        String answer = new String(
                send(ascii("HEAD /open/a HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")), StandardCharsets.ISO_8859_1);
        assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
        assertTrue(answer.endsWith("\r\n\r\n"), "no body after the head: " + answer);
        assertTrue(answer.toLowerCase(Locale.ROOT).contains("\r\napigw-requestid: "), answer);
    }

    @Test
    void aStreamedAnswerIsSentInChunksAsItIsWrittenAndTheConnectionCarriesTheNextRequest() throws IOException {
        String answer = new String(
                send(ascii("GET /stream/ok HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                        + "GET /open/a HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")),
                StandardCharsets.ISO_8859_1);
        assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
        String lower = answer.toLowerCase(Locale.ROOT);
        assertTrue(lower.contains("\r\ntransfer-encoding: chunked\r\n"), answer);
        assertTrue(lower.contains("\r\napigw-requestid: "), answer);
        assertTrue(answer.contains("\r\n\r\n9\r\ndata: a\n\n\r\n9\r\ndata: b\n\n\r\n0\r\n\r\nHTTP/1.1 200 "), answer);
        assertTrue(answer.endsWith("{\"ok\": true}"), "the next request was answered: " + answer);
    }

    @Test
    void aStreamThatFailsAfterItsFirstPartBreaksOffWithoutTheLastChunk() throws IOException {
        String answer = new String(
                send(ascii("GET /stream/broken HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")), StandardCharsets.ISO_8859_1);
        assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
        assertTrue(answer.endsWith("9\r\ndata: a\n\n\r\n"), "the client can tell it broke off: " + answer);
    }

    @Test
    void aStreamingRouteThatAnswersWholeSendsAPlainResponseAndTheConnectionCarriesTheNextRequest() throws IOException {
        String answer = new String(
                send(ascii("GET /stream/gone HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                        + "GET /open/a HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")),
                StandardCharsets.ISO_8859_1);
        assertTrue(answer.startsWith("HTTP/1.1 204 "), answer);
        String first = answer.substring(0, answer.indexOf("\r\n\r\n") + 4);
        assertFalse(first.toLowerCase(Locale.ROOT).contains("transfer-encoding"), answer);
        assertTrue(
                answer.substring(first.length()).startsWith("HTTP/1.1 200 "),
                "nothing between the two answers: " + answer);
    }

    // --- raw HTTP/1.1, so that malformed requests reach the server as sent -----------------------------------

    record RawResponse(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] bytes(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Sends the bytes, then reads every response until the server closes the connection. */
    private static List<RawResponse> exchange(byte[] request) throws IOException {
        return parse(send(request));
    }

    private static byte[] send(byte[] request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), front.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            socket.shutdownOutput(); // nothing more is coming: a keep-alive connection ends after its answers
            return socket.getInputStream().readAllBytes();
        }
    }

    private static List<RawResponse> parse(byte[] all) {
        List<RawResponse> responses = new ArrayList<>();
        String text = new String(all, StandardCharsets.ISO_8859_1);
        int at = 0;
        while (at < text.length()) {
            int end = text.indexOf("\r\n\r\n", at);
            if (end < 0) {
                throw new AssertionError("an incomplete response: " + text.substring(at));
            }
            String[] lines = text.substring(at, end).split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, String> headers = new java.util.LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(
                        lines[i].substring(0, colon).toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).strip());
            }
            int length = headers.containsKey("content-length") ? Integer.parseInt(headers.get("content-length")) : 0;
            String body = text.substring(end + 4, Math.min(text.length(), end + 4 + length));
            responses.add(new RawResponse(status, headers, body));
            at = end + 4 + body.length();
        }
        return responses;
    }
}
