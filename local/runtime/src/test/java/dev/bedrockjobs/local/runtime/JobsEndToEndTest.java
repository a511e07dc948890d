package dev.bedrockjobs.local.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.local.emulators.RepoRoot;
import dev.bedrockjobs.local.emulators.template.SamTemplate;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The API end to end over real HTTP, against one local stack started from template.yaml (real handlers, dynalite,
 * ElasticMQ, the Step Functions engine and the Bedrock simulator at zero latency).
 */
class JobsEndToEndTest {
    private static final Duration FINISH = Duration.ofSeconds(60);

    @TempDir
    static Path data;

    private static LocalStack stack;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        stack = LocalStack.start(LocalOptions.builder(RepoRoot.require())
                .port(0)
                .dataDirectory(data)
                .build());
        api = new ApiClient(stack.apiUrl(), stack.devApiKey());
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aSubmittedJobSucceedsWithTokensAndCost() {
        HttpResponse<String> accepted = api.postJson(
                "/v1/jobs", "{\"prompt\": \"Review: for (int i = 0; i <= n; i++) sum += a[i];\", \"model\": \"fast\"}");
        assertEquals(202, accepted.statusCode(), accepted.body());
        JsonNode queued = ApiClient.json(accepted);
        String id = queued.path("id").asText();
        assertEquals("/v1/jobs/" + id, accepted.headers().firstValue("location").orElseThrow());
        assertTrue(accepted.headers().firstValue("retry-after").isPresent());
        assertTrue(accepted.headers().firstValue("apigw-requestid").isPresent());

        JsonNode done = api.awaitTerminal(id, FINISH);
        assertEquals("succeeded", done.path("status").asText(), done.toString());
        assertFalse(done.path("result").path("text").asText().isBlank());
        assertTrue(done.path("usage").path("inputTokens").asLong() > 0, done.toString());
        assertTrue(done.path("usage").path("outputTokens").asLong() > 0, done.toString());
        assertTrue(done.path("cost").path("usd").asDouble() > 0, done.toString());
        assertEquals(1, done.path("attempts").asInt());
    }

    @Test
    void theLongPollAnswersOnceTheJobHasSucceeded() {
        String id = api.submit("Review: int x = y / 0;").path("id").asText();
        HttpResponse<String> r = api.get("/v1/jobs/" + id + "?wait=20");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("succeeded", ApiClient.json(r).path("status").asText(), r.body());
    }

