package dev.bedrockjobs.core.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** GET /v1/jobs/{id}/output against dynalite: stored pieces while a job runs, its result once it has one. */
class OutputServiceIntegrationTest {
    private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");
    private static final String TENANT = "tenant-a";

    private final MovableClock clock = new MovableClock(T0);
    private final List<Duration> sleeps = new ArrayList<>();
    private final List<Runnable> onSleep = new ArrayList<>();
    private DynamoJobStore store;
    private DynamoJobOutput output;
    private OutputService service;

    @BeforeEach
    void services() {
        String table = SharedEmulators.newJobsTable("output-service");
        store = new DynamoJobStore(SharedEmulators.dynamoClient(), table, Duration.ofDays(1));
        output = new DynamoJobOutput(SharedEmulators.dynamoClient(), table, Duration.ofDays(1), clock);
        LongPolls.Sleeper sleeper = d -> {
            sleeps.add(d);
            clock.advance(d);
            if (!onSleep.isEmpty()) {
                onSleep.remove(0).run();
            }
        };
        service = new OutputService(
                store,
                output,
                new LongPolls(new DynamoLimitCounters(SharedEmulators.dynamoClient(), table), 2, clock, sleeper));
    }

    private String job(JobStatus status, String resultText) {
        return job(status, resultText, false);
    }

    private String job(JobStatus status, String resultText, boolean stream) {
        String id = Ids.newJobId(T0);
        Job job = Job.builder()
                .id(id)
                .tenantId(TENANT)
                .request(r -> r.tier("fast").modelId("m").prompt("p").maxTokens(100).stream(stream))
                .progress(p -> p.createdAt(T0)
                        .status(status == JobStatus.RUNNING ? JobStatus.QUEUED : status)
                        .result(resultText == null ? null : new Job.Result(resultText, "end_turn")))
                .build();
        assertTrue(store.create(job));
        if (status == JobStatus.RUNNING) {
            assertTrue(store.claim(id, "w", T0, T0.plusSeconds(60)).isPresent());
        }
        return id;
    }

    private ApiResponse get(String id, String query, String tenant) {
        Map<String, String> params = new HashMap<>();
        if (!query.isEmpty()) {
            for (String pair : query.split("&")) {
                String[] kv = pair.split("=", 2);
                params.put(kv[0], kv[1]);
            }
        }
        return ProblemMapping.serve(
                new ApiRequest("GET /v1/jobs/{id}/output", Map.of("id", id), params, Map.of(), null, tenant, "req"),
                service::get);
    }

    private static JsonNode json(ApiResponse r) {
        return Json.parse(r.body());
    }

    @Test
    void aRunningJobsStoredPiecesAreReadOnFromEachNextOffset() {
        String id = job(JobStatus.RUNNING, null);
        output.append(id, new OutputChunk(0, "Looks ", "w"));
        output.append(id, new OutputChunk(6, "good.", "w"));
        ApiResponse first = get(id, "", TENANT);
        assertEquals(200, first.status());
        JsonNode view = json(first);
        assertEquals("Looks good.", view.path("text").asText());
        assertEquals(11, view.path("nextOffset").asLong());
        assertFalse(view.path("done").asBoolean());
        assertEquals("running", view.path("status").asText());
        assertEquals("1", first.headers().get("retry-after"));

        JsonNode nothingNew = json(get(id, "offset=11", TENANT));
        assertEquals("", nothingNew.path("text").asText());
        assertEquals(11, nothingNew.path("nextOffset").asLong());
        assertTrue(sleeps.isEmpty(), "without wait nothing is held");
    }

    @Test
    void aWaitIsHeldUntilTheNextPieceIsStoredReadingQuicklyAtFirst() {
        String id = job(JobStatus.RUNNING, null);
        output.append(id, new OutputChunk(0, "one ", "w"));
        onSleep.add(() -> {});
        onSleep.add(() -> output.append(id, new OutputChunk(4, "two", "w")));
        JsonNode view = json(get(id, "offset=4&wait=10", TENANT));
        assertEquals("two", view.path("text").asText());
        assertEquals(7, view.path("nextOffset").asLong());
        assertEquals(List.of(Duration.ofMillis(100), Duration.ofMillis(200)), sleeps);
    }

