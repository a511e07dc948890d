package dev.bedrockjobs.core.port;

import dev.bedrockjobs.core.domain.Batch;
import dev.bedrockjobs.core.domain.Job;
import java.time.Instant;
import java.util.Optional;

/**
 * Batches and their running totals. Every update is idempotent per job (a set of item indexes guards each counter), so a
 * redelivered or replayed outcome is never counted twice, and a batch completes exactly once.
 */
public interface BatchStore {

    /** @return false if the batch already exists */
    boolean create(Batch batch);

    Optional<Batch> get(String batchId);

    default Optional<Batch> getOwned(String tenantId, String batchId) {
        return get(batchId).filter(b -> b.tenantId().equals(tenantId));
    }

    /** Notes that a batch job was claimed by a worker (for the running count). */
    void recordStarted(Job job);

    /**
     * Adds a terminal job's outcome (status, tokens, cost) to its batch, once.
     * @return true exactly when this call made the batch complete
     */
    boolean recordFinished(Job job, Instant now);

    /**
     * Batches created before a time that may still need the reconciler: those running, and those completed whose
     * {@code batch.completed} event is not yet {@link #settle settled}.
     */
    java.util.List<Batch> listActive(Instant createdBefore, int limit);

    /**
     * Marks a completed batch as owing nothing more: its {@code batch.completed} event is on the webhooks queue. The
     * completing write leaves a batch with a webhook unsettled, so that an event lost between that write and the
     * enqueue (a crash, a failed send) is found by {@link #listActive} and sent again. Idempotent.
     */
    void settle(String batchId);

    /** running -> canceled. @return false if the batch was no longer running */
    boolean cancel(String batchId, Instant now);
}
