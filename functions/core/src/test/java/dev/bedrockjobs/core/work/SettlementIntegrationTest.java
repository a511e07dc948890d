package dev.bedrockjobs.core.work;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bedrockjobs.core.adapter.DynamoBatchStore;
import dev.bedrockjobs.core.adapter.DynamoJobStore;
import dev.bedrockjobs.core.adapter.DynamoUsageMeter;
import dev.bedrockjobs.core.adapter.SqsWebhookQueue;
import dev.bedrockjobs.core.domain.Ids;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.domain.MonthlyUsage;
import dev.bedrockjobs.core.port.UsageMeter;
import dev.bedrockjobs.local.emulators.fixture.MovableClock;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Settling finished jobs against dynalite and ElasticMQ: however the finisher dies and whoever comes back to a job
 * (redeliveries, the reconciler, several at once, with reads taken before or after the others' writes), each job's
 * usage is counted once, its event is enqueued, and it ends settled with nothing left pending.
 */
class SettlementIntegrationTest {
    private static final Instant FINISHED = Instant.parse("2026-11-27T12:00:00Z");
    private static final Duration GRACE = Duration.ofMinutes(10);
    private static final YearMonth MONTH = YearMonth.of(2026, 11);
    private final DynamoDbClient dynamo = SharedEmulators.dynamoClient();
    private final SqsClient sqs = SharedEmulators.sqsClient();
    private final MovableClock clock = new MovableClock(FINISHED);
    private String table;
    private String webhooksUrl;
    private DynamoJobStore jobs;

    @BeforeEach
    void fresh() {
        table = SharedEmulators.newJobsTable("settle");
        webhooksUrl = SharedEmulators.newQueue("settle-webhooks", Map.of());
        jobs = new DynamoJobStore(dynamo, table, Duration.ofDays(30));
    }

    /** One process's view: its own meter (and markers left for later), sharing the table and queue. */
    private JobOutcomes process() {
        TenantLedger ledger = ReconcilerIntegrationTest.ledger(table);
        return new JobOutcomes(
                jobs,
                new DynamoBatchStore(dynamo, table, Duration.ofDays(30)),
                new SqsWebhookQueue(sqs, webhooksUrl),
                clock,
                ledger,
                GRACE);
    }

    /** A path that did not finish the job comes back to it, in a unit of its own. */
    private static void seenFinished(JobOutcomes process, Job job) {
        try (Settlement settlement = process.open()) {
            process.jobSeenFinished(settlement, job);
        }
    }

    private static Optional<Job> settleIfAbandoned(JobOutcomes process, Job job) {
        try (Settlement settlement = process.open()) {
            return settlement.settleIfAbandoned(job.id(), job.progress().finishedAt());
        }
    }

    private Job finished(String webhookUrl) {
        Job queued = Job.builder()
                .id(Ids.newJobId(FINISHED))
                .tenantId("t")
                .request(rq ->
                        rq.tier("fast").modelId("m").prompt("p").maxTokens(100).webhookUrl(webhookUrl))
                .progress(pr -> pr.createdAt(FINISHED.minusSeconds(30)))
                .build();
        assertTrue(jobs.create(queued));
        Job running = jobs.claim(queued.id(), "token", FINISHED.minusSeconds(20), FINISHED.plusSeconds(300))
                .orElseThrow();
        Job done = running.toBuilder()
                .progress(pr -> pr.status(JobStatus.SUCCEEDED)
                        .finishedAt(FINISHED)
                        .attempts(1)
                        .result(new Job.Result("answer", "end_turn")))
                .accounting(ac -> ac.usage(new Job.Usage(100, 20)).costUsd(new BigDecimal("0.001")))
                .build();
        assertTrue(jobs.finish(done));
        return done;
    }

    private Job stored(Job j) {
        return jobs.get(j.id()).orElseThrow();
    }

    private MonthlyUsage usage() {
        return new DynamoUsageMeter(dynamo, table).report("t", MONTH);
    }

    private List<String> pendingMarkers() {
        Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(table)
                        .consistentRead(true)
                        .key(Map.of(
                                "pk", AttributeValue.fromS("USAGE#t"), "sk", AttributeValue.fromS("MONTH#" + MONTH))))
                .item();
        return item == null
                ? List.of()
                : item.keySet().stream().filter(k -> k.startsWith("pending|")).toList();
    }

    private int eventsEnqueued() {
        int n = 0;
        for (int i = 0; i < 5; i++) {
            var got = sqs.receiveMessage(
                            r -> r.queueUrl(webhooksUrl).maxNumberOfMessages(10).waitTimeSeconds(1))
                    .messages();
            if (got.isEmpty()) {
                break;
            }
            n += got.size();
        }
        return n;
    }

    @Test
    void theFinisherSettlesInOneGoAndLaterDeliveriesChangeNothing() {
        Job job = finished("https://hooks.example.com/a");
        process().jobFinished(job);
        Job after = stored(job);
        assertTrue(after.accounting().settled() && after.accounting().usageRecorded());
        assertTrue(jobs.listActive(FINISHED.plus(Duration.ofDays(1)), 10).isEmpty(), "out of the active index");

        clock.set(FINISHED.plus(GRACE).plusSeconds(1));
        seenFinished(process(), after);
        seenFinished(process(), job); // a stale read taken before the finisher settled
        assertEquals(120, usage().totals().inputTokens() + usage().totals().outputTokens());
        assertEquals(1, usage().totals().succeeded());
        assertEquals(1, eventsEnqueued(), "the event went out once");
        assertEquals(List.of(), pendingMarkers());
    }

    @Test
    void aFinisherThatDiedAfterCountingIsSettledAfterTheGraceWithoutCountingAgain() {
        Job job = finished("https://hooks.example.com/a");
        // the finisher counted the usage, then died before the event and the mark
        try (UsageMeter.Unit finisher = new DynamoUsageMeter(dynamo, table).open()) {
            finisher.count(job);
        }
        assertEquals(1, pendingMarkers().size());

        clock.set(FINISHED.plusSeconds(5)); // a redelivery right away leaves the job to its finisher
        assertTrue(settleIfAbandoned(process(), job).isEmpty());
        assertFalse(stored(job).accounting().settled());

        clock.set(FINISHED.plus(GRACE).plusSeconds(1));
        assertTrue(settleIfAbandoned(process(), job).isPresent());
        assertTrue(stored(job).accounting().settled());
        assertEquals(1, usage().totals().succeeded());
        assertEquals(100, usage().totals().inputTokens());
        assertEquals(1, eventsEnqueued());
        assertEquals(List.of(), pendingMarkers());
    }

    @Test
    void aFinisherThatDiedBeforeCountingIsCountedOnceByWhoeverComesBack() throws Exception {
        List<Job> abandoned = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            abandoned.add(finished(i % 2 == 0 ? "https://hooks.example.com/" + i : null));
        }
        clock.set(FINISHED.plus(GRACE).plusSeconds(1));
        // redeliveries and reconciler runs at once, some working from reads taken before the others' writes
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<Boolean>> calls = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            for (Job j : abandoned) {
                JobOutcomes process = process();
                Job view = round % 2 == 0 ? j : stored(j);
                calls.add(pool.submit((Callable<Boolean>) () -> {
                    seenFinished(process, view);
                    return true;
                }));
            }
        }
        for (Future<Boolean> f : calls) {
            f.get();
        }
        pool.shutdown();
        MonthlyUsage u = usage();
        assertEquals(12, u.totals().succeeded(), u.toString());
        assertEquals(1200, u.totals().inputTokens());
        assertEquals(240, u.totals().outputTokens());
        assertEquals(0, new BigDecimal("0.012").compareTo(u.totals().costUsd()));
        assertEquals(6, eventsEnqueued(), "each of the six webhooks' events was enqueued once");
        assertTrue(abandoned.stream().allMatch(j -> stored(j).accounting().settled()));
        assertEquals(List.of(), pendingMarkers());
    }

    @Test
    void anEventThatCouldNotBeEnqueuedKeepsTheJobUnsettledButCountedUntilItIs() {
        JobOutcomes broken = new JobOutcomes(
                jobs,
                new DynamoBatchStore(dynamo, table, Duration.ofDays(30)),
                new SqsWebhookQueue(sqs, webhooksUrl + "-missing"),
                clock,
                ReconcilerIntegrationTest.ledger(table),
                GRACE);
        Job job = finished("https://hooks.example.com/a");
        broken.jobFinished(job);
        assertTrue(stored(job).accounting().usageRecorded());
        assertFalse(stored(job).accounting().settled(), "still owes its event");
        assertEquals(1, jobs.listActive(FINISHED.plus(Duration.ofDays(1)), 10).size());

        clock.set(FINISHED.plus(GRACE).plusSeconds(1));
        assertTrue(settleIfAbandoned(process(), job).isPresent());
        assertTrue(stored(job).accounting().settled());
        assertEquals(1, eventsEnqueued());
        assertEquals(1, usage().totals().succeeded(), "counted by the finisher only");
    }
}
