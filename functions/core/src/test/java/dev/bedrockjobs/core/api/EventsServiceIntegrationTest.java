package dev.bedrockjobs.core.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.core.adapter.DynamoJobOutput;
import dev.bedrockjobs.core.adapter.DynamoJobStore;
import dev.bedrockjobs.core.adapter.DynamoLimitCounters;
import dev.bedrockjobs.core.domain.Ids;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.domain.OutputChunk;
import dev.bedrockjobs.local.emulators.fixture.MovableClock;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** GET /v1/jobs/{id}/events against dynalite: the same events through API Gateway's buffered responses and a stream. */
class EventsServiceIntegrationTest {
    private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");
    private static final String TENANT = "tenant-a";

    private final MovableClock clock = new MovableClock(T0);
    private final List<Duration> sleeps = new ArrayList<>();
    /** What happens once the clock has passed a time: a piece stored, the job finished. */
    private final Map<Instant, Runnable> scheduled = new TreeMap<>();

    private DynamoJobStore store;
    private DynamoJobOutput output;
    private DynamoLimitCounters counters;
    private EventsService service;

    @BeforeEach
    void services() {
        String table = SharedEmulators.newJobsTable("events-service");
        store = new DynamoJobStore(SharedEmulators.dynamoClient(), table, Duration.ofDays(1));
        output = new DynamoJobOutput(SharedEmulators.dynamoClient(), table, Duration.ofDays(1), clock);
        counters = new DynamoLimitCounters(SharedEmulators.dynamoClient(), table);
        LongPolls.Sleeper sleeper = d -> {
            sleeps.add(d);
            clock.advance(d);
            var due = scheduled.entrySet().iterator();
            while (due.hasNext()) {
                var next = due.next();
                if (next.getKey().isAfter(clock.instant())) {
                    break;
                }
                due.remove();
                next.getValue().run();
            }
        };
        LongPolls longPolls = new LongPolls(counters, 2, clock, sleeper);
        service = new EventsService(new OutputService(store, output, longPolls), longPolls);
    }

    private void at(Duration afterStart, Runnable action) {
        scheduled.put(T0.plus(afterStart), action);
    }

    private String runningJob() {
        String id = Ids.newJobId(T0);
        assertTrue(store.create(Job.builder()
                .id(id)
                .tenantId(TENANT)
                .request(r -> r.tier("fast").modelId("m").prompt("p").maxTokens(100).stream(true))
                .progress(p -> p.createdAt(T0).status(JobStatus.QUEUED))
                .build()));
        assertTrue(store.claim(id, "w", T0, T0.plusSeconds(60)).isPresent());
        return id;
    }

    private void succeed(String id, String text) {
        store.finish(store.get(id).orElseThrow().toBuilder()
                .progress(p -> p.status(JobStatus.SUCCEEDED)
                        .finishedAt(clock.instant())
                        .result(new Job.Result(text, "end_turn")))
                .accounting(a -> a.usage(new Job.Usage(12, 7)).costUsd(new BigDecimal("0.0001")))
                .build());
    }

    private static ApiRequest request(String id, String tenant, String lastEventId, String offset) {
        Map<String, String> headers = new HashMap<>();
        if (lastEventId != null) {
            headers.put("last-event-id", lastEventId);
        }
        Map<String, String> query = offset == null ? Map.of() : Map.of("offset", offset);
        return new ApiRequest("GET /v1/jobs/{id}/events", Map.of("id", id), query, headers, null, tenant, "req");
    }

    private ApiResponse get(String id, String lastEventId) {
        return ProblemMapping.serve(request(id, TENANT, lastEventId, null), service::get);
    }

    /** One server-sent event as a client reads it. */
    private record Event(String id, String type, JsonNode data) {}

