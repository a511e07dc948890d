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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batches end to end over real HTTP: a thousand items through the whole local stack, counted exactly, in order. */
class BatchesEndToEndTest {
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

    private static String batchOf(int n, String promptPrefix) {
        ObjectNode body = ApiClient.JSON.createObjectNode();
        body.putObject("defaults").put("model", "fast").put("maxTokens", 64);
        ArrayNode items = body.putArray("items");
        for (int i = 0; i < n; i++) {
            items.addObject()
                    .put("customId", String.format("src/File%04d.java", i))
                    .put("prompt", promptPrefix + i);
        }
        return body.toString();
    }

    private static JsonNode awaitDone(String batchId, Duration limit) throws InterruptedException {
        Instant end = Instant.now().plus(limit);
        JsonNode view;
        do {
            view = ApiClient.json(api.get("/v1/batches/" + batchId + "?limit=1"));
            if (view.path("done").asBoolean()) {
                return view;
            }
            Thread.sleep(200);
        } while (Instant.now().isBefore(end));
        return view;
    }

    @Test
    void aThousandItemBatchCompletesWithExactCountsAndResultsInItemOrder() throws Exception {
        HttpResponse<String> accepted = api.postJson("/v1/batches", batchOf(1000, "Review the change to file "));
        assertEquals(202, accepted.statusCode(), accepted.body());
        String id = ApiClient.json(accepted).path("id").asText();

        JsonNode done = awaitDone(id, Duration.ofMinutes(2));
        assertEquals("completed", done.path("status").asText(), done.toString());
        JsonNode counts = done.path("counts");
        assertEquals(1000, counts.path("total").asInt());
        assertEquals(1000, counts.path("succeeded").asInt(), counts.toString());
        assertEquals(
                0,
                counts.path("queued").asInt()
                        + counts.path("running").asInt()
                        + counts.path("failed").asInt());

        HttpResponse<String> results = api.get("/v1/batches/" + id + "/results");
        assertEquals(200, results.statusCode());
        String[] lines = results.body().split("\n");
        assertEquals(1000, lines.length);
        long inputTokens = 0;
        for (int i = 0; i < lines.length; i++) {
            JsonNode line = ApiClient.JSON.readTree(lines[i]);
            assertEquals(
                    String.format("src/File%04d.java", i), line.path("customId").asText(), "item order");
            assertEquals("succeeded", line.path("status").asText());
            inputTokens += line.path("usage").path("inputTokens").asLong();
        }
        assertEquals(inputTokens, done.path("usage").path("inputTokens").asLong(), "the batch sums each job once");
    }

    @Test
    void oneBadItemRejectsTheWholeBatchAndEnqueuesNothing() throws Exception {
        int before = ApiClient.json(api.get("/v1/jobs?limit=100")).path("items").size();
        String body = batchOf(3, "fine ").replace("\"fine 1\"", "\"\"");
        HttpResponse<String> refused = api.postJson("/v1/batches", body);
        assertEquals(400, refused.statusCode(), refused.body());
        assertEquals(
                "items[1].prompt",
                ApiClient.json(refused).path("errors").get(0).path("field").asText());
        assertEquals(
                before,
                ApiClient.json(api.get("/v1/jobs?limit=100")).path("items").size());
    }

    @Test
    void cancelMidwayKeepsWhatFinishedAndStopsTheRest(@TempDir Path slowData) throws Exception {
        // A slow model and two workers of one message each: a few items finish, the rest wait in the queue.
        try (LocalStack slow = LocalStack.start(LocalOptions.builder(RepoRoot.require())
                .port(0)
                .dataDirectory(slowData)
                .modelLatencyMillis(400)
                .parameter("WorkerMaxConcurrency", "2")
                .parameter("WorkerBatchSize", "1")
                .build())) {
            ApiClient client = new ApiClient(slow.apiUrl(), slow.devApiKey());
            String id = ApiClient.json(client.postJson("/v1/batches", batchOf(60, "slow ")))
                    .path("id")
                    .asText();
            Instant end = Instant.now().plusSeconds(60);
            while (ApiClient.json(client.get("/v1/batches/" + id))
                                    .path("counts")
                                    .path("succeeded")
                                    .asInt()
                            < 3
                    && Instant.now().isBefore(end)) {
                Thread.sleep(50);
            }
            HttpResponse<String> canceled = client.delete("/v1/batches/" + id);
            assertEquals(202, canceled.statusCode(), canceled.body());
            JsonNode view = ApiClient.json(canceled);
            assertEquals("canceled", view.path("status").asText());
            int succeeded = view.path("counts").path("succeeded").asInt();
            assertTrue(succeeded >= 3 && succeeded < 60, view.toString());

            // The running ones end canceled when their calls return; nothing is left queued or running.
            JsonNode settled;
            Instant settle = Instant.now().plusSeconds(30);
            do {
                Thread.sleep(100);
                settled = ApiClient.json(client.get("/v1/batches/" + id));
            } while (!settled.path("done").asBoolean() && Instant.now().isBefore(settle));
            JsonNode counts = settled.path("counts");
            assertTrue(settled.path("done").asBoolean(), settled.toString());
            assertEquals(
                    60,
                    counts.path("succeeded").asInt() + counts.path("canceled").asInt(),
                    counts.toString());
            assertTrue(counts.path("canceled").asInt() > 0, counts.toString());
            assertEquals("canceled", settled.path("status").asText());
            List<String> statuses = new ArrayList<>();
            for (String line :
                    client.get("/v1/batches/" + id + "/results").body().split("\n")) {
                statuses.add(ApiClient.JSON.readTree(line).path("status").asText());
            }
            assertEquals(60, statuses.size());
            assertEquals(
                    counts.path("succeeded").asInt(),
                    statuses.stream().filter("succeeded"::equals).count());
        }
    }
}
