package dev.bedrockjobs.local.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.local.emulators.RepoRoot;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bulk lane shares its workers between batches: a small batch submitted behind a large one of another tenant
 * finishes long before it, and an interactive job submitted meanwhile does not wait for either. Two bulk workers of
 * one message each and a 200 ms model make the large batch last about 30 s alone.
 */
class FairShareEndToEndTest {
    @TempDir
    Path data;

    private static String batchOf(int n, String prefix) {
        ObjectNode body = ApiClient.JSON.createObjectNode();
        body.putObject("defaults").put("model", "fast").put("maxTokens", 32);
        ArrayNode items = body.putArray("items");
        for (int i = 0; i < n; i++) {
            items.addObject().put("prompt", prefix + i);
        }
        return body.toString();
    }

    private static JsonNode batchView(ApiClient client, String id) {
        return ApiClient.json(client.get("/v1/batches/" + id + "?limit=1"));
    }

    @Test
    void aSmallBatchBehindAnotherTenantsLargeOneFinishesFirstAndAnInteractiveJobWaitsForNeither() throws Exception {
        try (LocalStack stack = LocalStack.start(LocalOptions.builder(RepoRoot.require())
                .port(0)
                .dataDirectory(data)
                .modelLatencyMillis(200)
                .parameter("BulkWorkerMaxConcurrency", "2")
                .parameter("WorkerBatchSize", "1")
                .build())) {
            ApiClient a = new ApiClient(stack.apiUrl(), stack.devApiKey());
            ApiClient b = new ApiClient(stack.apiUrl(), stack.createTenant("fair-b"));
            HttpResponse<String> large = a.postJson("/v1/batches", batchOf(300, "large "));
            assertEquals(202, large.statusCode(), large.body());
            String largeId = ApiClient.json(large).path("id").asText();
            Thread.sleep(1000);

            // while it drains, a queued item knows its place and when it should be done, and so does the batch
            String last = ApiClient.json(a.get("/v1/batches/" + largeId + "?limit=1000"))
                    .path("jobs")
                    .path(299)
                    .path("id")
                    .asText();
            JsonNode queued;
            JsonNode batchEta;
            Instant measured = Instant.now().plusSeconds(8); // a pace needs a few seconds of finishes
            do {
                Thread.sleep(100);
                queued = ApiClient.json(a.get("/v1/jobs/" + last)).path("queue");
                batchEta = batchView(a, largeId).path("etaSeconds");
            } while ((queued.path("etaSeconds").isNull() || batchEta.isNull())
                    && Instant.now().isBefore(measured));
            assertTrue(queued.path("position").asLong() > 100, queued.toString());
            assertTrue(queued.path("etaSeconds").asLong() > 5, queued.toString());
            assertTrue(batchEta.asLong() > 5, batchEta.toString());

            Instant submitted = Instant.now();
            String smallId = ApiClient.json(b.postJson("/v1/batches", batchOf(10, "small ")))
                    .path("id")
                    .asText();
            String job = ApiClient.json(a.postJson("/v1/jobs", "{\"prompt\": \"now\"}"))
                    .path("id")
                    .asText();
            JsonNode small;
            do {
                Thread.sleep(100);
                small = batchView(b, smallId);
            } while (!small.path("done").asBoolean() && Instant.now().isBefore(submitted.plusSeconds(60)));
            Duration smallTook = Duration.between(submitted, Instant.now());
            JsonNode largeNow = batchView(a, largeId);

            assertEquals(10, small.path("counts").path("succeeded").asInt(), small.toString());
            // alone, 10 items on 2 workers take about 1 s; in arrival order they would wait for the 200-odd before
            assertTrue(smallTook.toSeconds() < 8, "the small batch took " + smallTook);
            assertTrue(
                    !largeNow.path("done").asBoolean()
                            && largeNow.path("counts").path("queued").asInt() > 50,
                    "the large batch is still far from done: " + largeNow.path("counts"));
            JsonNode interactive = ApiClient.json(a.get("/v1/jobs/" + job));
            assertEquals("succeeded", interactive.path("status").asText(), interactive.toString());
        }
    }
}
