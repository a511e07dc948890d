package dev.bedrockjobs.local.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import com.svix.Webhook;
import dev.bedrockjobs.core.adapter.DynamoApiKeys;
import dev.bedrockjobs.core.adapter.DynamoTenants;
import dev.bedrockjobs.core.admin.KeyAdmin;
import dev.bedrockjobs.local.emulators.RepoRoot;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Webhooks through the whole local stack to a receiver on 127.0.0.1 that checks every signature with the Svix
 * library: retried until accepted, stopped by 410, one batch.completed per batch, replay with the same id.
 */
class WebhooksEndToEndTest {
    @TempDir
    static Path data;

    private static LocalStack stack;
    private static ApiClient api;
    private static HttpServer receiver;
    private static Webhook svix;
    /** Per path: what each call answers, in order (the last repeats), and what arrived. */
    private static final Map<String, List<Integer>> SCRIPT = new ConcurrentHashMap<>();

    private static final Map<String, List<Received>> RECEIVED = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();

    record Received(
            String webhookId, JsonNode body, boolean verified, String rawBody, Map<String, List<String>> headers) {
        /** Whether a receiver holding {@code secret} accepts this request, as the Svix library judges. */
        boolean verifiesWith(String secret) {
            try {
                new Webhook(secret).verify(rawBody, headers);
                return true;
            } catch (Exception e) {
                return false;
            }
        }
    }

    /** In a script: hold the request longer than the sender waits. */
    private static final int HANG = -1;

