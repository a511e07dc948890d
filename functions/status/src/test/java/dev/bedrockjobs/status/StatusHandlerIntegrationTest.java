package dev.bedrockjobs.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.amazonaws.services.lambda.runtime.tests.annotations.Event;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.core.adapter.DynamoBatchStore;
import dev.bedrockjobs.core.adapter.DynamoJobOutput;
import dev.bedrockjobs.core.adapter.DynamoJobStore;
import dev.bedrockjobs.core.adapter.DynamoLimitCounters;
import dev.bedrockjobs.core.adapter.DynamoResponseCache;
import dev.bedrockjobs.core.adapter.DynamoUsageMeter;
import dev.bedrockjobs.core.adapter.DynamoWebhookDeliveries;
import dev.bedrockjobs.core.adapter.SqsWebhookQueue;
import dev.bedrockjobs.core.api.BatchesService;
import dev.bedrockjobs.core.api.DeliveriesService;
import dev.bedrockjobs.core.api.EventsService;
import dev.bedrockjobs.core.api.JobsService;
import dev.bedrockjobs.core.api.LongPolls;
import dev.bedrockjobs.core.api.OutputService;
import dev.bedrockjobs.core.api.Routes;
import dev.bedrockjobs.core.api.UsageService;
import dev.bedrockjobs.core.domain.Ids;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.work.JobOutcomes;
import dev.bedrockjobs.core.work.TenantLedger;
import dev.bedrockjobs.local.emulators.fixture.MovableClock;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;

/** StatusHandler with real-shaped events, against dynalite. */
class StatusHandlerIntegrationTest {
    private static final String JOB_ID = "job_01JDQ8Z6V3N4T5R6S7P8Q9W0XY";
    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    private DynamoJobStore store;
    private DynamoBatchStore batches;
    private String table;
    private StatusHandler handler;

    @BeforeEach
    void freshTable() {
        table = SharedEmulators.newJobsTable("status");
        handler = new StatusHandler(SharedEmulators.functionEnvironment(table, null));
        store = new DynamoJobStore(SharedEmulators.dynamoClient(), table, Duration.ofDays(30));
        batches = new DynamoBatchStore(SharedEmulators.dynamoClient(), table, Duration.ofDays(30));
    }

    private Job seed(String id, String tenant, Instant createdAt) {
        Job job = Job.builder()
                .id(id)
                .tenantId(tenant)
                .request(rq -> rq.tier("standard").modelId("m").prompt("p").maxTokens(10))
                .progress(pr -> pr.createdAt(createdAt))
                .build();
        store.create(job);
        return job;
    }

    private static void setTenant(APIGatewayV2HTTPEvent event, String tenant) {
        event.getRequestContext().getAuthorizer().setLambda(new HashMap<>(Map.of("tenantId", tenant)));
    }

    @ParameterizedTest
    @Event(value = "events/get-job.json", type = APIGatewayV2HTTPEvent.class)
    void pollsOwnJobAndHidesOthers(APIGatewayV2HTTPEvent event) {
        seed(JOB_ID, "tenant-a", T0);
        APIGatewayV2HTTPResponse r = handler.handleRequest(event, null);
        assertEquals(200, r.getStatusCode());
        JsonNode view = Json.parse(r.getBody());
        assertEquals(JOB_ID, view.get("id").asText());
        assertEquals("queued", view.get("status").asText());
        assertEquals("2", r.getHeaders().get("retry-after"));

        setTenant(event, "tenant-b");
        APIGatewayV2HTTPResponse other = handler.handleRequest(event, null);
        assertEquals(404, other.getStatusCode());
        event.getPathParameters().put("id", Ids.newJobId(T0));
        setTenant(event, "tenant-a");
        assertEquals(
                other.getBody().replace(JOB_ID, "X"),
                handler.handleRequest(event, null)
                        .getBody()
                        .replace(event.getPathParameters().get("id"), "X"),
                "another tenant's job answers exactly like a missing one");
        event.getPathParameters().put("id", "..%2F..%2Fetc");
        assertEquals(404, handler.handleRequest(event, null).getStatusCode());
    }

