package dev.bedrockjobs.core.adapter;

import dev.bedrockjobs.core.domain.Batch;
import dev.bedrockjobs.core.domain.BatchStatus;
import dev.bedrockjobs.core.domain.Ids;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Batch counters against dynalite: each job counted once, the batch completed once, whatever the redeliveries. */
class DynamoBatchStoreIntegrationTest {
    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    private static DynamoBatchStore batches;
    private static String table;

    @BeforeAll
    static void table() {
        table = SharedEmulators.newJobsTable("batches");
        batches = new DynamoBatchStore(SharedEmulators.dynamoClient(), table, Duration.ofDays(30));
    }

    private static Job finished(String batchId, int i, JobStatus status) {
        return Job.builder().id(Ids.jobIdInBatch(batchId, i)).tenantId("t").tier("fast").modelId("m").prompt("p")
                .maxTokens(10).createdAt(T0).batchId(batchId).itemIndex(i).customId(Integer.toString(i))
                .status(status).finishedAt(T0)
                .usage(status == JobStatus.SUCCEEDED ? new Job.Usage(100, 50) : null)
                .costUsd(status == JobStatus.SUCCEEDED ? new BigDecimal("0.001000") : null)
                .build();
    }

    @Test
    void countsAreExactAndCompletionHappensOnceUnderConcurrentRedelivery() throws Exception {
        String id = Ids.newBatchId(T0);
        int total = 250; // three parts: 100, 100 and 50 items
        assertTrue(batches.create(Batch.accepted(id, "t", T0, total, null, null, "h")));
        assertFalse(batches.create(Batch.accepted(id, "t", T0, total, null, null, "h")));
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            jobs.add(finished(id, i, i % 10 == 0 ? JobStatus.FAILED : JobStatus.SUCCEEDED));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Boolean>> completions = new ArrayList<>();
        for (int round = 0; round < 3; round++) { // every outcome delivered three times, in parallel
            for (Job j : jobs) {
                completions.add(pool.submit(() -> {
                    batches.recordStarted(j);
                    return batches.recordFinished(j, T0);
                }));
            }
        }
        int completed = 0;
        for (Future<Boolean> f : completions) {
            completed += f.get() ? 1 : 0;
        }
        pool.shutdown();
        assertEquals(1, completed, "exactly one call completes the batch");
        Batch b = batches.get(id).orElseThrow();
        assertEquals(BatchStatus.COMPLETED, b.status());
        assertEquals(225, b.succeeded());
        assertEquals(25, b.failed());
        assertEquals(0, b.running());
        assertEquals(0, b.queued());
        assertEquals(225 * 100, b.inputTokens());
        assertEquals(225 * 50, b.outputTokens());
        assertEquals(0, new BigDecimal("0.225").compareTo(b.costUsd()));
        assertTrue(b.done());
    }

    @Test
    void aWorkerThatDiedAfterFillingTheLastPartLeavesTheCompletionToTheNextDelivery() {
        String id = Ids.newBatchId(T0);
        assertTrue(batches.create(Batch.accepted(id, "t", T0, 150, null, null, "h")));
        for (int i = 0; i < 149; i++) {
            assertFalse(batches.recordFinished(finished(id, i, JobStatus.SUCCEEDED), T0));
        }
        // the last job's worker counted it into its part, then died before telling the batch the part was full
        SharedEmulators.dynamoClient().updateItem(u -> u.tableName(table)
                .key(Map.of("pk", AttributeValue.fromS("BATCH#" + id), "sk", AttributeValue.fromS("BATCH#PART#001")))
                .updateExpression("ADD finishedItems :i, succeeded :one, inputTokens :in, outputTokens :out, "
                        + "costUsd :cost")
                .expressionAttributeValues(Map.of(":i", AttributeValue.fromNs(List.of("149")),
                        ":one", AttributeValue.fromN("1"), ":in", AttributeValue.fromN("100"),
                        ":out", AttributeValue.fromN("50"), ":cost", AttributeValue.fromN("0.001"))));
        assertEquals(BatchStatus.RUNNING, batches.get(id).orElseThrow().status());
        assertTrue(batches.get(id).orElseThrow().done() && !batches.get(id).orElseThrow().settled(),
                "all finished, not yet completed");

        assertTrue(batches.recordFinished(finished(id, 149, JobStatus.SUCCEEDED), T0), "the redelivery completes it");
        assertFalse(batches.recordFinished(finished(id, 149, JobStatus.SUCCEEDED), T0), "once");
        Batch b = batches.get(id).orElseThrow();
        assertEquals(BatchStatus.COMPLETED, b.status());
        assertEquals(150, b.succeeded());
        assertEquals(150 * 100, b.inputTokens());
    }

    @Test
    void runningAndQueuedAreDerivedFromWhatStartedAndFinished() {
        String id = Ids.newBatchId(T0);
        batches.create(Batch.accepted(id, "t", T0, 5, null, null, "h"));
        batches.recordStarted(finished(id, 0, JobStatus.RUNNING));
        batches.recordStarted(finished(id, 1, JobStatus.RUNNING));
        batches.recordStarted(finished(id, 1, JobStatus.RUNNING));
        assertFalse(batches.recordFinished(finished(id, 0, JobStatus.SUCCEEDED), T0));
        assertFalse(batches.recordFinished(finished(id, 4, JobStatus.CANCELED), T0));
        Batch b = batches.get(id).orElseThrow();
        assertEquals(1, b.running());
        assertEquals(2, b.queued());
        assertEquals(1, b.succeeded());
        assertEquals(1, b.canceled());
        assertFalse(b.done());
    }

    @Test
    void aCanceledBatchStaysCanceledWhenItsLastJobEnds() {
        String id = Ids.newBatchId(T0);
        batches.create(Batch.accepted(id, "t", T0, 1, null, null, "h"));
        assertTrue(batches.cancel(id, T0));
        assertFalse(batches.cancel(id, T0));
        assertFalse(batches.recordFinished(finished(id, 0, JobStatus.CANCELED), T0));
        assertEquals(BatchStatus.CANCELED, batches.get(id).orElseThrow().status());
    }
}
