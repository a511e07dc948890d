package dev.bedrockjobs.core.work;

import dev.bedrockjobs.core.view.JobViews;
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
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What follows from a job starting or finishing, in one place for every path that moves a job (worker, cancel,
 * reconciler): the tenant's usage and active-job slot, the job's terminal webhook event, the batch's counters and
 * its {@code batch.completed}.
 *
 * <p>Settling a finished job (usage, slot, event, then the job item's mark) is done by whoever finished it, right
 * after its terminal write ({@link #jobFinished}). Anyone else who finds the job finished and unsettled (a
 * redelivered message, the reconciler) leaves it to its finisher for the settle grace, then takes the store's
 * exclusive settlement claim before doing the same ({@link #jobSeenFinished}): two parties never settle one job at
 * the same time, which is what keeps usage counted once. The grace must outlast any invocation that may still be
 * settling: at least the worker's timeout. Batch counting is idempotent per item and done by every path.
 */
public final class JobOutcomes {
    private static final Logger LOG = Logger.getLogger(JobOutcomes.class.getName());

    private final JobStore jobs;
    private final BatchStore batches;
    private final WebhookQueue webhooks;
    private final Clock clock;
    private final TenantLedger ledger;
    private final Duration settleGrace;

    public JobOutcomes(JobStore jobs, BatchStore batches, WebhookQueue webhooks, Clock clock, TenantLedger ledger,
                       Duration settleGrace) {
        this.jobs = jobs;
        this.batches = batches;
        this.webhooks = webhooks;
        this.clock = clock;
        this.ledger = ledger;
        this.settleGrace = settleGrace;
    }

    public void jobStarted(Job job) {
        if (job.batchId() != null) {
            batches.recordStarted(job);
        }
    }

    /** A model's answer, before the job is written as finished: kept in the response cache if the request asked. */
    public void jobAnswered(Job answered) {
        ledger.remember(answered);
    }

    /**
     * Follows up a terminal write made by the caller itself. A failure here fails the call; the job then stays
     * unsettled and is settled by a later path after the grace.
     * @return true when this job's outcome completed its batch
     */
    public boolean jobFinished(Job job) {
        if (!job.status().isTerminal()) {
            return false;
        }
        settle(job);
        return countInBatch(job);
    }

    /**
     * Counts the usage of a job the caller holds and is about to write as finished, so that the terminal write can
     * also say it is counted and, with no webhook event owed, settled: one write fewer per job.
     * @return the job as the terminal write should store it
     */
    public Job countAhead(Job finishing) {
        ledger.countAhead(finishing);
        return finishing.toBuilder().usageRecorded(true).settled(finishing.webhookUrl() == null).build();
    }

    /** The terminal write after {@link #countAhead} was refused: what it counted comes out again. */
    public void uncount(Job finishing) {
        ledger.uncount(finishing);
    }

    /**
     * Follows up a job found finished by someone who did not finish it: repeats whatever a crash or a failed call
     * may have cut short, and nothing that was done.
     * @return true when this job's outcome completed its batch
     */
    public boolean jobSeenFinished(Job job) {
        if (!job.status().isTerminal()) {
            return false;
        }
        if (!job.settled()) {
            settleIfAbandoned(job.id(), job.finishedAt());
        }
        return countInBatch(job);
    }

    /**
     * Settles a job found finished and unsettled whose finisher had the grace to do it, under the store's
     * settlement claim. A job finished more recently is left to its finisher; were it to die, the reconciler comes
     * back later. @return the job this call settled, if it did
     */
    public Optional<Job> settleIfAbandoned(String jobId, Instant finishedAt) {
        Instant now = clock.instant();
        if (finishedAt != null && finishedAt.isAfter(now.minus(settleGrace))) {
            return Optional.empty();
        }
        Optional<Job> claimed = jobs.claimSettlement(jobId, now, now.plus(settleGrace));
        claimed.ifPresent(this::settle);
        return claimed;
    }

    /**
     * Cancels a batch and every job of it not finished: a queued one at once, followed up here as finished (its slot,
     * hold and batch count), a running one when its model call returns. Finished jobs keep their results.
     */
    public void cancelBatch(String batchId, Instant now) {
        batches.cancel(batchId, now);
        String cursor = null;
        do {
            Page<Job> page = jobs.listByBatch(batchId, 100, cursor);
            for (Job j : page.items()) {
                if (j.status() == JobStatus.QUEUED) {
                    jobs.cancelQueued(j.id(), now).ifPresentOrElse(this::jobFinished, () -> jobs.requestCancel(j.id()));
                } else if (j.status() == JobStatus.RUNNING) {
                    jobs.requestCancel(j.id());
                }
            }
            cursor = page.nextCursor();
        } while (cursor != null);
    }

    /** At the end of an invocation: writes what settling left for later. */
    public void flush() {
        ledger.flush();
    }

    /**
     * Usage first, so that what a webhook receiver may look up is in place before the event goes out; the job item's
     * mark last, since it tells every later path that all of this is done.
     */
    private void settle(Job job) {
        ledger.settle(job);
        if (!job.settled()) { // settled already when its terminal write said so (see countAhead)
            boolean eventOwed = job.webhookUrl() != null && !announce(JobViews.webhookEvent(job));
            jobs.settle(job.id(), clock.instant(), eventOwed);
        }
        ledger.settled(job);
    }

    private boolean countInBatch(Job job) {
        if (job.batchId() == null || !batches.recordFinished(job, clock.instant())) {
            return false;
        }
        batches.get(job.batchId()).filter(b -> b.webhookUrl() != null).ifPresent(this::batchCompleted);
        return true;
    }

    /**
     * Enqueues a completed batch's {@code batch.completed} event and marks the batch settled; the reconciler calls
     * it again for a batch whose event was lost after its completing write (same {@code webhook-id}).
     *
     * @return whether the event was enqueued
     */
    public boolean batchCompleted(Batch batch) {
        if (!announce(WebhookEvent.batchCompleted(batch, BatchViews.view(batch, List.of(), null)))) {
            return false;
        }
        try {
            batches.settle(batch.id());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "batch " + batch.id() + " not marked settled; the reconciler re-sends its event", e);
        }
        return true;
    }

    /**
     * A job event that is not enqueued leaves its job unsettled, so a later path sends it again; a failure to enqueue
     * is logged rather than allowed to undo the job's outcome.
     */
    private boolean announce(WebhookEvent event) {
        try {
            webhooks.send(event);
            return true;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "webhook event " + event.id() + " not enqueued", e);
            return false;
        }
    }
}
