package dev.bedrockjobs.core.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bedrockjobs.core.domain.DeliveryAttempt;
import dev.bedrockjobs.core.domain.Ids;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.domain.WebhookEvent;
import dev.bedrockjobs.core.port.WebhookDeliveries;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The delivery log against dynalite, in a table made from template.yaml's JobsTable, beside real job items. */
class DynamoWebhookDeliveriesIntegrationTest {
    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    private static DynamoDbClient dynamo;
    private static String table;
    private static DynamoWebhookDeliveries deliveries;
    private static DynamoJobStore jobs;

    @BeforeAll
    static void tableFromTheTemplate() {
        dynamo = SharedEmulators.dynamoClient();
        table = SharedEmulators.newJobsTable("deliveries");
        deliveries = new DynamoWebhookDeliveries(dynamo, table, Duration.ofDays(30));
        jobs = new DynamoJobStore(dynamo, table, Duration.ofDays(30));
    }

    private static WebhookEvent jobEvent(String jobId, WebhookEvent.Type type) {
        return WebhookEvent.of(
                type,
                "tenant-a",
                "https://hooks.example.com/x",
                T0,
                Json.object().put("id", jobId));
    }

    private static DeliveryAttempt attempt(WebhookEvent e, int n, Integer status, DeliveryAttempt.Outcome outcome) {
        return new DeliveryAttempt(
                e.id(),
                e.type().wire(),
                e.url(),
                n,
                T0.plusSeconds(n * 60L),
                12 + n,
                status,
                status == null ? "connection_failed" : null,
                outcome,
                status != null && status == 429 ? 30L : null,
                outcome == DeliveryAttempt.Outcome.RETRY ? T0.plusSeconds(n * 60L + 30) : null);
    }

    @Test
    void anErrorStoredInWordsByAnEarlierVersionIsListedAsOther() {
        WebhookEvent e = jobEvent(Ids.newJobId(T0), WebhookEvent.Type.JOB_FAILED);
        DeliveryAttempt a = attempt(e, 1, null, DeliveryAttempt.Outcome.RETRY);
        deliveries.record(
                e,
                new DeliveryAttempt(
                        a.eventId(),
                        a.eventType(),
                        a.url(),
                        1,
                        a.at(),
                        a.durationMs(),
                        null,
                        "connection failed: Connection refused",
                        a.outcome(),
                        null,
                        a.nextAttemptAt()));
        assertEquals("other", deliveries.listForJob(e.subjectId()).get(0).error());
    }

    @Test
    void concurrentAttemptsOfOneEventAllGetTheirOwnNumber() throws Exception {
        WebhookEvent e = jobEvent(Ids.newJobId(T0), WebhookEvent.Type.JOB_SUCCEEDED);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(20);
        try {
            List<java.util.concurrent.Future<Integer>> numbers = new java.util.ArrayList<>();
            for (int i = 0; i < 100; i++) {
                numbers.add(pool.submit(() -> {
                    int n = deliveries.nextAttemptNumber(e);
                    deliveries.record(e, attempt(e, n, 500, DeliveryAttempt.Outcome.RETRY));
                    return n;
                }));
            }
            java.util.Set<Integer> distinct = new java.util.TreeSet<>();
            for (java.util.concurrent.Future<Integer> f : numbers) {
                distinct.add(f.get());
            }
            assertEquals(100, distinct.size(), "every attempt has its own number");
        } finally {
            pool.shutdownNow();
        }
        assertEquals(100, deliveries.listForJob(e.subjectId()).size(), "and every attempt is in the log");
    }

    @Test
    void replaysAreCountedPerJobAndPerTenantEachMinute() {
        WebhookEvent first = jobEvent(Ids.newJobId(T0), WebhookEvent.Type.JOB_SUCCEEDED);
        long minute = T0.getEpochSecond() / 60;
        for (int i = 0; i < WebhookDeliveries.REPLAYS_PER_SUBJECT_PER_MINUTE; i++) {
            assertTrue(deliveries.tryCountReplay(first, minute));
        }
        assertTrue(!deliveries.tryCountReplay(first, minute), "the job's minute is used up");
        assertTrue(deliveries.tryCountReplay(first, minute + 1), "the next minute has its own allowance");
        assertTrue(deliveries.listForJob(first.subjectId()).isEmpty(), "counters are not delivery attempts");

        WebhookEvent other = WebhookEvent.of(
                WebhookEvent.Type.JOB_FAILED,
                "tenant-busy",
                first.url(),
                T0,
                Json.object().put("id", Ids.newJobId(T0)));
        int counted = 0;
        for (int job = 0; job < 20; job++) {
            WebhookEvent e = WebhookEvent.of(
                    WebhookEvent.Type.JOB_FAILED,
                    "tenant-busy",
                    first.url(),
                    T0,
                    Json.object().put("id", Ids.newJobId(T0)));
            for (int i = 0; i < WebhookDeliveries.REPLAYS_PER_SUBJECT_PER_MINUTE; i++) {
                counted += deliveries.tryCountReplay(e, minute) ? 1 : 0;
            }
        }
        assertEquals(WebhookDeliveries.REPLAYS_PER_TENANT_PER_MINUTE, counted, "the tenant's minute caps them all");
        assertTrue(!deliveries.tryCountReplay(other, minute), "a job not yet replayed waits for the tenant too");
    }

