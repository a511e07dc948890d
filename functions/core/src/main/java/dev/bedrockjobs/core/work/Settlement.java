package dev.bedrockjobs.core.work;

import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.WebhookEvent;
import dev.bedrockjobs.core.port.JobStore;
import dev.bedrockjobs.core.port.LimitCounters;
import dev.bedrockjobs.core.port.UsageMeter;
import dev.bedrockjobs.core.port.WebhookQueue;
import dev.bedrockjobs.core.view.JobViews;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Settling finished jobs exactly once, as one unit of work: a job's usage is counted in its tenant's month (its
 * charge replacing its budget hold), its active-job slot is released, its terminal webhook event is enqueued, and
 * its item is marked settled. Every step happens once or is harmless to repeat, so any path that finds a job
 * finished and not settled may settle it again; {@code docs/design/settlement.md} has the sequence and the crash
 * points.
 *
 * <p>A job is settled by whoever finished it, right after its terminal write ({@link #settle}). Anyone else who finds
 * it finished and unsettled (a redelivered message, the reconciler) leaves it to its finisher for the settle grace,
 * then takes the store's exclusive settlement claim before doing the same ({@link #settleIfAbandoned}): two parties
 * never settle one job at the same time, which is what keeps usage counted once. The grace must outlast any
 * invocation that may still be settling: at least the worker's timeout.
 *
 * <p>Opened by {@link JobOutcomes#open} and closed by whoever opened it, with try-with-resources: per SQS batch by
 * the worker, per run by the reconciler, per request by a cancel. Closing writes what settling deferred (the usage
 * markers of jobs now marked counted, see {@link UsageMeter.Unit}); that costs only tidiness if it fails, so the
 * failure is logged, never thrown. One unit may be used by several threads at once.
 */
public final class Settlement implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Settlement.class.getName());

    private final JobStore jobs;
    private final WebhookQueue webhooks;
    private final LimitCounters limits;
    private final Clock clock;
    private final Duration grace;
    private final UsageMeter.Unit usage;

    Settlement(JobStore jobs, WebhookQueue webhooks, TenantLedger ledger, Clock clock, Duration grace) {
        this.jobs = jobs;
        this.webhooks = webhooks;
        this.limits = ledger.limits();
        this.clock = clock;
        this.grace = grace;
        this.usage = ledger.usage().open();
    }

    /**
     * Counts the usage of a job the caller holds and is about to write as finished, so that the terminal write can
     * also say it is counted and, with no webhook event owed, settled: one write fewer per job. If that write is
     * refused, {@link #withdrawAhead} takes the usage out again.
     * @return the job as the terminal write should store it
     */
    public Job countAhead(Job finishing) {
        usage.countAhead(finishing, finishing.progress().fencingToken());
        return finishing.toBuilder()
                .accounting(
                        ac -> ac.usageRecorded(true).settled(finishing.request().webhookUrl() == null))
                .build();
    }

    /** The terminal write after {@link #countAhead} was refused: what it counted comes out again. */
    public void withdrawAhead(Job finishing) {
        usage.withdrawAhead(finishing, finishing.progress().fencingToken());
    }

    /**
     * Settles a job the caller itself wrote as finished. Usage first, so that what a webhook receiver may look up is
     * in place before the event goes out; the job item's mark last, since it tells every later path that all of
     * this is done. A failure fails the call; the job then stays unsettled and is settled by a later path after the
     * grace.
     */
    public void settle(Job job) {
        if (!job.progress().status().isTerminal()) {
            return;
        }
        usage.count(job);
        if (job.accounting().holdsActiveSlot()) {
            limits.releaseSlot(job.tenantId(), job.id());
        }
        if (!job.accounting().settled()) { // settled already when its terminal write said so (see countAhead)
            boolean eventOwed = job.request().webhookUrl() != null && !announce(webhooks, JobViews.webhookEvent(job));
            jobs.settle(job.id(), clock.instant(), eventOwed);
        }
        usage.settled(job);
    }

    /**
     * Settles a job found finished and unsettled whose finisher had the grace to do it, under the store's
     * settlement claim. A job finished more recently is left to its finisher; were it to die, the reconciler comes
     * back later. @return the job this call settled, if it did
     */
    public Optional<Job> settleIfAbandoned(String jobId, Instant finishedAt) {
        Instant now = clock.instant();
        if (finishedAt != null && finishedAt.isAfter(now.minus(grace))) {
            return Optional.empty();
        }
        Optional<Job> claimed = jobs.claimSettlement(jobId, now, now.plus(grace));
        claimed.ifPresent(this::settle);
        return claimed;
    }

    /** Writes what settling deferred; see the class comment. */
    @Override
    public void close() {
        try {
            usage.close();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "usage markers left for a later unit", e);
        }
    }

    /**
     * A job event that is not enqueued leaves its job unsettled, so a later path sends it again; a failure to enqueue
     * is logged rather than allowed to undo the job's outcome. @return whether the event was enqueued
     */
    static boolean announce(WebhookQueue webhooks, WebhookEvent event) {
        try {
            webhooks.send(event);
            return true;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "webhook event " + event.id() + " not enqueued", e);
            return false;
        }
    }
}