    private static List<Event> events(String body) {
        List<Event> events = new ArrayList<>();
        for (String block : body.split("\n\n")) {
            String id = null;
            String type = null;
            JsonNode data = null;
            for (String line : block.split("\n")) {
                if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("event: ")) {
                    type = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data = Json.parse(line.substring(6));
                }
            }
            if (type != null) {
                events.add(new Event(id, type, data));
            }
        }
        return events;
    }

    /** What a streaming transport was given. */
    private static final class RecordedStream implements ResponseStream {
        int status;
        Map<String, String> headers;
        final StringBuilder body = new StringBuilder();
        final List<String> parts = new ArrayList<>();
        ApiResponse whole;

        @Override
        public void send(ApiResponse response) {
            whole = response;
        }

        @Override
        public void start(int status, Map<String, String> headers) {
            this.status = status;
            this.headers = headers;
        }

        @Override
        public void write(String part) {
            parts.add(part);
            body.append(part);
        }
    }

    @Test
    void throughApiGatewayAResponseCarriesTheTextSoFarWithTheOffsetAfterItAsItsId() {
        String id = runningJob();
        output.append(id, new OutputChunk(0, "Looks ", "w"));
        output.append(id, new OutputChunk(6, "good.", "w"));
        ApiResponse r = get(id, null);
        assertEquals(200, r.status());
        assertEquals("text/event-stream; charset=utf-8", r.headers().get("content-type"));
        assertTrue(r.body().startsWith("retry: 100\n\n"), "the client comes back at once: " + r.body());
        List<Event> events = events(r.body());
        assertEquals(1, events.size(), r.body());
        assertEquals(new Event("11", "delta", Json.parse("{\"offset\":0,\"text\":\"Looks good.\"}")), events.get(0));
    }

    @Test
    void aReconnectWithLastEventIdResumesAfterItEvenWithTheFirstOffsetStillInTheUrl() {
        String id = runningJob();
        output.append(id, new OutputChunk(0, "Looks ", "w"));
        output.append(id, new OutputChunk(6, "good.", "w"));
        succeed(id, "Looks good.");
        ApiResponse r = ProblemMapping.serve(request(id, TENANT, "6", "0"), service::get);
        List<Event> events = events(r.body());
        assertEquals(2, events.size(), r.body());
        assertEquals(new Event("11", "delta", Json.parse("{\"offset\":6,\"text\":\"good.\"}")), events.get(0));
        Event done = events.get(1);
        assertEquals("done", done.type());
        assertEquals("done", done.id());
        assertEquals("succeeded", done.data().path("status").asText());
        assertEquals(id, done.data().path("jobId").asText());
        assertEquals(7, done.data().path("usage").path("outputTokens").asLong());
        assertEquals(0.0001, done.data().path("cost").path("usd").asDouble());
    }

    @Test
    void aResponseWithoutNewTextIsHeldUntilSomeComes() {
        String id = runningJob();
        output.append(id, new OutputChunk(0, "one ", "w"));
        at(Duration.ofMillis(250), () -> output.append(id, new OutputChunk(4, "two", "w")));
        List<Event> events = events(get(id, "4").body());
        assertEquals(List.of("7"), events.stream().map(Event::id).toList());
        assertEquals(2, sleeps.size(), "held for two reads: " + sleeps);
    }

    @Test
    void aResponseThatFoundNoTextInItsWholeLongPollHasTheClientWaitASecondBeforeItReconnects() {
        String id = runningJob();
        ApiResponse r = get(id, null);
        assertEquals("retry: 1000\n\n", r.body());
        assertEquals(
                Duration.ofSeconds(LongPolls.MAX_WAIT_SECONDS), sleeps.stream().reduce(Duration.ZERO, Duration::plus));
    }

    @Test
    void aReconnectAfterDoneIsToldThereIsNoMoreButAnotherTenantOnlyThatThereIsNoSuchJob() {
        String id = runningJob();
        succeed(id, "ok");
        assertEquals(204, get(id, "done").status());
        ApiResponse foreign = ProblemMapping.serve(request(id, "tenant-b", "done", null), service::get);
        assertEquals(404, foreign.status());
        assertEquals("not_found", Json.parse(foreign.body()).path("code").asText());
    }

    @Test
    void aLastEventIdThatNoEventHadIsRefusedByName() {
        String id = runningJob();
        for (String bad : List.of("-1", "abc", "99999999999", "1.5")) {
            ApiResponse r = get(id, bad);
            assertEquals(400, r.status(), bad);
            assertEquals(
                    "Last-Event-ID",
                    Json.parse(r.body()).path("errors").path(0).path("field").asText());
        }
        succeed(id, "ok");
        assertEquals(400, get(id, "3").status(), "past the end of the finished answer");
    }

    @Test
    void aStreamSendsEachPieceAsItIsStoredKeepsAliveWhileNothingComesAndEndsWithDone() throws IOException {
        String id = runningJob();
        output.append(id, new OutputChunk(0, "one ", "w"));
        // the first read finds "one "; the next hold sees nothing for its 15 s, then "two" comes, then the end
        at(Duration.ofSeconds(16), () -> output.append(id, new OutputChunk(4, "two", "w")));
        at(Duration.ofSeconds(17), () -> succeed(id, "one two"));
        RecordedStream out = new RecordedStream();
        service.stream(request(id, TENANT, null, null), out);
        assertNull(out.whole);
        assertEquals(200, out.status);
        assertEquals("text/event-stream; charset=utf-8", out.headers.get("content-type"));
        assertEquals("retry: 1000\n\n", out.parts.get(0));
        List<Event> events = events(out.body.toString());
        assertEquals(
                List.of("delta 4 one ", "delta 7 two", "done done succeeded"),
                events.stream()
                        .map(e -> e.type() + " " + e.id() + " "
                                + (e.type().equals("done")
                                        ? e.data().path("status").asText()
                                        : e.data().path("text").asText()))
                        .toList());
        assertTrue(out.parts.contains(": keep-alive\n\n"), "an idle stream is kept alive: " + out.parts);
        assertTrue(out.parts.indexOf(": keep-alive\n\n") < out.parts.size() - 2);
    }

    @Test
    void aStreamOverTheTenantsLongPollBoundReadsOnceASecondRatherThanSpinning() throws IOException {
        String id = runningJob();
        Instant now = clock.instant();
        assertTrue(counters.tryStartWait(TENANT, 2, now, now.plusSeconds(3600)));
        assertTrue(counters.tryStartWait(TENANT, 2, now, now.plusSeconds(3600)));
        at(Duration.ofMillis(1500), () -> output.append(id, new OutputChunk(0, "late", "w")));
        at(Duration.ofMillis(2500), () -> succeed(id, "late"));
        RecordedStream out = new RecordedStream();
        service.stream(request(id, TENANT, null, null), out);
        assertEquals(Collections.nCopies(3, Duration.ofSeconds(1)), sleeps, "a read a second, no more");
        assertTrue(out.body.toString().contains("event: done"), out.body.toString());
    }

    @Test
    void anotherTenantsStreamIsRefusedBeforeAnythingIsSent() throws IOException {
        String id = runningJob();
        output.append(id, new OutputChunk(0, "secret", "w"));
        RecordedStream out = new RecordedStream();
        service.stream(request(id, "tenant-b", null, null), out);
        assertEquals(404, out.whole.status());
        assertEquals(0, out.status, "nothing was started");
        assertFalse(out.body.toString().contains("secret"));
    }
}
