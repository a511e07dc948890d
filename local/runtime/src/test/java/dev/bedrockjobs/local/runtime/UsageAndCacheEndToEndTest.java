package dev.bedrockjobs.local.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.bedrockjobs.core.adapter.SqsJobQueue;
import dev.bedrockjobs.core.domain.TenantLimits;
import dev.bedrockjobs.core.port.JobQueue;
import dev.bedrockjobs.local.emulators.RepoRoot;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
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
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Usage and the response cache through the whole local stack. The usage report stays exact when a worker is taken
 * to have died at any point of settling a job and the job's message is delivered again; a cached answer makes a job
 * that has succeeded at once, costs nothing, still sends its webhook, and is never served to another tenant.
 */
class UsageAndCacheEndToEndTest {
    private static final String TABLE = "JobsTable";
    /** Short, so that redeliveries may take over an abandoned job within the test. */
    private static final int GRACE_SECONDS = 2;

    @TempDir
    static Path data;

    private static LocalStack stack;
    private static ApiClient api;
    private static DynamoDbClient dynamo;
    private static SqsClient sqs;
    private static JobQueue jobsQueue;
    private static HttpServer receiver;
    private static final List<JsonNode> WEBHOOKS = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        stack = LocalStack.start(LocalOptions.builder(RepoRoot.require())
                .port(0)
                .dataDirectory(data)
                .parameter("ReconcileGraceSeconds", String.valueOf(GRACE_SECONDS))
                .build());
        api = new ApiClient(stack.apiUrl(), stack.devApiKey());
        JsonNode endpoints = ApiClient.JSON.readTree(Files.readString(data.resolve("endpoints.json")));
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x"));
        dynamo = DynamoDbClient.builder()
                .endpointOverride(URI.create(endpoints.path("dynamodb").asText()))
                .region(Region.US_EAST_1)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .credentialsProvider(credentials)
                .build();
        sqs = SqsClient.builder()
                .endpointOverride(URI.create(endpoints.path("sqs").asText()))
                .region(Region.US_EAST_1)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .credentialsProvider(credentials)
                .build();
        jobsQueue = new SqsJobQueue(
                sqs, sqs.getQueueUrl(g -> g.queueName("JobsQueue")).queueUrl());
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                WEBHOOKS.add(ApiClient.JSON.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterAll
    static void stop() {
        if (receiver != null) {
            receiver.stop(0);
        }
        if (dynamo != null) {
            dynamo.close();
        }
        if (sqs != null) {
            sqs.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        Instant end = Instant.now().plus(Duration.ofSeconds(60));
        while (!done.getAsBoolean()) {
            if (Instant.now().isAfter(end)) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    private static Map<String, AttributeValue> jobItem(String jobId) {
        return dynamo.getItem(g -> g.tableName(TABLE)
                        .consistentRead(true)
                        .key(Map.of("pk", AttributeValue.fromS("JOB#" + jobId), "sk", AttributeValue.fromS("JOB"))))
                .item();
    }

    private static Map<String, AttributeValue> usageKey(String tenant) {
        YearMonth month = YearMonth.now(ZoneOffset.UTC);
        return Map.of("pk", AttributeValue.fromS("USAGE#" + tenant), "sk", AttributeValue.fromS("MONTH#" + month));
    }

    private static List<String> pending(String tenant) {
        return dynamo
                .getItem(g -> g.tableName(TABLE).consistentRead(true).key(usageKey(tenant)))
                .item()
                .keySet()
                .stream()
                .filter(k -> k.startsWith("pending|"))
                .map(k -> k.substring("pending|".length()))
                .toList();
    }

    private static boolean settled(String jobId) {
        AttributeValue v = jobItem(jobId).get("usageRecorded");
        return v != null && Boolean.TRUE.equals(v.bool()) && jobItem(jobId).containsKey("settledAt");
    }

    /** Puts a job item back as a worker leaves it right after its terminal write: unsettled, in the active index. */
    private static void unsettle(String jobId) {
        Map<String, AttributeValue> item = jobItem(jobId);
        dynamo.updateItem(u -> u.tableName(TABLE)
                .key(Map.of("pk", item.get("pk"), "sk", item.get("sk")))
                .updateExpression("SET gsi3pk = :shard, gsi3sk = :created REMOVE usageRecorded, settledAt")
                .expressionAttributeValues(Map.of(
                        ":shard",
                        AttributeValue.fromS("ACTIVE#0"),
                        ":created",
                        AttributeValue.fromS(item.get("createdAt").s() + "#" + jobId))));
    }

    /** The marker a settling path leaves with a succeeded job's numbers: who added, outcome, tokens, cost. */
    private static void leavePending(String tenant, String jobId) {
        Map<String, AttributeValue> job = jobItem(jobId);
        String marker = "-|succeeded|" + job.get("inputTokens").n() + "|"
                + job.get("outputTokens").n() + "|"
                + new BigDecimal(job.get("costUsd").n()).stripTrailingZeros().toPlainString();
        dynamo.updateItem(u -> u.tableName(TABLE)
                .key(usageKey(tenant))
                .updateExpression("SET #p = :m")
                .expressionAttributeNames(Map.of("#p", "pending|" + jobId))
                .expressionAttributeValues(Map.of(":m", AttributeValue.fromS(marker))));
    }

    /**
     * Fifty emoji and CJK prompts sent at once against a budget, run to the end: what they used stays within it.
     * @return the tenant's usage report once every accepted job has ended
     */
    private static JsonNode raceAgainstABudget(String tenant, TenantLimits.Overrides budget) throws Exception {
        ApiClient client = api.withKey(stack.createTenant(tenant));
        stack.setTenantLimits(tenant, budget);
        String emoji = "\uD83D\uDE00\uD83C\uDF89\uD83D\uDE80\uD83E\uDD16".repeat(25); // 100 emoji, 400 bytes
        String cjk = "\u9810\u7B97\u306F\u5B88\u3089\u308C\u308B".repeat(20); // 140 CJK characters, 420 bytes
        var pool = java.util.concurrent.Executors.newFixedThreadPool(50);
        try {
            var go = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                String body = "{\"prompt\": " + ApiClient.quote((i % 2 == 0 ? emoji : cjk) + " #" + i)
                        + ", \"maxTokens\": 1}";
                answers.add(pool.submit(() -> {
                    go.await();
                    return client.postJson("/v1/jobs", body);
                }));
            }
            go.countDown();
            List<String> accepted = new ArrayList<>();
            for (var a : answers) {
                HttpResponse<String> r = a.get(60, java.util.concurrent.TimeUnit.SECONDS);
                if (r.statusCode() == 202) {
                    accepted.add(ApiClient.json(r).path("id").asText());
                } else {
                    assertEquals(429, r.statusCode(), r.body());
                }
            }
            assertTrue(!accepted.isEmpty() && accepted.size() < 50, accepted.size() + " of 50 accepted");
            client.awaitAll(accepted, Duration.ofMinutes(2));
            JsonNode usage = ApiClient.json(client.get("/v1/usage"));
            System.out.printf(
                    "%s: %d of 50 accepted; used %d tokens, USD %s%n",
                    tenant,
                    accepted.size(),
                    usage.path("inputTokens").asLong()
                            + usage.path("outputTokens").asLong(),
                    usage.path("cost").path("usd").asText());
            return usage;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentEmojiAndCjkSubmitsNeverUseMoreThanTheTokenBudget() throws Exception {
        JsonNode usage = raceAgainstABudget("emoji-tokens", new TenantLimits.Overrides(0L, 0L, 10_000L, null, null));
        long used =
                usage.path("inputTokens").asLong() + usage.path("outputTokens").asLong();
        assertTrue(used <= 10_000, used + " tokens used of a 10000-token budget: " + usage);
    }

    @Test
    void concurrentEmojiAndCjkSubmitsNeverCostMoreThanTheCostBudget() throws Exception {
        BigDecimal budget = new BigDecimal("0.005");
        JsonNode usage = raceAgainstABudget("emoji-cost", new TenantLimits.Overrides(0L, 0L, null, budget, null));
        BigDecimal cost = usage.path("cost").path("usd").decimalValue();
        assertTrue(cost.compareTo(budget) <= 0, "USD " + cost + " spent of a USD 0.005 budget: " + usage);
    }

    @Test
    void theUsageReportIsExactAfterWorkersDieBetweenUsageWritesAndMessagesAreDeliveredAgain() throws Exception {
        String tenant = "metered";
        ApiClient metered = api.withKey(stack.createTenant(tenant));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(metered.submit("Summarise change " + i + " in one line")
                    .path("id")
                    .asText());
        }
        HttpResponse<String> other =
                metered.postJson("/v1/jobs", "{\"prompt\": \"On the standard tier\", \"model\": \"standard\"}");
        assertEquals(202, other.statusCode());
        ids.add(ApiClient.json(other).path("id").asText());
        List<JsonNode> done = metered.awaitAll(ids, Duration.ofSeconds(60));
        for (String id : ids) {
            await("settling of " + id, () -> settled(id));
        }
        await("nothing pending", () -> pending(tenant).isEmpty());
        JsonNode before = ApiClient.json(metered.get("/v1/usage"));

        // Job 0's worker died after adding its numbers and marker, before marking the job.
        String afterAdd = ids.get(0);
        unsettle(afterAdd);
        leavePending(tenant, afterAdd);
        // Job 1's worker died after marking the job, before its marker was taken out.
        leavePending(tenant, ids.get(1));
        // Job 2's worker died right after the terminal write, before counting anything: its numbers come out.
        String beforeAdd = ids.get(2);
        unsettle(beforeAdd);
        dynamo.updateItem(u -> u.tableName(TABLE)
                .key(usageKey(tenant))
                .updateExpression("ADD inputTokens :in, outputTokens :out, succeeded :minusOne, #mIn :in, "
                        + "#mOut :out, #mOk :minusOne, costUsd :cost, #mCost :cost")
                .expressionAttributeNames(
                        modelCounters(jobItem(beforeAdd).get("modelId").s()))
                .expressionAttributeValues(Map.of(
                        ":in",
                        negated(jobItem(beforeAdd).get("inputTokens")),
                        ":out",
                        negated(jobItem(beforeAdd).get("outputTokens")),
                        ":cost",
                        negated(jobItem(beforeAdd).get("costUsd")),
                        ":minusOne",
                        AttributeValue.fromN("-1"))));
        assertFalse(settled(afterAdd));
        assertFalse(ApiClient.json(metered.get("/v1/usage")).equals(before));

        // Past the grace (the dead workers' time to finish), every message comes back, twice over, as SQS and the
        // reconciler may deliver it; the second round's copies all at once with the first's.
        Thread.sleep(GRACE_SECONDS * 1000L + 500);
        for (int round = 0; round < 2; round++) {
            for (String id : ids) {
                jobsQueue.send(new JobQueue.JobMessage(id, tenant));
            }
        }
        String queueUrl = sqs.getQueueUrl(g -> g.queueName("JobsQueue")).queueUrl();
        await(
                "every copy handled",
                () -> sqs
                        .getQueueAttributes(g -> g.queueUrl(queueUrl)
                                .attributeNamesWithStrings(
                                        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"))
                        .attributesAsStrings()
                        .values()
                        .stream()
                        .allMatch("0"::equals));
        await("the interrupted jobs settled again", () -> settled(afterAdd) && settled(beforeAdd));
        // Job 1's marker was its dead worker's to take out: it stays, and no report reads it.
        await("the others' markers taken out", () -> pending(tenant).equals(List.of(ids.get(1))));

        JsonNode usage = ApiClient.json(metered.get("/v1/usage"));
        long in = 0;
        long out = 0;
        BigDecimal cost = BigDecimal.ZERO;
        for (JsonNode job : done) {
            assertEquals("succeeded", job.path("status").asText(), job.toString());
            in += job.path("usage").path("inputTokens").asLong();
            out += job.path("usage").path("outputTokens").asLong();
            cost = cost.add(job.path("cost").path("usd").decimalValue());
        }
        assertEquals(before, usage, "duplicates and interrupted writes changed nothing");
        assertEquals(
                YearMonth.now(ZoneOffset.UTC).toString(), usage.path("month").asText());
        assertEquals(in, usage.path("inputTokens").asLong(), usage.toString());
        assertEquals(out, usage.path("outputTokens").asLong());
        assertEquals(0, cost.compareTo(usage.path("cost").path("usd").decimalValue()), usage.toString());
        assertEquals(5, usage.path("jobs").path("submitted").asLong());
        assertEquals(5, usage.path("jobs").path("succeeded").asLong());
        assertEquals(0, usage.path("jobs").path("failed").asLong());
        assertEquals(2, usage.path("byModel").size(), "fast and standard: " + usage);
        long perModel = 0;
        for (JsonNode m : usage.path("byModel")) {
            perModel += m.path("jobs").path("succeeded").asLong();
        }
        assertEquals(5, perModel);
        assertEquals(
                0,
                ApiClient.json(api.get("/v1/usage"))
                        .path("jobs")
                        .path("succeeded")
                        .asLong(),
                "another tenant sees only its own usage");
    }

    private static Map<String, String> modelCounters(String modelId) {
        String m = "model|" + modelId + "|";
        return Map.of(
                "#mIn",
                m + "inputTokens",
                "#mOut",
                m + "outputTokens",
                "#mOk",
                m + "succeeded",
                "#mCost",
                m + "costUsd");
    }

    private static AttributeValue negated(AttributeValue number) {
        return AttributeValue.fromN(new BigDecimal(number.n()).negate().toPlainString());
    }

    @Test
    void aCachedAnswerSucceedsAtOnceCostsNothingSendsItsWebhookAndStaysWithItsTenant() throws Exception {
        String tenant = "cached";
        ApiClient client = api.withKey(stack.createTenant(tenant));
        String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        String body = "{\"prompt\": \"What is a fencing token?\", \"model\": \"fast\", \"cache\": true,"
                + " \"webhook\": {\"url\": \"" + hook + "\"}}";

        HttpResponse<String> miss = client.postJson("/v1/jobs", body);
        assertEquals(202, miss.statusCode(), miss.body());
        assertEquals("queued", ApiClient.json(miss).path("status").asText());
        JsonNode first = client.awaitTerminal(ApiClient.json(miss).path("id").asText(), Duration.ofSeconds(60));
        assertEquals("succeeded", first.path("status").asText());
        assertFalse(first.has("cached"));

        HttpResponse<String> hit = client.postJson("/v1/jobs", body);
        assertEquals(202, hit.statusCode(), hit.body());
        JsonNode cached = ApiClient.json(hit);
        assertEquals("succeeded", cached.path("status").asText(), cached.toString());
        assertTrue(cached.path("cached").asBoolean());
        assertEquals(first.path("result"), cached.path("result"));
        assertFalse(cached.has("usage"));
        assertFalse(cached.has("cost"));
        assertEquals(
                cached.path("id"),
                ApiClient.json(client.get("/v1/jobs/" + cached.path("id").asText()))
                        .path("id"));
        await(
                "the cached job's webhook",
                () -> WEBHOOKS.stream()
                        .anyMatch(w -> w.path("data").path("id").equals(cached.path("id"))
                                && w.path("type").asText().equals("job.succeeded")));

        // Without cache: true the same prompt runs again; so does another tenant's, whatever it asks.
        HttpResponse<String> uncached =
                client.postJson("/v1/jobs", body.replace("\"cache\": true", "\"cache\": false"));
        assertEquals("queued", ApiClient.json(uncached).path("status").asText());
        HttpResponse<String> stranger =
                api.withKey(stack.createTenant("stranger")).postJson("/v1/jobs", body);
        assertEquals("queued", ApiClient.json(stranger).path("status").asText(), "never shared across tenants");
        client.awaitTerminal(ApiClient.json(uncached).path("id").asText(), Duration.ofSeconds(60));

        await(
                "usage settled",
                () -> pending(tenant).isEmpty()
                        && ApiClient.json(client.get("/v1/usage"))
                                        .path("jobs")
                                        .path("succeeded")
                                        .asLong()
                                == 2);
        JsonNode usage = ApiClient.json(client.get("/v1/usage"));
        assertEquals(2, usage.path("jobs").path("submitted").asLong(), "the cached job is not counted: " + usage);
        assertEquals(
                first.path("usage").path("inputTokens").asLong() * 2,
                usage.path("inputTokens").asLong());
    }

    @Test
    void aTenantCanUseTheCacheWithoutAskingEachTime() throws Exception {
        String key = stack.createTenant("always-cached");
        stack.setTenantLimits("always-cached", new TenantLimits.Overrides(null, null, null, null, true));
        ApiClient client = api.withKey(key);
        String body = "{\"prompt\": \"Name three sorting algorithms\", \"model\": \"fast\"}";
        JsonNode first = ApiClient.json(client.postJson("/v1/jobs", body));
        client.awaitTerminal(first.path("id").asText(), Duration.ofSeconds(60));
        JsonNode second = ApiClient.json(client.postJson("/v1/jobs", body));
        assertTrue(second.path("cached").asBoolean(), second.toString());
        JsonNode optedOut = ApiClient.json(client.postJson("/v1/jobs", body.replace("}", ", \"cache\": false}")));
        assertEquals("queued", optedOut.path("status").asText(), "the request's own choice wins");
    }
}