    @BeforeAll
    static void start() throws Exception {
        stack = LocalStack.start(LocalOptions.builder(RepoRoot.require())
                .port(0)
                .dataDirectory(data)
                .build());
        api = new ApiClient(stack.apiUrl(), stack.devApiKey());
        svix = new Webhook(Files.readString(stack.dataDirectory().resolve("dev-webhook-secret"))
                .trim());
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        receiver.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Map<String, List<String>> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
            boolean verified;
            try {
                svix.verify(body, headers);
                verified = true;
            } catch (Exception e) {
                verified = false;
            }
            RECEIVED.computeIfAbsent(path, p -> Collections.synchronizedList(new ArrayList<>()))
                    .add(new Received(
                            headers.get("webhook-id").get(0), ApiClient.JSON.readTree(body), verified, body, headers));
            List<Integer> script = SCRIPT.getOrDefault(path, List.of(200));
            int n = CALLS.computeIfAbsent(path, p -> new AtomicInteger()).getAndIncrement();
            int status = script.get(Math.min(n, script.size() - 1));
            if (status == HANG) {
                try {
                    Thread.sleep(15_000); // past the sender's 10 s timeout
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                status = 200;
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterAll
    static void stop() {
        if (receiver != null) {
            receiver.stop(0);
        }
        if (stack != null) {
            stack.close();
        }
    }

    private static String url(String path) {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + path;
    }

    private static List<Received> awaitReceived(String path, int count, Duration limit) throws InterruptedException {
        Instant end = Instant.now().plus(limit);
        while (Instant.now().isBefore(end)) {
            List<Received> got = RECEIVED.getOrDefault(path, List.of());
            if (got.size() >= count) {
                return new ArrayList<>(got);
            }
            Thread.sleep(100);
        }
        return new ArrayList<>(RECEIVED.getOrDefault(path, List.of()));
    }

    private static String submitWithWebhook(String path) {
        return submitWithWebhook(api, path);
    }

    private static String submitWithWebhook(ApiClient api, String path) {
        HttpResponse<String> r = api.postJson(
                "/v1/jobs",
                "{\"prompt\": \"Call " + path + " back.\", \"model\": \"fast\"," + " \"webhook\": {\"url\": \""
                        + url(path) + "\"}}");
        assertEquals(202, r.statusCode(), r.body());
        return ApiClient.json(r).path("id").asText();
    }

    @Test
    void aFailingReceiverIsRetriedUntilItAcceptsAndEveryAttemptIsRecorded() throws Exception {
        SCRIPT.put("/flaky", List.of(500, 200));
        String id = submitWithWebhook("/flaky");
        List<Received> got = awaitReceived("/flaky", 2, Duration.ofSeconds(60));
        assertEquals(2, got.size(), "one failure, then delivered");
        assertTrue(got.stream().allMatch(Received::verified), "Svix verifies every signature");
        assertEquals(got.get(0).webhookId(), got.get(1).webhookId(), "webhook-id is stable across retries");
        assertEquals("job.succeeded", got.get(1).body().path("type").asText());
        assertEquals(id, got.get(1).body().path("data").path("id").asText());

        JsonNode deliveries = waitForDeliveries(id, 2);
        assertEquals(500, deliveries.get(0).path("httpStatus").asInt());
        assertEquals("http_error", deliveries.get(0).path("error").asText());
        assertEquals("retry", deliveries.get(0).path("outcome").asText());
        assertEquals("delivered", deliveries.get(1).path("outcome").asText());
        JsonNode job = ApiClient.json(api.get("/v1/jobs/" + id));
        assertEquals(2, job.path("webhook").path("deliveries").asInt());
        assertEquals(200, job.path("webhook").path("lastStatus").asInt());

        assertEquals(
                202,
                api.postJson("/v1/jobs/" + id + "/webhook-deliveries/replay", "")
                        .statusCode());
        List<Received> replayed = awaitReceived("/flaky", 3, Duration.ofSeconds(30));
        assertEquals(got.get(0).webhookId(), replayed.get(2).webhookId(), "a replay keeps the webhook-id");
        assertEquals(got.get(1).body(), replayed.get(2).body(), "and the body");
    }

    @Test
    void concurrentReplaysAreRateLimitedAndEveryAttemptIsLoggedUnderItsOwnNumber() throws Exception {
        String id = submitWithWebhook("/replayed");
        awaitReceived("/replayed", 1, Duration.ofSeconds(60));
        waitForDeliveries(id, 1);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(25);
        List<HttpResponse<String>> answers = new ArrayList<>();
        try {
            List<java.util.concurrent.Future<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                calls.add(pool.submit(() -> api.postJson("/v1/jobs/" + id + "/webhook-deliveries/replay", "")));
            }
            for (java.util.concurrent.Future<HttpResponse<String>> call : calls) {
                answers.add(call.get());
            }
        } finally {
            pool.shutdownNow();
        }
        long accepted = answers.stream().filter(a -> a.statusCode() == 202).count();
        List<HttpResponse<String>> refused =
                answers.stream().filter(a -> a.statusCode() == 429).toList();
        assertEquals(5, accepted, "five replays of one job a minute");
        assertEquals(95, refused.size(), "the rest are told to wait");
        assertTrue(
                refused.stream()
                        .allMatch(a -> a.headers()
                                .firstValue("retry-after")
                                .map(Integer::parseInt)
                                .filter(s -> s >= 1 && s <= 60)
                                .isPresent()),
                "with a Retry-After");
        assertEquals("rate_limited", ApiClient.json(refused.get(0)).path("code").asText());

        List<Received> got = awaitReceived("/replayed", 6, Duration.ofSeconds(30));
        assertEquals(6, got.size(), "the original and each accepted replay reached the receiver");
        JsonNode deliveries = waitForDeliveries(id, 6);
        List<Integer> numbers = new ArrayList<>();
        deliveries.forEach(d -> numbers.add(d.path("attempt").asInt()));
        assertEquals(List.of(1, 2, 3, 4, 5, 6), numbers, "every attempt is in the log, each under its own number");
    }

    @Test
    void aReceiverHoldingTheReplacedSecretVerifiesDuringTheGraceAndNotAfter() throws Exception {
        ApiClient tenantApi = new ApiClient(stack.apiUrl(), stack.createTenant("rotating"));
        JsonNode endpoints = ApiClient.JSON.readTree(Files.readString(data.resolve("endpoints.json")));
        try (DynamoDbClient dynamo = DynamoDbClient.builder()
                .endpointOverride(URI.create(endpoints.path("dynamodb").asText()))
                .region(Region.US_EAST_1)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x")))
                .build()) {
            String table = endpoints.path("jobsTable").asText();
            DynamoTenants tenants = new DynamoTenants(dynamo, table);
            String old = tenants.findTenant("rotating").orElseThrow().webhookSecret();
            String fresh = new KeyAdmin(new DynamoApiKeys(dynamo, table), tenants, Clock.systemUTC())
                    .rotateWebhookSecret("rotating", Duration.ofHours(24))
                    .orElseThrow();

            submitWithWebhook(tenantApi, "/rotation-during");
            Received during =
                    awaitReceived("/rotation-during", 1, Duration.ofSeconds(60)).get(0);
            assertTrue(during.verifiesWith(old), "right after the rotation the old secret still verifies");
            assertTrue(during.verifiesWith(fresh), "and so does the new one");

            // The grace runs out, as a day passing would end it.
            dynamo.updateItem(u -> u.tableName(table)
                    .key(Map.of("pk", AttributeValue.fromS("TENANT#rotating"), "sk", AttributeValue.fromS("TENANT")))
                    .updateExpression("SET previousSecretUntil = :past")
                    .expressionAttributeValues(Map.of(
                            ":past",
                            AttributeValue.fromS(Instant.now().minusSeconds(1).toString()))));
            submitWithWebhook(tenantApi, "/rotation-after");
            Received after =
                    awaitReceived("/rotation-after", 1, Duration.ofSeconds(60)).get(0);
            assertTrue(!after.verifiesWith(old), "after the grace the old secret no longer verifies");
            assertTrue(after.verifiesWith(fresh));
        }
    }

    @Test
    void aGoneReceiverStopsTheRetries() throws Exception {
        SCRIPT.put("/gone", List.of(410));
        String id = submitWithWebhook("/gone");
        assertEquals(1, awaitReceived("/gone", 1, Duration.ofSeconds(60)).size());
        JsonNode deliveries = waitForDeliveries(id, 1);
        assertEquals("give_up", deliveries.get(0).path("outcome").asText());
        Thread.sleep(6000); // longer than the first retry could wait
        assertEquals(1, RECEIVED.get("/gone").size(), "410 is not retried");
    }

    @Test
    void aHangingReceiverTimesOutAndIsRetried() throws Exception {
        SCRIPT.put("/hang", List.of(HANG, 200));
        String id = submitWithWebhook("/hang");
        List<Received> got = awaitReceived("/hang", 2, Duration.ofSeconds(60));
        assertEquals(2, got.size());
        assertEquals(got.get(0).webhookId(), got.get(1).webhookId());
        JsonNode deliveries = waitForDeliveries(id, 2);
        assertEquals("retry", deliveries.get(0).path("outcome").asText());
        assertTrue(deliveries.get(0).path("httpStatus").isNull(), deliveries.toString());
        assertEquals("timeout", deliveries.get(0).path("error").asText(), "a category, not the client's words");
        assertTrue(deliveries.get(0).path("durationMs").asLong() >= 9_000, deliveries.toString());
        assertEquals("delivered", deliveries.get(1).path("outcome").asText());
    }

    @Test
    void aBatchFiresExactlyOneBatchCompleted() throws Exception {
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            items.append(i == 0 ? "" : ",")
                    .append("{\"prompt\": \"item ")
                    .append(i)
                    .append("\"}");
        }
        HttpResponse<String> r = api.postJson(
                "/v1/batches", "{\"items\": [" + items + "], \"webhook\": {\"url\": \"" + url("/batches") + "\"}}");
        assertEquals(202, r.statusCode(), r.body());
        String batchId = ApiClient.json(r).path("id").asText();
        awaitReceived("/batches", 1, Duration.ofSeconds(60));
        Thread.sleep(3000); // a second announcement would have arrived by now
        List<Received> got = new ArrayList<>(RECEIVED.get("/batches"));
        assertEquals(1, got.size(), "exactly one event for the batch, none for its items");
        assertTrue(got.get(0).verified());
        assertEquals("batch.completed", got.get(0).body().path("type").asText());
        assertEquals(batchId, got.get(0).body().path("data").path("id").asText());
        assertEquals(
                20,
                got.get(0).body().path("data").path("counts").path("succeeded").asInt());
    }

    private static JsonNode waitForDeliveries(String jobId, int count) throws InterruptedException {
        Instant end = Instant.now().plusSeconds(30);
        JsonNode items;
        do {
            items = ApiClient.json(api.get("/v1/jobs/" + jobId + "/webhook-deliveries"))
                    .path("items");
            if (items.size() >= count) {
                return items;
            }
            Thread.sleep(100);
        } while (Instant.now().isBefore(end));
        return items;
    }
}