    @ParameterizedTest
    @Event(value = "events/get-job-events.json", type = APIGatewayV2HTTPEvent.class)
    void throughApiGatewayTheEventsRouteAnswersWholeResponsesThatResumeAfterLastEventId(APIGatewayV2HTTPEvent event) {
        assertTrue(store.create(Job.builder()
                .id(JOB_ID)
                .tenantId("tenant-a")
                .request(rq -> rq.tier("standard").modelId("m").prompt("p").maxTokens(10))
                .progress(pr -> pr.createdAt(T0)
                        .status(JobStatus.SUCCEEDED)
                        .finishedAt(T0.plusSeconds(3))
                        .result(new Job.Result("Looks good.", "end_turn")))
                .build()));
        APIGatewayV2HTTPResponse r = handler.handleRequest(event, null);
        assertEquals(200, r.getStatusCode(), r.getBody());
        assertEquals("text/event-stream; charset=utf-8", r.getHeaders().get("content-type"));
        assertTrue(
                r.getBody()
                        .startsWith("retry: 100\n\nid: 11\nevent: delta\ndata: {\"offset\":6,\"text\":\"good.\"}\n\n"),
                r.getBody());
        assertTrue(
                r.getBody()
                        .endsWith("id: done\nevent: done\ndata: {\"jobId\":\"" + JOB_ID
                                + "\",\"status\":\"succeeded\"}\n\n"),
                r.getBody());

        event.getHeaders().put("last-event-id", "done");
        assertEquals(204, handler.handleRequest(event, null).getStatusCode());
        setTenant(event, "tenant-b");
        assertEquals(404, handler.handleRequest(event, null).getStatusCode());
    }

    @ParameterizedTest
    @Event(value = "events/get-job-wait.json", type = APIGatewayV2HTTPEvent.class)
    void longPollReturnsAsSoonAsTheJobIsTerminal(APIGatewayV2HTTPEvent event) {
        seed(JOB_ID, "tenant-a", T0);
        AtomicInteger polls = new AtomicInteger();
        List<Duration> sleeps = new ArrayList<>();
        MovableClock clock = new MovableClock(T0);
        var webhooks = new SqsWebhookQueue(SharedEmulators.sqsClient(), SharedEmulators.newQueue("wh", Map.of()));
        var outcomes = new JobOutcomes(
                store,
                batches,
                webhooks,
                clock,
                new TenantLedger(
                        new DynamoUsageMeter(SharedEmulators.dynamoClient(), table),
                        new DynamoLimitCounters(SharedEmulators.dynamoClient(), table),
                        new DynamoResponseCache(SharedEmulators.dynamoClient(), table),
                        Duration.ofHours(24)),
                Duration.ofMinutes(10));
        var deliveries = new DynamoWebhookDeliveries(SharedEmulators.dynamoClient(), table, Duration.ofDays(30));
        LongPolls.Sleeper sleeper = d -> {
            sleeps.add(d);
            clock.advance(d);
            if (polls.incrementAndGet() == 3) {
                store.cancelQueued(JOB_ID, clock.instant());
            }
        };
        LongPolls longPolls =
                new LongPolls(new DynamoLimitCounters(SharedEmulators.dynamoClient(), table), 1, clock, sleeper);
        JobsService jobs = new JobsService(store, batches, outcomes, deliveries, longPolls, clock, null);
        OutputService output = new OutputService(
                store,
                new DynamoJobOutput(SharedEmulators.dynamoClient(), table, Duration.ofDays(1), clock),
                longPolls);
        EventsService events = new EventsService(output, longPolls);
        Routes routes = StatusRoot.routes(
                jobs,
                output,
                events,
                new BatchesService(store, batches, outcomes, clock),
                new DeliveriesService(store, deliveries, webhooks, clock),
                new UsageService(new DynamoUsageMeter(SharedEmulators.dynamoClient(), table), clock));
        APIGatewayV2HTTPResponse r = new StatusHandler(new StatusRoot(routes, events)).handleRequest(event, null);
        assertEquals("canceled", Json.parse(r.getBody()).get("status").asText());
        assertEquals(3, polls.get());
        assertEquals(
                List.of(Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1)),
                sleeps,
                "each read waits twice as long as the one before");

