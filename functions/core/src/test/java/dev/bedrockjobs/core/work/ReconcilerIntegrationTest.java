package dev.bedrockjobs.core.work;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bedrockjobs.core.adapter.DynamoBatchStore;
import dev.bedrockjobs.core.adapter.DynamoJobStore;
import dev.bedrockjobs.core.adapter.DynamoLimitCounters;
import dev.bedrockjobs.core.adapter.DynamoResponseCache;
import dev.bedrockjobs.core.adapter.DynamoUsageMeter;
import dev.bedrockjobs.core.adapter.SqsDeadLetters;
import dev.bedrockjobs.core.adapter.SqsJobQueue;
import dev.bedrockjobs.core.adapter.SqsWebhookQueue;
import dev.bedrockjobs.core.domain.Batch;
import dev.bedrockjobs.core.domain.BatchStatus;
import dev.bedrockjobs.core.domain.Ids;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;

/** The reconciler against dynalite and ElasticMQ: what a crash leaves behind is found and mended, once. */
class ReconcilerIntegrationTest {
    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
    private final SqsClient sqs = SharedEmulators.sqsClient();
    private DynamoJobStore jobs;
    private DynamoBatchStore batches;
    private String queueUrl;
    private String dlqUrl;
    private String webhooksUrl;
    private JobOutcomes outcomes;
    private Reconciler reconciler;

    @BeforeEach
    void fresh() {
        String table = SharedEmulators.newJobsTable("reconcile");
        jobs = new DynamoJobStore(SharedEmulators.dynamoClient(), table, Duration.ofDays(30));
        batches = new DynamoBatchStore(SharedEmulators.dynamoClient(), table, Duration.ofDays(30));
        queueUrl = SharedEmulators.newQueue("reconcile", Map.of());
        dlqUrl = SharedEmulators.newQueue("reconcile-dlq", Map.of());
        webhooksUrl = SharedEmulators.newQueue("reconcile-webhooks", Map.of());
        outcomes = new JobOutcomes(
                jobs,
                batches,
                new SqsWebhookQueue(sqs, webhooksUrl),
                Clock.fixed(NOW, ZoneOffset.UTC),
                ledger(table),
                Duration.ofMinutes(10));
        reconciler = new Reconciler(
                jobs,
                batches,
                outcomes,
                new SqsJobQueue(sqs, queueUrl),
                new SqsDeadLetters(sqs, dlqUrl),
                Clock.fixed(NOW, ZoneOffset.UTC),
                Duration.ofMinutes(10));
    }

    static TenantLedger ledger(String table) {
        var dynamo = SharedEmulators.dynamoClient();
        return new TenantLedger(
                new DynamoUsageMeter(dynamo, table),
                new DynamoLimitCounters(dynamo, table),
                new DynamoResponseCache(dynamo, table),
                Duration.ofHours(24));
    }

    private Job job(Instant createdAt) {
        Job j = Job.builder()
                .id(Ids.newJobId(createdAt))
                .tenantId("t")
                .request(rq -> rq.tier("fast").modelId("m").prompt("p").maxTokens(10))
                .progress(pr -> pr.createdAt(createdAt))
                .build();
        jobs.create(j);
        return j;
    }

