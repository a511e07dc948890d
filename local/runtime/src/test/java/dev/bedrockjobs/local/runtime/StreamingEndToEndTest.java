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
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
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

    /** A server-sent event as it arrived: its id, type, data and when it was read. */
    private record Event(String id, String type, JsonNode data, long receivedNanos) {}

    /**
     * Reads events from {@code /events} until {@code done}, or until {@code stopAfterDeltas} deltas have come (then
     * hangs up, as a dropped connection would).
     */
    private static List<Event> events(ApiClient client, String id, String lastEventId, int stopAfterDeltas) {
        HttpResponse<Stream<String>> response = lastEventId == null
                ? client.getLines("/v1/jobs/" + id + "/events")
                : client.getLines("/v1/jobs/" + id + "/events", "Last-Event-ID", lastEventId);
        assertEquals(200, response.statusCode());
        assertEquals(
                "text/event-stream; charset=utf-8",
                response.headers().firstValue("content-type").orElse(""));
        List<Event> events = new ArrayList<>();
        try (Stream<String> lines = response.body()) {
            Iterator<String> it = lines.iterator();
            String eventId = null;
            String type = null;
            String data = null;
            while (it.hasNext()) {
                String line = it.next();
                if (line.startsWith("id: ")) {
                    eventId = line.substring(4);
                } else if (line.startsWith("event: ")) {
                    type = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data = line.substring(6);
                } else if (line.isEmpty() && type != null) {
                    events.add(new Event(eventId, type, ApiClient.parse(data), System.nanoTime()));
                    long deltas = events.stream()
                            .filter(e -> e.type().equals("delta"))
                            .count();
                    if (type.equals("done") || deltas == stopAfterDeltas) {
                        return events;
                    }
                    eventId = type = data = null;
                }
            }
        }
        throw new AssertionError("the event stream of " + id + " ended without done: " + events);
    }

    private static String deltaText(List<Event> events) {
        StringBuilder sb = new StringBuilder();
        events.stream()
                .filter(e -> e.type().equals("delta"))
                .forEach(e -> sb.append(e.data().path("text").asText()));
        return sb.toString();
    }

    @Test
    void anAnswerFollowedAsServerSentEventsArrivesPieceByPieceAndEndsWithItsOutcome() {
        String id = submitStreamed("Review this method: int f(int x) { return x / 0; }");
        List<Event> events = events(api, id, null, Integer.MAX_VALUE);
        JsonNode job = api.awaitTerminal(id, FINISH);
        assertEquals("succeeded", job.path("status").asText(), job.toString());
        assertEquals(job.path("result").path("text").asText(), deltaText(events), "the deltas make the result");
        List<Event> deltas =
                events.stream().filter(e -> e.type().equals("delta")).toList();
        assertTrue(deltas.size() >= 2, "several pieces: " + events);
        Event done = events.get(events.size() - 1);
        assertEquals("done", done.type());
        assertTrue(
                done.receivedNanos() - deltas.get(0).receivedNanos()
                        > Duration.ofMillis(200).toNanos(),
                "the first text came well before the end: it was sent as it was written");
        assertEquals("succeeded", done.data().path("status").asText());
        assertEquals(job.path("usage"), done.data().path("usage"));
        long offset = 0;
        for (Event delta : deltas) {
            assertEquals(offset, delta.data().path("offset").asLong(), "each delta starts where the last ended");
            offset = Long.parseLong(delta.id());
        }
    }

    @Test
    void aDroppedEventStreamResumesFromLastEventIdWithNothingLostOrRepeated() {
        String id = submitStreamed("Write a careful review of this loop: while (i < n) { i += step; }");
        List<Event> before = events(api, id, null, 2);
        String lastId = before.get(before.size() - 1).id();
        List<Event> after = events(api, id, lastId, Integer.MAX_VALUE);
        JsonNode job = api.awaitTerminal(id, FINISH);
        assertEquals(job.path("result").path("text").asText(), deltaText(before) + deltaText(after));
        assertEquals(Long.parseLong(lastId), after.get(0).data().path("offset").asLong());

        HttpResponse<String> afterDone = api.send(api.request("/v1/jobs/" + id + "/events")
                .header("Last-Event-ID", "done")
                .GET());
        assertEquals(204, afterDone.statusCode(), "after done there is nothing more: EventSource stops");
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
        HttpResponse<String> noEvents = other.get("/v1/jobs/" + id + "/events");
        assertEquals(404, noEvents.statusCode());
        assertEquals("not_found", ApiClient.json(noEvents).path("code").asText());
        api.awaitTerminal(id, FINISH);
    }
}