        event.getQueryStringParameters().put("wait", "21");
        assertEquals(400, handler.handleRequest(event, null).getStatusCode());
        event.getQueryStringParameters().put("wait", "soon");
        assertEquals(400, handler.handleRequest(event, null).getStatusCode());
    }

    @ParameterizedTest
    @Event(value = "events/list-jobs.json", type = APIGatewayV2HTTPEvent.class)
    void listsOwnJobsNewestFirstWithCursorAndFilter(APIGatewayV2HTTPEvent event) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(
                    0,
                    seed(Ids.newJobId(T0.plusSeconds(i)), "tenant-a", T0.plusSeconds(i))
                            .id());
        }
        seed(Ids.newJobId(T0), "tenant-b", T0);
        event.getQueryStringParameters().remove("status");
        event.getQueryStringParameters().put("limit", "2");
        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            if (cursor != null) {
                event.getQueryStringParameters().put("cursor", cursor);
            }
            JsonNode page = Json.parse(handler.handleRequest(event, null).getBody());
            page.get("items").forEach(j -> seen.add(j.get("id").asText()));
            cursor = page.get("nextCursor").isNull()
                    ? null
                    : page.get("nextCursor").asText();
        } while (cursor != null);
        assertEquals(ids, seen);

        event.getQueryStringParameters().remove("cursor");
        event.getQueryStringParameters().put("status", "bogus");
        assertEquals(400, handler.handleRequest(event, null).getStatusCode());
        event.getQueryStringParameters().put("status", "queued");
        event.getQueryStringParameters().put("cursor", "garbage");
        APIGatewayV2HTTPResponse bad = handler.handleRequest(event, null);
        assertEquals(400, bad.getStatusCode());
        assertEquals(
                "cursor",
                Json.parse(bad.getBody()).get("errors").get(0).get("field").asText());
        event.getQueryStringParameters().remove("cursor");
        event.getQueryStringParameters().put("limit", "0");
        assertEquals(400, handler.handleRequest(event, null).getStatusCode());
    }

    @ParameterizedTest
    @Event(value = "events/cancel-job.json", type = APIGatewayV2HTTPEvent.class)
    void cancelsAQueuedJobOnceAndRefusesATerminalOne(APIGatewayV2HTTPEvent event) {
        seed(JOB_ID, "tenant-a", T0);
        setTenant(event, "tenant-b");
        assertEquals(404, handler.handleRequest(event, null).getStatusCode());
        assertEquals(
                JobStatus.QUEUED, store.get(JOB_ID).orElseThrow().progress().status());

        setTenant(event, "tenant-a");
        APIGatewayV2HTTPResponse r = handler.handleRequest(event, null);
        assertEquals(202, r.getStatusCode());
        assertEquals("canceled", Json.parse(r.getBody()).get("status").asText());
        APIGatewayV2HTTPResponse again = handler.handleRequest(event, null);
        assertEquals(409, again.getStatusCode());
        assertEquals("job_terminal", Json.parse(again.getBody()).get("code").asText());
    }

    @ParameterizedTest
    @Event(value = "events/cancel-job.json", type = APIGatewayV2HTTPEvent.class)
    void cancelOfARunningJobIsRecordedForTheWorker(APIGatewayV2HTTPEvent event) {
        seed(JOB_ID, "tenant-a", T0);
        store.claim(JOB_ID, "tok", T0, T0.plusSeconds(300));
        APIGatewayV2HTTPResponse r = handler.handleRequest(event, null);
        assertEquals(202, r.getStatusCode());
        JsonNode view = Json.parse(r.getBody());
        assertEquals("running", view.get("status").asText());
        assertTrue(view.get("cancelRequested").asBoolean());
        assertTrue(store.get(JOB_ID).orElseThrow().progress().cancelRequested());
    }

    @ParameterizedTest
    @Event(value = "events/get-usage.json", type = APIGatewayV2HTTPEvent.class)
    void usageCountsTheTenantsFinishedAndWaitingJobsOfTheMonth(APIGatewayV2HTTPEvent event) {
        seed(JOB_ID, "tenant-a", T0);
        Job waiting = seed(Ids.newJobId(T0), "tenant-a", T0);
        seed(Ids.newJobId(T0), "tenant-b", T0);
        APIGatewayV2HTTPEvent cancel = EventLoader.loadApiGatewayHttpEvent("events/cancel-job.json");
        assertEquals(JOB_ID, cancel.getPathParameters().get("id"));
        assertEquals(202, handler.handleRequest(cancel, null).getStatusCode());
        assertEquals(409, handler.handleRequest(cancel, null).getStatusCode(), "a second cancel counts nothing");

        JsonNode usage = Json.parse(handler.handleRequest(event, null).getBody());
        assertEquals("2026-11", usage.get("month").asText());
        assertEquals(2, usage.path("jobs").path("submitted").asLong(), usage.toString());
        assertEquals(1, usage.path("jobs").path("canceled").asLong());
        assertEquals(0, usage.path("inputTokens").asLong());
        assertEquals("m", usage.path("byModel").get(0).path("modelId").asText());
        assertTrue(store.get(waiting.id()).isPresent());

        assertTrue(usage.path("byDay").isMissingNode(), "days only when asked for");
        event.getQueryStringParameters().put("by", "day");
        JsonNode byDay = Json.parse(handler.handleRequest(event, null).getBody());
        assertEquals(1, byDay.path("byDay").size(), byDay.toString());
        assertEquals(
                T0.atOffset(ZoneOffset.UTC).toLocalDate().toString(),
                byDay.path("byDay").get(0).path("date").asText());
        assertEquals(1, byDay.path("byDay").get(0).path("jobs").path("canceled").asLong());
        assertEquals(usage.path("jobs").path("canceled"), byDay.path("jobs").path("canceled"));
        event.getQueryStringParameters().put("by", "week");
        APIGatewayV2HTTPResponse badBy = handler.handleRequest(event, null);
        assertEquals(400, badBy.getStatusCode());
        assertEquals(
                "by",
                Json.parse(badBy.getBody()).path("errors").get(0).path("field").asText());
        event.getQueryStringParameters().remove("by");

        event.getQueryStringParameters().put("month", "2026-10");
        assertEquals(
                0,
                Json.parse(handler.handleRequest(event, null).getBody())
                        .path("jobs")
                        .path("submitted")
                        .asLong());
        event.getQueryStringParameters().put("month", "Nov 2026");
        APIGatewayV2HTTPResponse bad = handler.handleRequest(event, null);
        assertEquals(400, bad.getStatusCode());
        assertEquals(
                "month",
                Json.parse(bad.getBody()).path("errors").get(0).path("field").asText());
        event.getQueryStringParameters().put("month", "2026-11");
        setTenant(event, "tenant-b");
        JsonNode other = Json.parse(handler.handleRequest(event, null).getBody());
        assertEquals(1, other.path("jobs").path("submitted").asLong(), "each tenant sees only its own");
        assertEquals(0, other.path("jobs").path("canceled").asLong());
    }

    @ParameterizedTest
    @Event(value = "events/healthz.json", type = APIGatewayV2HTTPEvent.class)
    void healthNeedsNoKey(APIGatewayV2HTTPEvent event) {
        APIGatewayV2HTTPResponse r = handler.handleRequest(event, null);
        assertEquals(200, r.getStatusCode());
        assertEquals("ok", Json.parse(r.getBody()).get("status").asText());
        assertFalse(r.getBody().contains("tenant"));
    }

    @ParameterizedTest
    @Event(value = "events/healthz.json", type = APIGatewayV2HTTPEvent.class)
    void theConsolePageNeedsNoKeyAndCarriesItsPolicy(APIGatewayV2HTTPEvent event) {
        event.setRawPath("/console");
        event.setRouteKey("GET /console");
        event.getRequestContext().setRouteKey("GET /console");
        event.getRequestContext().getHttp().setPath("/console");
        APIGatewayV2HTTPResponse r = handler.handleRequest(event, null);
        assertEquals(200, r.getStatusCode(), r.getBody());
        assertEquals(ConsolePage.CONTENT_SECURITY_POLICY, r.getHeaders().get("content-security-policy"));
        assertTrue(r.getBody().contains("console/console.js"));
    }
}
