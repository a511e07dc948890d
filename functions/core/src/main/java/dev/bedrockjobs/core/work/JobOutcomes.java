package dev.bedrockjobs.core.work;

import dev.bedrockjobs.core.domain.Batch;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.domain.WebhookEvent;
import dev.bedrockjobs.core.port.BatchStore;
import dev.bedrockjobs.core.port.JobStore;
import dev.bedrockjobs.core.port.Page;
import dev.bedrockjobs.core.port.WebhookQueue;
import dev.bedrockjobs.core.view.BatchViews;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What follows from a job starting or finishing, in one place for every path that moves a job (worker, cancel,
 * reconciler): the tenant's usage and active-job slot and the job's terminal webhook event (settled by a
 * {@link Settlement} this class opens), the batch's counters and its {@code batch.completed}. Batch counting is
 * idempotent per item and done by every path.
 */
public final class JobOutcomes {
    private static final Logger LOG = Logger.getLogger(JobOutcomes.class.getName());

    private final JobStore jobs;
    private final BatchStore batches;
    private final WebhookQueue webhooks;
    private final Clock clock;
    private final TenantLedger ledger;
    private final Duration settleGrace;

    public JobOutcomes(
            JobStore jobs,
            BatchStore batches,
            WebhookQueue webhooks,
            Clock clock,
            TenantLedger ledger,
            Duration settleGrace) {
        this.jobs = jobs;
        this.batches = batches;
        this.webhooks = webhooks;
        this.clock = clock;
        this.ledger = ledger;
        this.settleGrace = settleGrace;
    }

    /** Opens a unit of settling, to be closed by the caller (try-with-resources). */
    public Settlement open() {
        return new Settlement(jobs, webhooks, ledger, clock, settleGrace);
    }

    public void jobStarted(Job job) {
        if (job.request().batchId() != null) {
            batches.recordStarted(job);
        }
    }

    /** A model's answer, before the job is written as finished: kept in the response cache if the request asked. */
    public void jobAnswered(Job answered) {
        ledger.remember(answered);
    }

    /**
     * Follows up a terminal write made by the caller itself, in the caller's unit. A failure here fails the call;
     * the job then stays unsettled and is settled by a later path after the grace.
     * @return true when this job's outcome completed its batch
     */
    public boolean jobFinished(Settlement settlement, Job job) {
        if (!job.progress().status().isTerminal()) {
            return false;
        }
        settlement.settle(job);
        return countInBatch(job);
    }

    /** {@link #jobFinished(Settlement, Job)} in a unit of its own, for a caller that finishes one job. */
    public boolean jobFinished(Job job) {
        try (Settlement settlement = open()) {
            return jobFinished(settlement, job);
        }
    }

    /**
     * Follows up a job found finished by someone who did not finish it: repeats whatever a crash or a failed call
     * may have cut short, and nothing that was done.
     * @return true when this job's outcome completed its batch
     */
    public boolean jobSeenFinished(Settlement settlement, Job job) {
        if (!job.progress().status().isTerminal()) {
            return false;
        }
        if (!job.accounting().settled()) {
            settlement.settleIfAbandoned(job.id(), job.progress().finishedAt());
        }
        return countInBatch(job);
    }

    /**
     * Cancels a batch and every job of it not finished: a queued one at once, followed up here as finished (its slot,
     * hold and batch count), a running one when its model call returns. Finished jobs keep their results.
     */
    public void cancelBatch(Settlement settlement, String batchId, Instant now) {
        batches.cancel(batchId, now);
        String cursor = null;
        do {
            Page<Job> page = jobs.listByBatch(batchId, 100, cursor);
            for (Job j : page.items()) {
                if (j.progress().status() == JobStatus.QUEUED) {
                    jobs.cancelQueued(j.id(), now)
                            .ifPresentOrElse(c -> jobFinished(settlement, c), () -> jobs.requestCancel(j.id()));
                } else if (j.progress().status() == JobStatus.RUNNING) {
                    jobs.requestCancel(j.id());
                }
            }
            cursor = page.nextCursor();
        } while (cursor != null);
    }

    /** {@link #cancelBatch(Settlement, String, Instant)} in a unit of its own, for a cancel request. */
    public void cancelBatch(String batchId, Instant now) {
        try (Settlement settlement = open()) {
            cancelBatch(settlement, batchId, now);
        }
    }

    private boolean countInBatch(Job job) {
        if (job.request().batchId() == null || !batches.recordFinished(job, clock.instant())) {
            return false;
        }
        batches.get(job.request().batchId()).filter(b -> b.webhookUrl() != null).ifPresent(this::batchCompleted);
        return true;
    }

    /**
     * Enqueues a completed batch's {@code batch.completed} event and marks the batch settled; the reconciler calls
     * it again for a batch whose event was lost after its completing write (same {@code webhook-id}).
     *
     * @return whether the event was enqueued
     */
    public boolean batchCompleted(Batch batch) {
        WebhookEvent completed = WebhookEvent.batchCompleted(batch, BatchViews.view(batch, List.of(), null));
        if (!Settlement.announce(webhooks, completed)) {
            return false;
        }
        try {
            batches.settle(batch.id());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "batch " + batch.id() + " not marked settled; the reconciler re-sends its event", e);
        }
        return true;
    }
}
