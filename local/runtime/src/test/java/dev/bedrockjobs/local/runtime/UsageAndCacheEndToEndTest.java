package dev.bedrockjobs.local.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.bedrockjobs.core.adapter.SqsJobQueue;
import dev.bedrockjobs.core.domain.TenantLimits;
import dev.bedrockjobs.core.port.JobQueue;
import dev.bedrockjobs.local.emulators.RepoRoot;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Usage and the response cache through the whole local stack. The usage report stays exact when a worker is taken
 * to have died between its usage writes and the job's message is delivered again; a cached answer makes a job that
 * has succeeded at once, costs nothing, still sends its webhook, and is never served to another tenant.
 */
class UsageAndCacheEndToEndTest {
    private static final String TABLE = "JobsTable";

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
        stack = LocalStack.start(LocalOptions.builder(RepoRoot.require()).port(0).dataDirectory(data).build());
        api = new ApiClient(stack.apiUrl(), stack.devApiKey());
        JsonNode endpoints = ApiClient.JSON.readTree(Files.readString(data.resolve("endpoints.json")));
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x"));
        dynamo = DynamoDbClient.builder().endpointOverride(URI.create(endpoints.path("dynamodb").asText()))
                .region(Region.US_EAST_1).httpClientBuilder(UrlConnectionHttpClient.builder())
                .credentialsProvider(credentials).build();
        sqs = SqsClient.builder().endpointOverride(URI.create(endpoints.path("sqs").asText()))
                .region(Region.US_EAST_1).httpClientBuilder(UrlConnectionHttpClient.builder())
                .credentialsProvider(credentials).build();
        jobsQueue = new SqsJobQueue(sqs, sqs.getQueueUrl(g -> g.queueName("JobsQueue")).queueUrl());
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
        return dynamo.getItem(g -> g.tableName(TABLE).consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS("JOB#" + jobId), "sk", AttributeValue.fromS("JOB")))).item();
    }

    private static Map<String, AttributeValue> usageKey(String tenant) {
        YearMonth month = YearMonth.now(ZoneOffset.UTC);
        return Map.of("pk", AttributeValue.fromS("USAGE#" + tenant), "sk", AttributeValue.fromS("MONTH#" + month));
    }

    private static List<String> pending(String tenant) {
        AttributeValue p = dynamo.getItem(g -> g.tableName(TABLE).consistentRead(true).key(usageKey(tenant)))
                .item().get("pending");
        return p == null || !p.hasSs() ? List.of() : p.ss();
    }

    private static boolean usageRecorded(String jobId) {
        AttributeValue v = jobItem(jobId).get("usageRecorded");
        return v != null && Boolean.TRUE.equals(v.bool());
    }

    @Test
    void theUsageReportIsExactAfterWorkersDieBetweenUsageWritesAndMessagesAreDeliveredAgain() throws Exception {
        String tenant = "metered";
        ApiClient metered = api.withKey(stack.createTenant(tenant));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(metered.submit("Summarise change " + i + " in one line").path("id").asText());
        }
        HttpResponse<String> other = metered.postJson("/v1/jobs",
                "{\"prompt\": \"On the standard tier\", \"model\": \"standard\"}");
        assertEquals(202, other.statusCode());
        ids.add(ApiClient.json(other).path("id").asText());
        List<JsonNode> done = metered.awaitAll(ids, Duration.ofSeconds(60));
        for (String id : ids) {
            await("usage of " + id, () -> usageRecorded(id));
        }
        await("nothing pending", () -> pending(tenant).isEmpty());
        JsonNode before = ApiClient.json(metered.get("/v1/usage"));

        // A worker died after adding job 0's numbers and its pending id (step a), before marking the job.
        String afterAdd = ids.get(0);
        dynamo.updateItem(u -> u.tableName(TABLE).key(jobItem(afterAdd).entrySet().stream()
                        .filter(e -> e.getKey().equals("pk") || e.getKey().equals("sk"))
                        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)))
                .updateExpression("REMOVE usageRecorded"));
        dynamo.updateItem(u -> u.tableName(TABLE).key(usageKey(tenant)).updateExpression("ADD pending :id")
                .expressionAttributeValues(Map.of(":id", AttributeValue.fromSs(List.of(afterAdd)))));
        // Another died after marking job 1 (steps a and b), before clearing its pending id.
        String afterMark = ids.get(1);
        dynamo.updateItem(u -> u.tableName(TABLE).key(usageKey(tenant)).updateExpression("ADD pending :id")
                .expressionAttributeValues(Map.of(":id", AttributeValue.fromSs(List.of(afterMark)))));
        assertFalse(usageRecorded(afterAdd));

        // Every message comes back, twice over, as SQS and the reconciler may deliver it: one round after the
        // other. (Two copies of one message handled in the same instant are a narrower case the three-write
        // pattern does not close: see DynamoUsageMeter.)
        String queueUrl = sqs.getQueueUrl(g -> g.queueName("JobsQueue")).queueUrl();
        for (int round = 0; round < 2; round++) {
            for (String id : ids) {
                jobsQueue.send(new JobQueue.JobMessage(id, tenant));
            }
            await("round " + round + " handled", () -> sqs.getQueueAttributes(g -> g.queueUrl(queueUrl)
                    .attributeNamesWithStrings("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"))
                    .attributesAsStrings().values().stream().allMatch("0"::equals));
        }
        await("the interrupted job marked again", () -> usageRecorded(afterAdd));
        await("pending cleared", () -> pending(tenant).isEmpty());
        Thread.sleep(1000); // let the remaining duplicate deliveries pass through the worker too

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
        assertEquals(YearMonth.now(ZoneOffset.UTC).toString(), usage.path("month").asText());
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
        assertEquals(0, ApiClient.json(api.get("/v1/usage")).path("jobs").path("succeeded").asLong(),
                "another tenant sees only its own usage");
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
        assertEquals(cached.path("id"), ApiClient.json(client.get("/v1/jobs/" + cached.path("id").asText())).path("id"));
        await("the cached job's webhook", () -> WEBHOOKS.stream()
                .anyMatch(w -> w.path("data").path("id").equals(cached.path("id"))
                        && w.path("type").asText().equals("job.succeeded")));

        // Without cache: true the same prompt runs again; so does another tenant's, whatever it asks.
        HttpResponse<String> uncached = client.postJson("/v1/jobs", body.replace("\"cache\": true", "\"cache\": false"));
        assertEquals("queued", ApiClient.json(uncached).path("status").asText());
        HttpResponse<String> stranger = api.withKey(stack.createTenant("stranger")).postJson("/v1/jobs", body);
        assertEquals("queued", ApiClient.json(stranger).path("status").asText(), "never shared across tenants");
        client.awaitTerminal(ApiClient.json(uncached).path("id").asText(), Duration.ofSeconds(60));

        await("usage settled", () -> pending(tenant).isEmpty()
                && ApiClient.json(client.get("/v1/usage")).path("jobs").path("succeeded").asLong() == 2);
        JsonNode usage = ApiClient.json(client.get("/v1/usage"));
        assertEquals(2, usage.path("jobs").path("submitted").asLong(), "the cached job is not counted: " + usage);
        assertEquals(first.path("usage").path("inputTokens").asLong() * 2, usage.path("inputTokens").asLong());
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
