package dev.bedrockjobs.core.domain;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Set;

/**
 * A batch as stored. Its counters are kept exact under redelivery by remembering which jobs each counter has seen:
 * {@code startedJobs} (claimed at least once) and {@code finishedJobs} (terminal, counted once into the totals).
 */
public record Batch(
        String id,
        String tenantId,
        BatchStatus status,
        Instant createdAt,
        Instant finishedAt,
        int total,
        String webhookUrl,
        String idempotencyKey,
        String requestHash,
        Set<String> startedJobs,
        Set<String> finishedJobs,
        int succeeded,
        int failed,
        int canceled,
        long inputTokens,
        long outputTokens,
        BigDecimal costUsd) {

    public Batch {
        startedJobs = startedJobs == null ? Set.of() : Set.copyOf(startedJobs);
        finishedJobs = finishedJobs == null ? Set.of() : Set.copyOf(finishedJobs);
        costUsd = costUsd == null ? BigDecimal.ZERO : costUsd;
    }

    public static Batch accepted(String id, String tenantId, Instant createdAt, int total, String webhookUrl,
                                 String idempotencyKey, String requestHash) {
        return new Batch(id, tenantId, BatchStatus.RUNNING, createdAt, null, total, webhookUrl, idempotencyKey,
                requestHash, Set.of(), Set.of(), 0, 0, 0, 0, 0, BigDecimal.ZERO);
    }

    public int running() {
        int n = 0;
        for (String job : startedJobs) {
            if (!finishedJobs.contains(job)) {
                n++;
            }
        }
        return n;
    }

    public int queued() {
        return Math.max(0, total - finishedJobs.size() - running());
    }

    /** Every job has reached a terminal state (the counters say so; the status may not have caught up yet). */
    public boolean done() {
        return finishedJobs.size() >= total;
    }

    /**
     * What clients see as done: every job terminal and the batch's own status final. Between the last job's count
     * and the completing write, a batch is all-finished but still running; it is not yet done for a reader.
     */
    public boolean settled() {
        return status != BatchStatus.RUNNING && done();
    }
}
