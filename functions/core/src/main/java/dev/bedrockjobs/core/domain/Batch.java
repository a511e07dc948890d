package dev.bedrockjobs.core.domain;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * A batch as stored. Its counters are kept exact under redelivery by remembering which items each counter has seen,
 * by item index (a job's place in the batch, which also derives its id): {@code startedItems} (claimed at least
 * once) and {@code finishedItems} (terminal, counted once into the totals). Indexes rather than ids keep a
 * 1,000-item batch's record a few kilobytes, since every job's outcome rewrites it. {@code finishes} tell its
 * recent pace: per stored part of it, the items finished and the time from the first's start to the last's finish.
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
        Set<Integer> startedItems,
        Set<Integer> finishedItems,
        int succeeded,
        int failed,
        int canceled,
        long inputTokens,
        long outputTokens,
        BigDecimal costUsd,
        List<Finishes> finishes) {

    public Batch {
        finishes = finishes == null ? List.of() : List.copyOf(finishes);
        startedItems = startedItems == null ? Set.of() : Set.copyOf(startedItems);
        finishedItems = finishedItems == null ? Set.of() : Set.copyOf(finishedItems);
        costUsd = costUsd == null ? BigDecimal.ZERO : costUsd;
    }

    public static Batch accepted(
            String id,
            String tenantId,
            Instant createdAt,
            int total,
            String webhookUrl,
            String idempotencyKey,
            String requestHash) {
        return new Batch(
                id,
                tenantId,
                BatchStatus.RUNNING,
                createdAt,
                null,
                total,
                webhookUrl,
                idempotencyKey,
                requestHash,
                Set.of(),
                Set.of(),
                0,
                0,
                0,
                0,
                0,
                BigDecimal.ZERO,
                List.of());
    }

    public int running() {
        int n = 0;
        for (Integer item : startedItems) {
            if (!finishedItems.contains(item)) {
                n++;
            }
        }
        return n;
    }

    public int queued() {
        return Math.max(0, total - finishedItems.size() - running());
    }

    /** Every job has reached a terminal state (the counters say so; the status may not have caught up yet). */
    public boolean done() {
        return finishedItems.size() >= total;
    }

    /**
     * What clients see as done: every job terminal and the batch's own status final. Between the last job's count
     * and the completing write, a batch is all-finished but still running; it is not yet done for a reader.
     */
    public boolean settled() {
        return status != BatchStatus.RUNNING && done();
    }
}
