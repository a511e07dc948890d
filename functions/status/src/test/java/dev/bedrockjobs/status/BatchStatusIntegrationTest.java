package dev.bedrockjobs.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.tests.annotations.Event;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.core.adapter.DynamoBatchStore;
import dev.bedrockjobs.core.adapter.DynamoJobStore;
import dev.bedrockjobs.core.domain.Batch;
import dev.bedrockjobs.core.domain.Ids;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;

/** GET/DELETE /v1/batches/{id}[/results] with real-shaped events, against dynalite. */
class BatchStatusIntegrationTest {
    private static final String BATCH = "bat_01JDQ8Z6V3N4T5R6S7P8Q9W0XY";
    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    private DynamoJobStore jobs;
    private DynamoBatchStore batches;
    private StatusHandler handler;
    private final List<Job> seeded = new ArrayList<>();

    /** Five items: two succeeded, one failed, one running, one queued. */
    @BeforeEach
    void seedBatch() {
        String table = SharedEmulators.newJobsTable("batch-status");
        handler = new StatusHandler(SharedEmulators.functionEnvironment(table, null));
        jobs = new DynamoJobStore(SharedEmulators.dynamoClient(), table, Duration.ofDays(30));
        batches = new DynamoBatchStore(SharedEmulators.dynamoClient(), table, Duration.ofDays(30));
        batches.create(Batch.accepted(BATCH, "tenant-a", T0, 5, null, null, "h"));
        seeded.clear();
        for (int i = 0; i < 5; i++) {
            int index = i;
            Job j = Job.builder()
                    .id(Ids.jobIdInBatch(BATCH, i))
                    .tenantId("tenant-a")
                    .request(rq -> rq.tier("fast")
                            .modelId("m")
                            .prompt("p" + index)
                            .maxTokens(10)
                            .batchId(BATCH)
                            .customId("file" + index + ".java")
                            .itemIndex(index))
                    .progress(pr -> pr.createdAt(T0))
                    .build();
            seeded.add(j);
        }
        jobs.createAll(seeded);
        for (int i = 0; i < 4; i++) {
            Job claimed = jobs.claim(seeded.get(i).id(), "tok" + i, T0, T0.plusSeconds(300))
                    .orElseThrow();
            batches.recordStarted(claimed);
            if (i < 3) {
                int index = i;
                Job done = i < 2
                        ? claimed.toBuilder()
                                .progress(pr -> pr.status(JobStatus.SUCCEEDED)
                                        .finishedAt(T0)
                                        .attempts(1)
                                        .result(new Job.Result("review " + index, "end_turn")))
                                .accounting(
                                        ac -> ac.usage(new Job.Usage(100, 20)).costUsd(new BigDecimal("0.000400")))
                                .build()
                        : claimed.toBuilder()
                                .progress(pr -> pr.status(JobStatus.FAILED)
                                        .finishedAt(T0)
                                        .attempts(1)
                                        .error(new Job.Error("invalid_model_request", "ValidationException: bad")))
                                .build();
                jobs.finish(done);
                batches.recordFinished(done, T0);
            }
        }
    }

    @ParameterizedTest
    @Event(value = "events/get-batch.json", type = APIGatewayV2HTTPEvent.class)
    void theBatchViewCountsEachStatusAndListsJobsInItemOrder(APIGatewayV2HTTPEvent event) {
        APIGatewayV2HTTPResponse r = handler.handleRequest(event, null);
        assertEquals(200, r.getStatusCode());
        JsonNode view = Json.parse(r.getBody());
        JsonNode counts = view.get("counts");
        assertEquals(5, counts.get("total").asInt());
        assertEquals(2, counts.get("succeeded").asInt());
        assertEquals(1, counts.get("failed").asInt());
        assertEquals(1, counts.get("running").asInt());
        assertEquals(1, counts.get("queued").asInt());
        assertEquals(false, view.get("done").asBoolean());
        assertEquals(200, view.get("usage").get("inputTokens").asInt());
        assertEquals(
                0,
                new BigDecimal("0.0008").compareTo(view.get("cost").get("usd").decimalValue()));
        assertEquals(
                List.of("file0.java", "file1.java", "file2.java", "file3.java", "file4.java"),
                view.get("jobs").findValuesAsText("customId"));

        event.setQueryStringParameters(new HashMap<>(Map.of("limit", "2")));
        JsonNode page = Json.parse(handler.handleRequest(event, null).getBody());
        assertEquals(2, page.get("jobs").size());
        event.getQueryStringParameters().put("cursor", page.get("nextCursor").asText());
        assertEquals(
                "file2.java",
                Json.parse(handler.handleRequest(event, null).getBody())
                        .get("jobs")
                        .get(0)
                        .get("customId")
                        .asText());

        event.getRequestContext().getAuthorizer().setLambda(new HashMap<>(Map.of("tenantId", "tenant-b")));
        assertEquals(404, handler.handleRequest(event, null).getStatusCode());
    }

    @ParameterizedTest
    @Event(value = "events/batch-results.json", type = APIGatewayV2HTTPEvent.class)
    void resultsAreOneLinePerItemInOrderWithFailures(APIGatewayV2HTTPEvent event) {
        APIGatewayV2HTTPResponse r = handler.handleRequest(event, null);
        assertEquals(200, r.getStatusCode());
        assertEquals("application/x-ndjson", r.getHeaders().get("content-type"));
        String[] lines = r.getBody().split("\n");
        assertEquals(5, lines.length);
        JsonNode first = Json.parse(lines[0]);
        assertEquals("file0.java", first.get("customId").asText());
        assertEquals("succeeded", first.get("status").asText());
        assertEquals("review 0", first.get("text").asText());
        JsonNode failed = Json.parse(lines[2]);
        assertEquals("invalid_model_request", failed.get("error").get("code").asText());
        assertEquals("queued", Json.parse(lines[4]).get("status").asText());
    }

    @ParameterizedTest
    @Event(value = "events/cancel-batch.json", type = APIGatewayV2HTTPEvent.class)
    void cancelStopsWhatHasNotFinishedAndKeepsWhatHas(APIGatewayV2HTTPEvent event) {
        APIGatewayV2HTTPResponse r = handler.handleRequest(event, null);
        assertEquals(202, r.getStatusCode());
        JsonNode view = Json.parse(r.getBody());
        assertEquals("canceled", view.get("status").asText());
        assertEquals(1, view.get("counts").get("canceled").asInt(), "the queued job is canceled at once");
        assertEquals(2, view.get("counts").get("succeeded").asInt(), "finished results are kept");
        assertEquals(
                JobStatus.CANCELED,
                jobs.get(seeded.get(4).id()).orElseThrow().progress().status());
        assertTrue(
                jobs.get(seeded.get(3).id()).orElseThrow().progress().cancelRequested(),
                "the running one ends when its call returns");
        assertEquals(
                "review 1",
                jobs.get(seeded.get(1).id()).orElseThrow().progress().result().text());
        assertEquals(202, handler.handleRequest(event, null).getStatusCode(), "cancel is idempotent");
    }
}
