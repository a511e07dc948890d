package dev.bedrockjobs.core.work;

import dev.bedrockjobs.core.api.BatchViews;
import dev.bedrockjobs.core.domain.Batch;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.port.BatchStore;
import dev.bedrockjobs.core.port.JobStore;
import dev.bedrockjobs.core.webhook.WebhookEvent;
import dev.bedrockjobs.core.webhook.WebhookQueue;

import java.time.Clock;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What follows from a job starting or finishing, in one place for every path that moves a job (worker, cancel,
 * reconciler): the tenant's usage and active-job slot, the batch's counters, the job's terminal webhook event, and
 * the batch's {@code batch.completed}.
 * Safe to call again for the same job: the store counts each job once and completes a batch once, and a repeated
 * event carries the same {@code webhook-id}, which receivers use to drop duplicates.
 */
public final class JobOutcomes {
    private static final Logger LOG = Logger.getLogger(JobOutcomes.class.getName());

    private final JobStore jobs;
    private final BatchStore batches;
    private final WebhookQueue webhooks;
    private final Clock clock;
    private final TenantLedger ledger;

    public JobOutcomes(JobStore jobs, BatchStore batches, WebhookQueue webhooks, Clock clock, TenantLedger ledger) {
        this.jobs = jobs;
        this.batches = batches;
        this.webhooks = webhooks;
        this.clock = clock;
        this.ledger = ledger;
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

    /** @return true when this job's outcome completed its batch */
    public boolean jobFinished(Job job) {
        if (!job.status().isTerminal()) {
            return false;
        }
        // First, and allowed to fail the call: a redelivery then settles it, and the usage a webhook receiver may
        // look up is in place before the webhook goes out.
        ledger.settle(job);
        if (job.webhookUrl() != null && announce(WebhookEvent.forJob(job))) {
            settle(job);
        }
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
     * A lost event is mended by a later call for the same job (a redelivery or the reconciler), so a failure to
     * enqueue is logged rather than allowed to undo the job's outcome.
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

    /** The event is enqueued; were this mark lost, the reconciler sends the event again (same webhook-id). */
    private void settle(Job job) {
        try {
            jobs.settle(job.id(), clock.instant());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "job " + job.id() + " not marked settled; the reconciler re-sends its event", e);
        }
    }
}