    @Test
    void aJobsAttemptsAreOneQueryInEventThenAttemptOrder() {
        String jobId = Ids.newJobId(T0);
        WebhookEvent succeeded = jobEvent(jobId, WebhookEvent.Type.JOB_SUCCEEDED);
        WebhookEvent other = jobEvent(jobId, WebhookEvent.Type.JOB_CANCELED);
        // written out of order, with more than nine attempts so the zero padding matters
        for (int n : new int[] {10, 2, 1, 3, 11}) {
            deliveries.record(succeeded, attempt(succeeded, n, 500, DeliveryAttempt.Outcome.RETRY));
        }
        deliveries.record(other, attempt(other, 1, 200, DeliveryAttempt.Outcome.DELIVERED));
        List<DeliveryAttempt> listed = deliveries.listForJob(jobId);
        assertEquals(6, listed.size());
        List<String> expectedOrder = succeeded.id().compareTo(other.id()) < 0
                ? List.of(
                        succeeded.id() + "#1",
                        succeeded.id() + "#2",
                        succeeded.id() + "#3",
                        succeeded.id() + "#10",
                        succeeded.id() + "#11",
                        other.id() + "#1")
                : List.of(
                        other.id() + "#1",
                        succeeded.id() + "#1",
                        succeeded.id() + "#2",
                        succeeded.id() + "#3",
                        succeeded.id() + "#10",
                        succeeded.id() + "#11");
        assertEquals(
                expectedOrder,
                listed.stream().map(a -> a.eventId() + "#" + a.attempt()).toList());
    }

    @Test
    void everyFieldRoundTrips() {
        String jobId = Ids.newJobId(T0);
        WebhookEvent e = jobEvent(jobId, WebhookEvent.Type.JOB_FAILED);
        DeliveryAttempt busy = attempt(e, 1, 429, DeliveryAttempt.Outcome.RETRY);
        DeliveryAttempt refused = attempt(e, 2, null, DeliveryAttempt.Outcome.RETRY);
        DeliveryAttempt done = attempt(e, 3, 200, DeliveryAttempt.Outcome.DELIVERED);
        deliveries.record(e, busy);
        deliveries.record(e, refused);
        deliveries.record(e, done);
        assertEquals(List.of(busy, refused, done), deliveries.listForJob(jobId));
        DeliveryAttempt last = deliveries.listForJob(jobId).get(2);
        assertNull(last.error());
        assertNull(last.nextAttemptAt());
        assertNull(last.retryAfterSeconds());
    }

    @Test
    void recordingAnAttemptAgainReplacesIt() {
        String jobId = Ids.newJobId(T0);
        WebhookEvent e = jobEvent(jobId, WebhookEvent.Type.JOB_SUCCEEDED);
        deliveries.record(e, attempt(e, 1, 500, DeliveryAttempt.Outcome.RETRY));
        DeliveryAttempt again = attempt(e, 1, 200, DeliveryAttempt.Outcome.DELIVERED);
        deliveries.record(e, again);
        assertEquals(List.of(again), deliveries.listForJob(jobId));
    }

    @Test
    void attemptsLiveBesideTheJobWithoutDisturbingIt() {
        Job job = Job.builder()
                .id(Ids.newJobId(T0))
                .tenantId("tenant-a")
                .request(r ->
                        r.tier("fast").modelId("m").prompt("p").maxTokens(64).webhookUrl("https://hooks.example.com/x"))
                .progress(pr -> pr.createdAt(T0).status(JobStatus.QUEUED))
                .build();
        assertTrue(jobs.create(job));
        WebhookEvent e = jobEvent(job.id(), WebhookEvent.Type.JOB_SUCCEEDED);
        deliveries.record(e, attempt(e, 1, 200, DeliveryAttempt.Outcome.DELIVERED));
        assertEquals(job.id(), jobs.get(job.id()).orElseThrow().id());
        assertEquals(1, deliveries.listForJob(job.id()).size(), "the job item itself is not listed");
        Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(table)
                        .key(Map.of(
                                "pk", AttributeValue.fromS("JOB#" + job.id()),
                                "sk", AttributeValue.fromS("DELIVERY#" + e.id() + "#0001"))))
                .item();
        assertEquals("tenant-a", item.get("tenantId").s());
        assertEquals(
                T0.plusSeconds(60).plus(Duration.ofDays(30)).getEpochSecond(),
                Long.parseLong(item.get("ttl").n()),
                "expires with the job's retention");
    }

    @Test
    void batchEventsAreKeptWithTheBatchAndJobsAreKeptApart() {
        String batchId = Ids.newBatchId(T0);
        WebhookEvent completed = WebhookEvent.of(
                WebhookEvent.Type.BATCH_COMPLETED,
                "tenant-a",
                "https://hooks.example.com/b",
                T0,
                Json.object().put("id", batchId));
        deliveries.record(completed, attempt(completed, 1, 200, DeliveryAttempt.Outcome.DELIVERED));
        assertEquals(1, deliveries.listForBatch(batchId).size());
        assertEquals("batch.completed", deliveries.listForBatch(batchId).get(0).eventType());
        assertTrue(deliveries.listForJob(batchId).isEmpty());
        assertTrue(deliveries.listForJob(Ids.newJobId(T0)).isEmpty());
    }
}