    private Set<String> messagesOnQueue() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            var received = sqs.receiveMessage(
                            r -> r.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1))
                    .messages();
            if (received.isEmpty()) {
                break;
            }
            received.forEach(m -> ids.add(Json.parse(m.body()).get("jobId").asText()));
        }
        return ids;
    }

    @Test
    void oldQueuedJobsAndExpiredLeasesAreRedrivenAndNothingElse() {
        Job lost = job(NOW.minus(Duration.ofMinutes(30)));
        Job fresh = job(NOW.minus(Duration.ofMinutes(1)));
        Job orphaned = job(NOW.minus(Duration.ofMinutes(40)));
        jobs.claim(orphaned.id(), "dead", NOW.minus(Duration.ofMinutes(20)), NOW.minus(Duration.ofMinutes(15)));
        Job busy = job(NOW.minus(Duration.ofMinutes(40)));
        jobs.claim(busy.id(), "alive", NOW.minus(Duration.ofMinutes(1)), NOW.plus(Duration.ofMinutes(4)));
        Job done = job(NOW.minus(Duration.ofMinutes(50)));
        Job claimed = jobs.claim(done.id(), "tok", NOW.minus(Duration.ofMinutes(49)), NOW)
                .orElseThrow();
        jobs.finish(claimed.toBuilder()
                .progress(pr -> pr.status(JobStatus.SUCCEEDED).finishedAt(NOW))
                .build());

        Reconciler.Report report = reconciler.run();
        assertEquals(1, report.requeued());
        assertEquals(1, report.redriven());
        assertEquals(Set.of(lost.id(), orphaned.id()), messagesOnQueue());
        assertTrue(!messagesOnQueue().contains(fresh.id()));
    }

    @Test
    void deadLetteredJobsFailAndTheirBatchCompletesOnce() {
        String batchId = Ids.newBatchId(NOW.minus(Duration.ofHours(1)));
        List<Job> items = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            int index = i;
            items.add(Job.builder()
                    .id(Ids.jobIdInBatch(batchId, i))
                    .tenantId("t")
                    .request(rq -> rq.tier("fast")
                            .modelId("m")
                            .prompt("p")
                            .maxTokens(10)
                            .batchId(batchId)
                            .itemIndex(index)
                            .customId("c" + index))
                    .progress(pr -> pr.createdAt(NOW.minus(Duration.ofHours(1))))
                    .build());
        }
        jobs.createAll(items);
        batches.create(Batch.accepted(batchId, "t", NOW.minus(Duration.ofHours(1)), 2, null, null, "h"));
        // item 0 finished, but the worker died before counting it; item 1's message went to the DLQ
        Job claimed = jobs.claim(items.get(0).id(), "tok", NOW.minus(Duration.ofMinutes(50)), NOW)
                .orElseThrow();
        jobs.finish(claimed.toBuilder()
                .progress(pr -> pr.status(JobStatus.SUCCEEDED).finishedAt(NOW).attempts(1))
                .build());
        sqs.sendMessage(r ->
                r.queueUrl(dlqUrl).messageBody("{\"jobId\":\"" + items.get(1).id() + "\",\"tenantId\":\"t\"}"));

        Reconciler.Report first = reconciler.run();
        assertEquals(1, first.deadLettered());
        assertEquals(1, first.batchesCompleted());
        Job failed = jobs.get(items.get(1).id()).orElseThrow();
        assertEquals(JobStatus.FAILED, failed.progress().status());
        assertEquals("dead_lettered", failed.progress().error().code());
        Batch batch = batches.get(batchId).orElseThrow();
        assertEquals(BatchStatus.COMPLETED, batch.status());
        assertEquals(1, batch.succeeded());
        assertEquals(1, batch.failed());

        Reconciler.Report second = reconciler.run();
        assertEquals(
                0,
                second.deadLettered() + second.batchesCompleted() + second.requeued() + second.redriven(),
                "a second run changes nothing: " + second);
        assertEquals(1, batches.get(batchId).orElseThrow().failed());
    }

    @Test
    void aBatchWhoseSubmissionStoppedBeforeAllItsJobsIsCanceledWithTheJobsItHas() {
        Instant createdAt = NOW.minus(Duration.ofHours(1));
        String batchId = Ids.newBatchId(createdAt);
        batches.create(Batch.accepted(batchId, "t", createdAt, 3, null, null, "h"));
        // its submit wrote the batch and two of its three jobs, then failed
        List<Job> written = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            int index = i;
            written.add(Job.builder()
                    .id(Ids.jobIdInBatch(batchId, i))
                    .tenantId("t")
                    .request(rq -> rq.tier("fast")
                            .modelId("m")
                            .prompt("p")
                            .maxTokens(10)
                            .batchId(batchId)
                            .itemIndex(index))
                    .progress(pr -> pr.createdAt(createdAt))
                    .build());
        }
        jobs.createAll(written);
        // a batch as old whose jobs are all there is left running
        String whole = Ids.newBatchId(createdAt.plusSeconds(1));
        batches.create(Batch.accepted(whole, "t", createdAt, 1, null, null, "h"));
        jobs.createAll(List.of(Job.builder()
                .id(Ids.jobIdInBatch(whole, 0))
                .tenantId("t")
                .request(rq -> rq.tier("fast")
                        .modelId("m")
                        .prompt("p")
                        .maxTokens(10)
                        .batchId(whole)
                        .itemIndex(0))
                .progress(pr -> pr.createdAt(createdAt))
                .build()));

        Reconciler.Report first = reconciler.run();
        assertEquals(1, first.batchesCanceled(), first.toString());
        Batch canceled = batches.get(batchId).orElseThrow();
        assertEquals(BatchStatus.CANCELED, canceled.status());
        assertEquals(2, canceled.canceled(), "each job it has is canceled and counted once");
        for (Job j : written) {
            assertEquals(
                    JobStatus.CANCELED,
                    jobs.get(j.id()).orElseThrow().progress().status());
        }
        assertEquals(BatchStatus.RUNNING, batches.get(whole).orElseThrow().status());

        Reconciler.Report second = reconciler.run();
        assertEquals(0, second.batchesCanceled(), second.toString());
        assertEquals(2, batches.get(batchId).orElseThrow().canceled());
    }

    private List<String> eventsOnWebhooksQueue() {
        List<String> subjects = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            var received = sqs.receiveMessage(
                            r -> r.queueUrl(webhooksUrl).maxNumberOfMessages(10).waitTimeSeconds(1))
                    .messages();
            if (received.isEmpty()) {
                break;
            }
            received.forEach(m -> {
                subjects.add(m.body());
                sqs.deleteMessage(d -> d.queueUrl(webhooksUrl).receiptHandle(m.receiptHandle()));
            });
        }
        return subjects;
    }

    private Job finished(Instant createdAt, String webhookUrl, Instant finishedAt) {
        Job j = Job.builder()
                .id(Ids.newJobId(createdAt))
                .tenantId("t")
                .request(rq ->
                        rq.tier("fast").modelId("m").prompt("p").maxTokens(10).webhookUrl(webhookUrl))
                .progress(pr -> pr.createdAt(createdAt))
                .build();
        jobs.create(j);
        Job claimed = jobs.claim(j.id(), "tok", createdAt, finishedAt).orElseThrow();
        Job done = claimed.toBuilder()
                .progress(pr ->
                        pr.status(JobStatus.SUCCEEDED).finishedAt(finishedAt).attempts(1))
                .build();
        assertTrue(jobs.finish(done));
        return done;
    }

    @Test
    void aWebhookEventLostAfterTheTerminalWriteIsSentAgainOnceAndOnlyOnce() {
        // the worker wrote the terminal state, then died before enqueueing the event
        Job lost = finished(
                NOW.minus(Duration.ofMinutes(40)), "https://hooks.example.com/lost", NOW.minus(Duration.ofMinutes(30)));
        // the worker finished and enqueued: nothing is owed
        Job delivered = finished(
                NOW.minus(Duration.ofMinutes(40)), "https://hooks.example.com/ok", NOW.minus(Duration.ofMinutes(30)));
        outcomes.jobFinished(delivered);
        // finished a moment ago: its worker is presumably enqueueing right now
        Job justNow = finished(
                NOW.minus(Duration.ofMinutes(40)), "https://hooks.example.com/now", NOW.minus(Duration.ofSeconds(5)));
        // no webhook: nothing to send, whatever happens
        Job quiet = finished(NOW.minus(Duration.ofMinutes(40)), null, NOW.minus(Duration.ofMinutes(30)));
        eventsOnWebhooksQueue();

        Reconciler.Report first = reconciler.run();
        assertEquals(1, first.eventsResent(), first.toString());
        List<String> sent = eventsOnWebhooksQueue();
        assertEquals(1, sent.size(), sent.toString());
        assertTrue(sent.get(0).contains(lost.id()), sent.get(0));
        assertTrue(sent.get(0).contains("job.succeeded"), sent.get(0));
        assertEquals(0, messagesOnQueue().size(), "a finished job is not re-queued for work");

        Reconciler.Report second = reconciler.run();
        assertEquals(0, second.eventsResent() + second.requeued() + second.redriven(), second.toString());
        assertEquals(List.of(), eventsOnWebhooksQueue(), "a second run sends nothing more");
        List<String> unsettled = jobs.listActive(NOW, 100).stream()
                .map(dev.bedrockjobs.core.port.JobStore.ActiveJob::id)
                .toList();
        assertEquals(List.of(justNow.id()), unsettled, "only the job finished a moment ago is still owed");
        assertTrue(quiet.request().webhookUrl() == null);
    }

    @Test
    void aBatchCompletedEventLostAfterTheCompletingWriteIsSentAgainOnceAndOnlyOnce() {
        Instant createdAt = NOW.minus(Duration.ofHours(1));
        String hooked = Ids.newBatchId(createdAt);
        String quiet = Ids.newBatchId(createdAt.plusSeconds(1));
        batches.create(Batch.accepted(hooked, "t", createdAt, 1, "https://hooks.example.com/batch", null, "h"));
        batches.create(Batch.accepted(quiet, "t", createdAt, 1, null, null, "h"));
        // Each batch's only job finishes half an hour ago through outcomes whose webhook send fails, as when the
        // worker dies between the batch's completing write and the enqueue of its event.
        Instant finishedAt = NOW.minus(Duration.ofMinutes(30));
        JobOutcomes sendFails = new JobOutcomes(
                jobs,
                batches,
                event -> {
                    throw new IllegalStateException("webhooks queue unreachable");
                },
                Clock.fixed(finishedAt, ZoneOffset.UTC),
                ledger(SharedEmulators.newJobsTable("reconcile-ledger")),
                Duration.ofMinutes(10));
        for (String batchId : List.of(hooked, quiet)) {
            Job item = Job.builder()
                    .id(Ids.jobIdInBatch(batchId, 0))
                    .tenantId("t")
                    .request(rq -> rq.tier("fast")
                            .modelId("m")
                            .prompt("p")
                            .maxTokens(10)
                            .batchId(batchId)
                            .itemIndex(0)
                            .customId("c0"))
                    .progress(pr -> pr.createdAt(createdAt))
                    .build();
            jobs.createAll(List.of(item));
            Job claimed = jobs.claim(item.id(), "tok", createdAt, finishedAt).orElseThrow();
            Job done = claimed.toBuilder()
                    .progress(pr -> pr.status(JobStatus.SUCCEEDED)
                            .finishedAt(finishedAt)
                            .attempts(1))
                    .build();
            assertTrue(jobs.finish(done));
            assertTrue(sendFails.jobFinished(done), "the job completes its batch");
        }
        assertEquals(BatchStatus.COMPLETED, batches.get(hooked).orElseThrow().status());
        assertEquals(List.of(), eventsOnWebhooksQueue(), "the completion was never announced");

        Reconciler.Report first = reconciler.run();
        assertEquals(1, first.eventsResent(), first.toString());
        assertEquals(0, first.batchesCompleted(), "the batch was already complete: " + first);
        List<String> sent = eventsOnWebhooksQueue();
        assertEquals(1, sent.size(), sent.toString());
        assertTrue(sent.get(0).contains("batch.completed") && sent.get(0).contains(hooked), sent.get(0));

        Reconciler.Report second = reconciler.run();
        assertEquals(0, second.eventsResent() + second.batchesCompleted(), second.toString());
        assertEquals(List.of(), eventsOnWebhooksQueue(), "a second run sends nothing more");
        assertEquals(List.of(), batches.listActive(NOW, 100), "both batches are settled");
    }
}
