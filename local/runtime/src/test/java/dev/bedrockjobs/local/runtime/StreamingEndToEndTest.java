package dev.bedrockjobs.local.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.local.emulators.RepoRoot;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streamed jobs through the whole local stack: the worker, the state machine's streaming task (the stream function,
 * invoked as Step Functions invokes it, under the same Retry and Catch), the Bedrock simulator's event stream at a
 * pace a reader can follow, and the output route.
 */
class StreamingEndToEndTest {
    private static final Duration FINISH = Duration.ofSeconds(90);

    @TempDir
    static Path data;

    private static LocalStack stack;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        stack = LocalStack.start(LocalOptions.builder(RepoRoot.require())
                .port(0)
                .dataDirectory(data)
                .modelTokensPerSecond(25)
                .build());
        api = new ApiClient(stack.apiUrl(), stack.createTenant("stream-" + UUID.randomUUID()));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private static String submitStreamed(String prompt) {
        HttpResponse<String> accepted = api.postJson(
                "/v1/jobs", "{\"prompt\": " + ApiClient.quote(prompt) + ", \"model\": \"fast\", \"stream\": true}");
        assertEquals(202, accepted.statusCode(), accepted.body());
        assertTrue(ApiClient.json(accepted).path("stream").asBoolean());
        return ApiClient.json(accepted).path("id").asText();
    }

    /** Follows the output from offset 0 to done, as a client would; each text read is one element. */
    private static List<JsonNode> follow(ApiClient client, String id) {
        List<JsonNode> reads = new ArrayList<>();
        long offset = 0;
        long end = System.nanoTime() + FINISH.toNanos();
        while (System.nanoTime() < end) {
            JsonNode read = ApiClient.json(client.get("/v1/jobs/" + id + "/output?offset=" + offset + "&wait=10"));
            reads.add(read);
            offset = read.path("nextOffset").asLong();
            if (read.path("done").asBoolean()) {
                return reads;
            }
        }
        throw new AssertionError("the output of " + id + " was not done in time: " + reads);
    }

    private static String text(List<JsonNode> reads) {
        StringBuilder sb = new StringBuilder();
        reads.forEach(r -> sb.append(r.path("text").asText()));
        return sb.toString();
    }

    @Test
    void aStreamedAnswerIsReadWhileItIsWrittenAndEndsAsTheSameResult() {
        String id = submitStreamed("Review this diff: + int total = price * qty;");
        List<JsonNode> reads = follow(api, id);
        JsonNode done = api.awaitTerminal(id, FINISH);
        assertEquals("succeeded", done.path("status").asText(), done.toString());
        assertEquals(done.path("result").path("text").asText(), text(reads), "the followed text is the result");
        assertTrue(
                reads.stream()
                                .filter(r -> !r.path("text").asText().isEmpty()
                                        && !r.path("done").asBoolean())
                                .count()
                        >= 2,
                "pieces were read while the job ran: " + reads);
        assertTrue(done.path("usage").path("outputTokens").asLong() > 0);
        assertTrue(done.path("cost").path("usd").asDouble() > 0);
        assertEquals(1, done.path("attempts").asInt());
    }

    @Test
    void aCallThrottledBeforeItsFirstPieceIsRetriedAndTheAnswerIsWhole() {
        String id = submitStreamed("Explain [[throttle:1]] this loop: for (;;) {}");
        JsonNode done = api.awaitTerminal(id, FINISH);
        assertEquals("succeeded", done.path("status").asText(), done.toString());
        assertEquals(2, done.path("attempts").asInt(), "one throttled attempt, then the stream");
        assertEquals(done.path("result").path("text").asText(), text(follow(api, id)));
    }

    @Test
    void aStreamThatBreaksOffMidAnswerFailsWithoutRetryKeepingItsPartAndItsUsageCountedOnce() {
        JsonNode before = ApiClient.json(api.get("/v1/usage"));
        String id = submitStreamed("Explain [[midstream:5:modelstream:always]] this: x = x++;");
        JsonNode done = api.awaitTerminal(id, FINISH);
        assertEquals("failed", done.path("status").asText(), done.toString());
        assertEquals("stream_interrupted", done.path("error").path("code").asText(), done.toString());
        assertEquals(1, done.path("attempts").asInt(), "never retried once text was stored");
        String partial = text(follow(api, id));
        assertFalse(partial.isEmpty(), "the part written is kept");
        long outputTokens = done.path("usage").path("outputTokens").asLong();
        assertTrue(outputTokens > 0, done.toString());

        JsonNode after = ApiClient.json(api.get("/v1/usage"));
        assertEquals(
                before.path("outputTokens").asLong() + outputTokens,
                after.path("outputTokens").asLong(),
                "the tokens the broken stream used are counted, once");
        assertEquals(
                before.path("jobs").path("failed").asLong() + 1,
                after.path("jobs").path("failed").asLong());
    }

    @Test
    void aCancelWhileTheAnswerStreamsEndsTheJobCanceledWithItsTextSoFar() throws InterruptedException {
        String id = submitStreamed("Write a long, careful review of a large refactoring, please.");
        long end = System.nanoTime() + FINISH.toNanos();
        JsonNode first = null;
        while (System.nanoTime() < end) {
            first = ApiClient.json(api.get("/v1/jobs/" + id + "/output?wait=10"));
            if (!first.path("text").asText().isEmpty()) {
                break;
            }
        }
        assertFalse(first.path("done").asBoolean(), "the answer is still being written: " + first);
        assertEquals(202, api.delete("/v1/jobs/" + id).statusCode());
        JsonNode done = api.awaitTerminal(id, FINISH);
        assertEquals("canceled", done.path("status").asText(), done.toString());
        String kept = text(follow(api, id));
        assertTrue(kept.startsWith(first.path("text").asText()), kept);
    }

    @Test
    void anotherTenantCannotReadAStreamedAnswer() {
        String id = submitStreamed("Review: a == b");
        ApiClient other = new ApiClient(stack.apiUrl(), stack.createTenant("stream-other-" + UUID.randomUUID()));
        HttpResponse<String> refused = other.get("/v1/jobs/" + id + "/output?wait=2");
        assertEquals(404, refused.statusCode());
        assertEquals("not_found", ApiClient.json(refused).path("code").asText());
        api.awaitTerminal(id, FINISH);
    }
}