    @Test
    void aFollowerOfAStreamingJobLooksForTheNextPieceAtLeastEveryQuarterSecond() {
        String id = job(JobStatus.RUNNING, null, true);
        output.append(id, new OutputChunk(0, "one ", "w"));
        for (int i = 0; i < 4; i++) {
            onSleep.add(() -> {});
        }
        onSleep.add(() -> output.append(id, new OutputChunk(4, "two", "w")));
        assertEquals(
                "two", json(get(id, "offset=4&wait=10", TENANT)).path("text").asText());
        assertEquals(
                List.of(
                        Duration.ofMillis(100),
                        Duration.ofMillis(200),
                        Duration.ofMillis(250),
                        Duration.ofMillis(250),
                        Duration.ofMillis(250)),
                sleeps);
    }

    @Test
    void aWaitBegunWhileTheJobWasQueuedQuickensOnceTheStreamIsRunning() {
        String id = job(JobStatus.QUEUED, null, true);
        onSleep.add(() -> {});
        onSleep.add(() -> {});
        onSleep.add(
                () -> assertTrue(store.claim(id, "w", T0, T0.plusSeconds(60)).isPresent()));
        onSleep.add(() -> {});
        onSleep.add(() -> output.append(id, new OutputChunk(0, "first", "w")));
        assertEquals("first", json(get(id, "wait=10", TENANT)).path("text").asText());
        assertEquals(
                List.of(
                        Duration.ofMillis(100),
                        Duration.ofMillis(200),
                        Duration.ofMillis(400),
                        Duration.ofMillis(250),
                        Duration.ofMillis(250)),
                sleeps,
                "the pause stops growing past a quarter second from the read that saw the job running");
    }

    @Test
    void aWaitEndsWhenTheJobEndsWithNothingMoreToRead() {
        String id = job(JobStatus.RUNNING, null);
        output.append(id, new OutputChunk(0, "partial", "w"));
        onSleep.add(() -> store.finish(store.get(id).orElseThrow().toBuilder()
                .progress(p -> p.status(JobStatus.FAILED)
                        .finishedAt(clock.instant())
                        .error(new Job.Error("stream_interrupted", "the model stopped mid-answer")))
                .build()));
        JsonNode view = json(get(id, "offset=7&wait=10", TENANT));
        assertEquals("failed", view.path("status").asText());
        assertEquals("", view.path("text").asText());
        assertTrue(view.path("done").asBoolean(), "a failed stream keeps its partial text and says it is done");
        assertEquals("partial", json(get(id, "", TENANT)).path("text").asText());
    }

    @Test
    void aWaitGivesUpAfterItsSecondsWithTheTextAsItIs() {
        String id = job(JobStatus.QUEUED, null);
        JsonNode view = json(get(id, "wait=3", TENANT));
        assertEquals("", view.path("text").asText());
        assertEquals(0, view.path("nextOffset").asLong());
        assertFalse(view.path("done").asBoolean());
        assertEquals(Duration.ofSeconds(3), sleeps.stream().reduce(Duration.ZERO, Duration::plus));
        assertEquals(Duration.ofSeconds(1), sleeps.get(sleeps.size() - 2), "the pause grows to 1 s and no further");
    }

    @Test
    void aFinishedJobsAnswerComesFromItsResultInPagesOfWholeCharacters() {
        String answer = "👋".repeat(OutputService.PAGE_CODE_POINTS) + "end";
        String id = job(JobStatus.SUCCEEDED, answer);
        JsonNode first = json(get(id, "", TENANT));
        assertEquals(
                "👋".repeat(OutputService.PAGE_CODE_POINTS), first.path("text").asText());
        assertEquals(OutputService.PAGE_CODE_POINTS, first.path("nextOffset").asLong());
        assertFalse(first.path("done").asBoolean());
        JsonNode last = json(get(id, "offset=" + OutputService.PAGE_CODE_POINTS, TENANT));
        assertEquals("end", last.path("text").asText());
        assertTrue(last.path("done").asBoolean());
    }

    @Test
    void anOffsetPastTheEndOfAFinishedAnswerIsRefusedByName() {
        String id = job(JobStatus.SUCCEEDED, "short");
        ApiResponse r = get(id, "offset=6", TENANT);
        assertEquals(400, r.status());
        assertEquals("offset", json(r).path("errors").path(0).path("field").asText());
    }

    @Test
    void anotherTenantsJobIsNotFoundAndNothingOfItIsRead() {
        String id = job(JobStatus.RUNNING, null);
        output.append(id, new OutputChunk(0, "secret", "w"));
        ApiResponse r = get(id, "wait=5", "tenant-b");
        assertEquals(404, r.status());
        assertFalse(r.body().contains("secret"));
        assertTrue(sleeps.isEmpty());
    }
}
