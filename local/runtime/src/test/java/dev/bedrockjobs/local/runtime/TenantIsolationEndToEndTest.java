package dev.bedrockjobs.local.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.local.emulators.RepoRoot;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two tenants on one local stack. Tenant B, given tenant A's ids, gets on every route exactly what it gets for ids
 * that do not exist (same status, same headers that matter, same body but for the id it named), and A's jobs are
 * untouched by anything B tries. Idempotency keys are per tenant: B reusing A's key makes B a new job. Event sources
 * are off, so A's jobs stay queued: the state in which a cancel that ignored the tenant would do the most harm.
 */
class TenantIsolationEndToEndTest {
    @TempDir
    static Path data;

    private static LocalStack stack;
    private static ApiClient a;
    private static ApiClient b;

    @BeforeAll
    static void start() {
        stack = LocalStack.start(LocalOptions.builder(RepoRoot.require())
                .port(0)
                .dataDirectory(data)
                .eventSourcesEnabled(false)
                .build());
        a = new ApiClient(stack.apiUrl(), stack.createTenant("iso-a-" + UUID.randomUUID()));
        b = new ApiClient(stack.apiUrl(), stack.createTenant("iso-b-" + UUID.randomUUID()));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    /** A well-formed id that names nothing: the same id with its last character changed. */
    private static String missing(String id) {
        char last = id.charAt(id.length() - 1);
        return id.substring(0, id.length() - 1) + (last == '0' ? '1' : '0');
    }

    private record Answer(int status, String contentType, String body) {}

    private static Answer answer(HttpResponse<String> r, String id) {
        return new Answer(
                r.statusCode(),
                r.headers().firstValue("content-type").orElse(null),
                r.body().replace(id, "{id}"));
    }

    /** B's answer for A's id equals B's answer for a missing id, and is a 404 problem. */
    private static void sameAsMissing(String route, String id, Function<String, HttpResponse<String>> call) {
        Answer foreign = answer(call.apply(id), id);
        String absent = missing(id);
        Answer none = answer(call.apply(absent), absent);
        assertEquals(none, foreign, route);
        assertEquals(404, foreign.status(), route + ": " + foreign.body());
        assertEquals("application/problem+json", foreign.contentType(), route);
    }

    @Test
    void anotherTenantsIdsAnswerExactlyLikeMissingOnesOnEveryRoute() {
        JsonNode job = ApiClient.json(a.postJson(
                "/v1/jobs",
                "{\"prompt\": \"isolation " + UUID.randomUUID()
                        + "\", \"model\": \"fast\", \"webhook\": {\"url\": \"http://127.0.0.1:9/hook\"}}"));
        String jobId = job.path("id").asText();
        HttpResponse<String> batchResponse = a.postJson(
                "/v1/batches",
                "{\"items\": ["
                        + "{\"customId\": \"one\", \"prompt\": \"first " + UUID.randomUUID() + "\"},"
                        + "{\"customId\": \"two\", \"prompt\": \"second " + UUID.randomUUID() + "\"}]}");
        assertEquals(202, batchResponse.statusCode(), batchResponse.body());
        JsonNode batch = ApiClient.json(batchResponse);
        String batchId = batch.path("id").asText();
        String batchJobId = batch.path("jobs").path(0).path("id").asText();
        assertTrue(batchJobId.startsWith("job_"), batch.toString());

        sameAsMissing("GET /v1/jobs/{id}", jobId, id -> b.get("/v1/jobs/" + id));
        sameAsMissing("GET /v1/jobs/{id}?wait=1", jobId, id -> b.get("/v1/jobs/" + id + "?wait=1"));
        sameAsMissing("GET /v1/jobs/{id} (batch item)", batchJobId, id -> b.get("/v1/jobs/" + id));
        sameAsMissing("DELETE /v1/jobs/{id}", jobId, id -> b.delete("/v1/jobs/" + id));
        sameAsMissing("DELETE /v1/jobs/{id} (running batch item)", batchJobId, id -> b.delete("/v1/jobs/" + id));
        sameAsMissing(
                "GET /v1/jobs/{id}/webhook-deliveries", jobId, id -> b.get("/v1/jobs/" + id + "/webhook-deliveries"));
        sameAsMissing(
                "POST /v1/jobs/{id}/webhook-deliveries/replay",
                jobId,
                id -> b.send(b.request("/v1/jobs/" + id + "/webhook-deliveries/replay")
                        .POST(HttpRequest.BodyPublishers.noBody())));
        sameAsMissing("GET /v1/batches/{id}", batchId, id -> b.get("/v1/batches/" + id));
        sameAsMissing("GET /v1/batches/{id}/results", batchId, id -> b.get("/v1/batches/" + id + "/results"));
        sameAsMissing("DELETE /v1/batches/{id}", batchId, id -> b.delete("/v1/batches/" + id));
        sameAsMissing("GET /v1/jobs?batchId=", batchId, id -> b.get("/v1/jobs?batchId=" + id));

        JsonNode listed = ApiClient.json(b.get("/v1/jobs?limit=100"));
        List<String> seen = new ArrayList<>();
        listed.path("items").forEach(j -> seen.add(j.path("id").asText()));
        assertFalse(seen.contains(jobId) || seen.contains(batchJobId), "B lists none of A's jobs: " + seen);

        // Nothing B tried changed A's work.
        assertEquals(
                "queued",
                ApiClient.json(a.get("/v1/jobs/" + jobId)).path("status").asText());
        JsonNode aBatch = ApiClient.json(a.get("/v1/batches/" + batchId));
        assertEquals(2, aBatch.path("counts").path("queued").asInt(), aBatch.toString());
        assertEquals(0, aBatch.path("counts").path("canceled").asInt(), aBatch.toString());
        assertEquals(200, a.get("/v1/jobs/" + jobId + "/webhook-deliveries").statusCode());
        HttpResponse<String> replay = a.send(a.request("/v1/jobs/" + jobId + "/webhook-deliveries/replay")
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals("job_not_terminal", ApiClient.json(replay).path("code").asText(), "A's replay reaches its job");
        assertEquals(202, a.delete("/v1/batches/" + batchId).statusCode(), "A can cancel its own batch");
        assertEquals(202, a.delete("/v1/jobs/" + jobId).statusCode(), "and its own job");
    }

    @Test
    void idempotencyKeysArePerTenant() {
        String key = "shared-" + UUID.randomUUID();
        String body = "{\"prompt\": \"idempotent " + UUID.randomUUID() + "\", \"model\": \"fast\"}";
        HttpResponse<String> first = a.postJson("/v1/jobs", body, "Idempotency-Key", key);
        assertEquals(202, first.statusCode(), first.body());
        String aJob = ApiClient.json(first).path("id").asText();

        HttpResponse<String> sameKeySameBody = b.postJson("/v1/jobs", body, "Idempotency-Key", key);
        assertEquals(202, sameKeySameBody.statusCode(), "a fresh job for B, not A's replay: " + sameKeySameBody.body());
        String bJob = ApiClient.json(sameKeySameBody).path("id").asText();
        assertNotEquals(aJob, bJob);
        assertEquals(200, b.postJson("/v1/jobs", body, "Idempotency-Key", key).statusCode(), "B's own replay");
        assertEquals(
                bJob,
                ApiClient.json(b.postJson("/v1/jobs", body, "Idempotency-Key", key))
                        .path("id")
                        .asText());
        assertEquals(
                aJob,
                ApiClient.json(a.postJson("/v1/jobs", body, "Idempotency-Key", key))
                        .path("id")
                        .asText(),
                "A still gets its own job back");

        String otherKey = "shared-" + UUID.randomUUID();
        assertEquals(
                202, a.postJson("/v1/jobs", body, "Idempotency-Key", otherKey).statusCode());
        HttpResponse<String> differentBody = b.postJson(
                "/v1/jobs", "{\"prompt\": \"something else " + UUID.randomUUID() + "\"}", "Idempotency-Key", otherKey);
        assertEquals(202, differentBody.statusCode(), "A's use of the key is invisible to B: " + differentBody.body());

        String batchKey = "batch-" + UUID.randomUUID();
        String batchBody = "{\"items\": [{\"prompt\": \"b1 " + UUID.randomUUID() + "\"}]}";
        HttpResponse<String> aBatch = a.postJson("/v1/batches", batchBody, "Idempotency-Key", batchKey);
        HttpResponse<String> bBatch = b.postJson("/v1/batches", batchBody, "Idempotency-Key", batchKey);
        assertEquals(202, aBatch.statusCode(), aBatch.body());
        assertEquals(202, bBatch.statusCode(), bBatch.body());
        assertNotEquals(
                ApiClient.json(aBatch).path("id").asText(),
                ApiClient.json(bBatch).path("id").asText());
    }
}
