package dev.bedrockjobs.core.work;

import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.port.BatchStore;

import java.time.Clock;

/**
 * Keeps a batch's counters in step with its jobs. Called wherever a batch job starts or ends (worker, cancel), and
 * again on every redelivery of a finished job: the store counts each job once, so calling twice is safe and mends a
 * count that a crash left unapplied.
 */
public final class BatchProgress {
    private final BatchStore batches;
    private final Clock clock;

    public BatchProgress(BatchStore batches, Clock clock) {
        this.batches = batches;
        this.clock = clock;
    }

    public void jobStarted(Job job) {
        if (job.batchId() != null) {
            batches.recordStarted(job.batchId(), job.id());
        }
    }

    /** @return true when this job's outcome completed its batch (the moment to announce batch.completed) */
    public boolean jobFinished(Job job) {
        return job.batchId() != null && job.status().isTerminal() && batches.recordFinished(job, clock.instant());
    }
}