    @Test
    void aTenantListsItsJobsNewestFirstPageByPage() {
        ApiClient tenant = api.withKey(stack.createTenant("lister-" + UUID.randomUUID()));
        List<String> submitted = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            submitted.add(tenant.submit("Review item " + i).path("id").asText());
        }
        List<String> listed = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            HttpResponse<String> r = tenant.get("/v1/jobs?limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
            assertEquals(200, r.statusCode(), r.body());
            JsonNode page = ApiClient.json(r);
            assertTrue(page.path("items").size() <= 2, r.body());
            page.path("items").forEach(j -> listed.add(j.path("id").asText()));
            cursor = page.path("nextCursor").isNull()
                    ? null
                    : page.path("nextCursor").asText();
            pages++;
        } while (cursor != null && pages < 10);
        List<String> newestFirst = new ArrayList<>(submitted);
        java.util.Collections.reverse(newestFirst);
        assertEquals(newestFirst, listed);
        assertEquals(3, pages);
    }

    private static String cursorOf(String json) {
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aForgedCursorIsA400NamingTheCursorOnEveryListing() {
        String name = "forger-" + UUID.randomUUID();
        ApiClient tenant = api.withKey(stack.createTenant(name));
        HttpResponse<String> batch = tenant.postJson(
                "/v1/batches",
                "{\"items\": [{\"prompt\": \"a\"}, {\"prompt\": \"b\"}], \"defaults\": {\"model\": \"fast\"}}");
        assertEquals(202, batch.statusCode(), batch.body());
        String batchId = ApiClient.json(batch).path("id").asText();
        String jobId = "job_01JBX0000000000000000000AA";
        List<String> forged = List.of(
                cursorOf("{\"pk\":\"\",\"sk\":\"\",\"gsi1pk\":\"TENANT#" + name + "\",\"gsi1sk\":\"\"}"),
                cursorOf("{\"pk\":\"\",\"sk\":\"\",\"gsi2pk\":\"BATCH#" + batchId + "\",\"gsi2sk\":\"\"}"),
                cursorOf("{\"pk\":\"JOB#x\",\"sk\":\"JOB\",\"gsi1pk\":\"TENANT#" + name
                        + "\",\"gsi1sk\":\"2026-01-01T00:00:00Z#x\"}"),
                cursorOf("{\"pk\":\"JOB#" + jobId + "\",\"sk\":\"JOB\",\"gsi1pk\":\"TENANT#" + name
                        + "\",\"gsi1sk\":\"yesterday#" + jobId + "\"}"),
                cursorOf("{\"pk\":\"JOB#" + jobId + "\",\"sk\":\"JOB\",\"gsi2pk\":\"BATCH#" + batchId
                        + "\",\"gsi2sk\":\"-1\"}"),
                cursorOf("[]"),
                "bm90IGpzb24",
                "%E2%9C%93");
        List<String> listings = List.of(
                "/v1/jobs?cursor=",
                "/v1/jobs?batchId=" + batchId + "&cursor=",
                "/v1/batches/" + batchId + "?cursor=",
                "/v1/batches/" + batchId + "/results?cursor=");
        for (String listing : listings) {
            for (String cursor : forged) {
                HttpResponse<String> r = tenant.get(listing + cursor);
                assertEquals(400, r.statusCode(), listing + cursor + ": " + r.body());
                JsonNode problem = ApiClient.json(r);
                assertEquals("validation_failed", problem.path("code").asText(), r.body());
                assertEquals(
                        "cursor", problem.path("errors").get(0).path("field").asText(), r.body());
            }
        }
        // a well-formed key of the caller's own listing reads on from there, as a real cursor does
        String shaped = cursorOf("{\"pk\":\"JOB#" + jobId + "\",\"sk\":\"JOB\",\"gsi1pk\":\"TENANT#" + name
                + "\",\"gsi1sk\":\"2026-01-01T00:00:00Z#" + jobId + "\"}");
        assertEquals(200, tenant.get("/v1/jobs?cursor=" + shaped).statusCode());
    }

    @Test
    void anIdempotentResubmitReturnsTheSameJobAndADifferentBodyConflicts() {
        String key = "idem-" + UUID.randomUUID();
        String body = "{\"prompt\": \"Review: idempotent\", \"model\": \"fast\"}";
        HttpResponse<String> first = api.postJson("/v1/jobs", body, "Idempotency-Key", key);
        assertEquals(202, first.statusCode(), first.body());
        HttpResponse<String> again = api.postJson("/v1/jobs", body, "Idempotency-Key", key);
        assertEquals(200, again.statusCode(), again.body());
        assertEquals(ApiClient.json(first).path("id"), ApiClient.json(again).path("id"));

        HttpResponse<String> other =
                api.postJson("/v1/jobs", "{\"prompt\": \"Review: something else\"}", "Idempotency-Key", key);
        assertEquals(409, other.statusCode(), other.body());
        assertEquals(
                "idempotency_key_reused", ApiClient.json(other).path("code").asText());
    }

    @Test
    void requestsWithoutAValidKeyAre401Problems() {
        for (ApiClient caller :
                List.of(api.withKey(null), api.withKey("bjk_unknownunknownunknownunknown"), api.withKey("not-a-key"))) {
            HttpResponse<String> r = caller.postJson("/v1/jobs", "{\"prompt\": \"x\"}");
            assertEquals(401, r.statusCode(), r.body());
            assertEquals(
                    "application/problem+json",
                    r.headers().firstValue("content-type").orElseThrow());
            assertEquals("unauthorized", ApiClient.json(r).path("code").asText());
            assertEquals(401, caller.get("/v1/jobs").statusCode());
        }
    }

    @Test
    void anotherTenantsJobIsNotFoundAndNotListed() {
        String mine = api.submit("Review: tenant isolation").path("id").asText();
        ApiClient other = api.withKey(stack.createTenant("other-" + UUID.randomUUID()));

        HttpResponse<String> get = other.get("/v1/jobs/" + mine);
        assertEquals(404, get.statusCode(), get.body());
        assertEquals("not_found", ApiClient.json(get).path("code").asText());
        assertEquals(404, other.delete("/v1/jobs/" + mine).statusCode());
        Set<String> listed = new HashSet<>();
        ApiClient.json(other.get("/v1/jobs?limit=100"))
                .path("items")
                .forEach(j -> listed.add(j.path("id").asText()));
        assertFalse(listed.contains(mine));
        assertEquals(200, api.get("/v1/jobs/" + mine).statusCode(), "the owner still sees it");
    }

    @Test
    void unknownRoutesAndMethodsAre404Problems() {
        for (HttpResponse<String> r : List.of(
                api.get("/v2/jobs"),
                api.get("/v1/jobs/a/b/c"),
                api.send(api.request("/v1/jobs").PUT(HttpRequest.BodyPublishers.ofString("{}"))))) {
            assertEquals(404, r.statusCode(), r.body());
            assertEquals(
                    "application/problem+json",
                    r.headers().firstValue("content-type").orElseThrow());
            assertEquals("not_found", ApiClient.json(r).path("code").asText());
        }
    }

    @Test
    void aBodyOverTheTenMegabyteLimitIs413() {
        byte[] big = new byte[HttpFront.MAX_PAYLOAD_BYTES + 1];
        java.util.Arrays.fill(big, (byte) 'a');
        HttpResponse<String> r = api.send(api.request("/v1/jobs")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(big)));
        assertEquals(413, r.statusCode(), r.body());
        assertEquals("payload_too_large", ApiClient.json(r).path("code").asText());
    }

    @Test
    void aChunkedBodyOverTheLimitIsCutAt413() throws IOException {
        // No Content-Length: the limit is found while reading.
        try (Socket socket = new Socket(stack.apiUrl().getHost(), stack.apiUrl().getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + stack.devApiKey()
                            + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[1 << 20];
            java.util.Arrays.fill(chunk, (byte) 'a');
            for (int i = 0; i < 11; i++) {
                out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(chunk);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 413", status);
        }
    }

    @Test
    void healthIsPublicAndEndpointsAreWrittenForTools() throws IOException {
        HttpResponse<String> r = api.withKey(null).get("/healthz");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("ok", ApiClient.json(r).path("status").asText());

        JsonNode endpoints = ApiClient.JSON.readTree(Files.readString(data.resolve("endpoints.json")));
        assertEquals(stack.apiUrl().toString(), endpoints.path("api").asText());
        for (String service : List.of("dynamodb", "sqs", "stepfunctions", "bedrock")) {
            assertTrue(endpoints.path(service).asText().startsWith("http://127.0.0.1:"), endpoints.toString());
        }
        assertEquals(
                stack.devApiKey(), Files.readString(data.resolve("dev-api-key")).strip());
        assertTrue(Files.readString(data.resolve("dev-webhook-secret")).startsWith("whsec_"));
    }

    @Test
    void theQueuesCarryTheTemplatesAttributesAndRedrive() throws IOException {
        SamTemplate template = SamTemplate.load(RepoRoot.require().resolve("template.yaml"));
        JsonNode endpoints = ApiClient.JSON.readTree(Files.readString(data.resolve("endpoints.json")));
        try (SqsClient sqs = SqsClient.builder()
                .endpointOverride(URI.create(endpoints.path("sqs").asText()))
                .region(Region.US_EAST_1)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x")))
                .build()) {
            for (String queue : template.resourcesOfType("AWS::SQS::Queue")) {
                Map<String, Object> props = template.properties(queue);
                String url = sqs.getQueueUrl(g -> g.queueName(queue)).queueUrl();
                Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(
                                g -> g.queueUrl(url).attributeNames(QueueAttributeName.ALL))
                        .attributes();
                // ElasticMQ accepts MessageRetentionPeriod but does not keep it (nor enforce it)
                for (String name : List.of("VisibilityTimeout", "DelaySeconds")) {
                    if (props.containsKey(name)) {
                        assertEquals(
                                String.valueOf(props.get(name)),
                                attributes.get(QueueAttributeName.fromValue(name)),
                                queue + "." + name);
                    }
                }
                if (props.get("RedrivePolicy") instanceof Map<?, ?> redrive) {
                    JsonNode policy = ApiClient.JSON.readTree(attributes.get(QueueAttributeName.REDRIVE_POLICY));
                    assertEquals(
                            String.valueOf(redrive.get("maxReceiveCount")),
                            policy.path("maxReceiveCount").asText(),
                            queue);
                    // the dead-letter queue's logical id, which is its name locally
                    String target = template.resolveString(
                            redrive.get("deadLetterTargetArn"),
                            ref -> ref,
                            attribute -> attribute.substring(0, attribute.indexOf('.')));
                    assertTrue(policy.path("deadLetterTargetArn").asText().endsWith(":" + target), policy.toString());
                }
            }
        }
    }

    @Test
    void invalidInputIsA400ProblemThatChangesNothing() {
        HttpResponse<String> r = api.postJson("/v1/jobs", "{\"prompt\": \"\", \"colour\": \"blue\"}");
        assertEquals(400, r.statusCode(), r.body());
        assertEquals("validation_failed", ApiClient.json(r).path("code").asText());
        assertNotEquals(0, ApiClient.json(r).path("errors").size());
    }
}
