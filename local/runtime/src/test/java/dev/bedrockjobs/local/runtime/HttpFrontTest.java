package dev.bedrockjobs.local.runtime;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SimpleIAMPolicyResponse;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP front with handlers that show what they received: the payload-2.0 event's shape, the authorizer's
 * event, its cache, and the response written back verbatim.
 */
class HttpFrontTest {
    /** Answers with the event it got as JSON, or with a binary body and cookies when asked. */
    public static final class EchoHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
        static final ConcurrentLinkedQueue<APIGatewayV2HTTPEvent> SEEN = new ConcurrentLinkedQueue<>();

        public EchoHandler(Map<String, String> env) {
        }

        @Override
        public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
            SEEN.add(event);
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

    /** Allows "Bearer good" (with a context) and counts its invocations. */
    public static final class CountingAuthorizer
            implements RequestHandler<APIGatewayV2CustomAuthorizerEvent, SimpleIAMPolicyResponse> {
        static final AtomicInteger CALLS = new AtomicInteger();
        static final ConcurrentLinkedQueue<APIGatewayV2CustomAuthorizerEvent> SEEN = new ConcurrentLinkedQueue<>();

        public CountingAuthorizer(Map<String, String> env) {
        }

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
        LambdaFunction echo = new LambdaFunction("Echo", EchoHandler.class.getName() + "::handleRequest", Map.of(),
                Duration.ofSeconds(3), 128);
        LambdaFunction authorizer = new LambdaFunction("Auth", CountingAuthorizer.class.getName()
                + "::handleRequest", Map.of(), Duration.ofSeconds(3), 128);
        Supplier<LambdaFunction.Instance> echoInstance = echo.lazyInstance();
        ApiGatewayEvents events = new ApiGatewayEvents("abcdefghij");
        RouteTable routes = new RouteTable(List.of(
                new RouteTable.Route("ANY", "/open/{name}", "Echo", null),
                new RouteTable.Route("GET", "/binary", "Echo", null),
                new RouteTable.Route("GET", "/boom", "Echo", null),
                new RouteTable.Route("POST", "/guarded", "Echo", "Gate")));
        AuthorizerGate gate = new AuthorizerGate("Gate", authorizer.lazyInstance(), List.of("Authorization"),
                List.of(), Duration.ofSeconds(60), events);
        front = new HttpFront(0, routes, Map.of("Echo", echoInstance), Map.of("Gate", gate), events).start();
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
    void theEventIsShapedLikeApiGateways() {
        HttpResponse<String> r = client.send(client.request("/open/a%20b?x=1&y=2&x=3&flag")
                .header("X-Repeat", "one").header("X-Repeat", "two").header("Cookie", "c1=v1; c2=v2")
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
                .header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofByteArray(sent)));
        assertEquals(200, echoed.statusCode());
        APIGatewayV2HTTPEvent e = EchoHandler.SEEN.poll();
        assertTrue(e.getIsBase64Encoded());
        assertArrayEquals(sent, Base64.getDecoder().decode(e.getBody()));

        HttpResponse<byte[]> binary = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + front.port() + "/binary")).build(),
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
        APIGatewayV2HTTPEvent integration = EchoHandler.SEEN.stream().reduce((a, b) -> b).orElseThrow();
        assertEquals(Map.of("tenantId", "t1", "keyId", "k1"),
                integration.getRequestContext().getAuthorizer().getLambda());
        APIGatewayV2CustomAuthorizerEvent authEvent = CountingAuthorizer.SEEN.poll();
        assertEquals("REQUEST", authEvent.getType());
        assertEquals("POST /guarded", authEvent.getRouteKey());
        assertEquals("Bearer good", authEvent.getHeaders().get("authorization"));
        assertTrue(authEvent.getRouteArn().endsWith(":abcdefghij/$default/POST/guarded"), authEvent.getRouteArn());

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
}
