package dev.bedrockjobs.core.work;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bedrockjobs.core.adapter.DynamoBatchStore;
import dev.bedrockjobs.core.adapter.DynamoJobStore;
import dev.bedrockjobs.core.adapter.SqsWebhookQueue;
import dev.bedrockjobs.core.domain.Batch;
import dev.bedrockjobs.core.domain.BatchStatus;
import dev.bedrockjobs.core.domain.Ids;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.model.Pricing;
import dev.bedrockjobs.core.port.JobStore;
import dev.bedrockjobs.core.port.ModelCallPolicy;
import dev.bedrockjobs.local.emulators.fixture.DocumentedBodies;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The worker against dynalite when a write is applied but its answer never arrives, as when the SDK retries a call
 * whose response was lost: the retry then meets the worker's own earlier write and must recognise it.
 */
class WorkerServiceIntegrationTest {
    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
    private static final String MODEL = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private DynamoJobStore jobs;
    private DynamoBatchStore batches;
    private JobOutcomes outcomes;

    @BeforeEach
    void fresh() {
        String table = SharedEmulators.newJobsTable("worker-lost");
        jobs = new DynamoJobStore(SharedEmulators.dynamoClient(), table, Duration.ofDays(30));
        batches = new DynamoBatchStore(SharedEmulators.dynamoClient(), table, Duration.ofDays(30));
        outcomes = new JobOutcomes(
                jobs,
                batches,
                new SqsWebhookQueue(
                        SharedEmulators.sqsClient(), SharedEmulators.newQueue("worker-lost-webhooks", Map.of())),
                clock,
                ReconcilerIntegrationTest.ledger(table),
                Duration.ofMinutes(10));
    }

    @Test
    void aClaimRepeatedWithTheSameTokenIsStillTheClaimersOwn() {
        Job job = queuedJob(null, null);
        assertTrue(jobs.claim(job.id(), "token-1", NOW, NOW.plusSeconds(300)).isPresent());
        assertTrue(
                jobs.claim(job.id(), "token-1", NOW, NOW.plusSeconds(300)).isPresent(),
                "the repeated claim must not look like a rival's live lease");
        assertTrue(
                jobs.claim(job.id(), "token-2", NOW, NOW.plusSeconds(300)).isEmpty(),
                "another token is still refused while the lease runs");
    }

    @Test
    void aFinishAppliedButUnansweredStillCountsTheJobIntoItsBatchOnce() {
        String batchId = Ids.newBatchId(NOW);
        batches.create(Batch.accepted(batchId, "t", NOW, 1, null, null, "h"));
        Job job = queuedJob(batchId, 0);
        AtomicInteger finishes = new AtomicInteger();
        JobStore answerLost = finishAnswerLostOnce(jobs, finishes);
        WorkerService worker = new WorkerService(
                answerLost, outcomes, answeringPolicy(), Pricing.load(), clock, Duration.ofMinutes(5), 5);

        assertEquals(WorkerService.Delivery.DONE, deliver(worker, job.id(), 1));

        assertEquals(1, finishes.get());
        assertEquals(
                JobStatus.SUCCEEDED, jobs.get(job.id()).orElseThrow().progress().status());
        Batch batch = batches.get(batchId).orElseThrow();
        assertEquals(BatchStatus.COMPLETED, batch.status(), "the batch's only job finished, so the batch completes");
        assertEquals(1, batch.succeeded());
        assertEquals(21, batch.inputTokens());

        assertEquals(WorkerService.Delivery.DONE, deliver(worker, job.id(), 2)); // and a redelivery counts nothing more
        assertEquals(1, batches.get(batchId).orElseThrow().succeeded());
    }

    @Test
    void aMessageForAJobLeasedByAnotherWorkerComesBackAsTheLeaseEnds() {
        Job job = queuedJob(null, null);
        assertTrue(
                jobs.claim(job.id(), "other-worker", NOW, NOW.plusSeconds(300)).isPresent());
        WorkerService worker =
                new WorkerService(jobs, outcomes, answeringPolicy(), Pricing.load(), clock, Duration.ofMinutes(5), 5);

        assertEquals(
                WorkerService.Delivery.retryIn(Duration.ofSeconds(301)),
                deliver(worker, job.id(), 1),
                "if the holder died, this message takes the job over as soon as its claim lapses");
        assertEquals(
                WorkerService.Delivery.DONE,
                deliver(worker, job.id(), 5),
                "the last receive leaves a live claim to its holder rather than dead-lettering the job");
        assertEquals(
                JobStatus.RUNNING, jobs.get(job.id()).orElseThrow().progress().status());
    }

    @Test
    void aFinishThatFailsReleasesTheClaimSoTheRedeliveryNeedNotWaitForTheLease() {
        Job job = queuedJob(null, null);
        JobStore finishFails = (JobStore) Proxy.newProxyInstance(
                JobStore.class.getClassLoader(), new Class<?>[] {JobStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("finish")) {
                        throw new IllegalStateException("DynamoDB unreachable past the SDK's retries");
                    }
                    try {
                        return method.invoke(jobs, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        WorkerService failing = new WorkerService(
                finishFails, outcomes, answeringPolicy(), Pricing.load(), clock, Duration.ofMinutes(5), 5);

        assertEquals(WorkerService.Delivery.RETRY_LATER, deliver(failing, job.id(), 1));
        Job released = jobs.get(job.id()).orElseThrow();
        assertEquals(JobStatus.QUEUED, released.progress().status(), "the claim was released");

        WorkerService worker =
                new WorkerService(jobs, outcomes, answeringPolicy(), Pricing.load(), clock, Duration.ofMinutes(5), 5);
        assertEquals(WorkerService.Delivery.DONE, deliver(worker, job.id(), 2));
        assertEquals(
                JobStatus.SUCCEEDED,
                jobs.get(job.id()).orElseThrow().progress().status(),
                "the next delivery claims and finishes the job at once");
    }

    /** One message for the job, in a batch of its own. */
    private static WorkerService.Delivery deliver(WorkerService worker, String jobId, int receiveCount) {
        try (WorkerService.Messages batch = worker.open()) {
            return batch.process(jobId, receiveCount);
        }
    }

    private Job queuedJob(String batchId, Integer index) {
        Job j = Job.builder()
                .id(batchId == null ? Ids.newJobId(NOW) : Ids.jobIdInBatch(batchId, index))
                .tenantId("t")
                .request(r -> r.tier("fast")
                        .modelId(MODEL)
                        .prompt("p")
                        .maxTokens(10)
                        .batchId(batchId)
                        .itemIndex(index)
                        .customId(index == null ? null : index.toString()))
                .progress(pr -> pr.createdAt(NOW))
                .build();
        assertTrue(jobs.create(j));
        return j;
    }

    /** The model answers at once with AWS's documented Anthropic response (21 input tokens, 15 output). */
    private static ModelCallPolicy answeringPolicy() {
        var response = DocumentedBodies.read("anthropic-claude-messages/response.json");
        return (jobId, executionName, modelId, body, streamWriter) -> new ModelCallPolicy.Answered(response, 1);
    }

    /** The store as the worker sees it when the first finish is written but its answer is lost. */
    private static JobStore finishAnswerLostOnce(JobStore real, AtomicInteger finishes) {
        return (JobStore) Proxy.newProxyInstance(
                JobStore.class.getClassLoader(), new Class<?>[] {JobStore.class}, (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (method.getName().equals("finish") && finishes.getAndIncrement() == 0) {
                        return false;
                    }
                    return result;
                });
    }
}
