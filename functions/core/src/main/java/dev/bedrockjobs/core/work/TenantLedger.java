package dev.bedrockjobs.core.work;

import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.port.LimitCounters;
import dev.bedrockjobs.core.port.ResponseCache;
import dev.bedrockjobs.core.port.UsageMeter;

import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What a job settles with its tenant: an answer the request asked to cache is stored, its usage goes into the
 * month's counters (once), and the slot it held under the tenant's cap on active jobs is given back. Each happens
 * once or is harmless to repeat, so any path that finishes a job (worker, redelivery, cancel, reconciler) may settle
 * it again.
 */
public final class TenantLedger {
    private static final Logger LOG = Logger.getLogger(TenantLedger.class.getName());

    private final UsageMeter usage;
    private final LimitCounters limits;
    private final ResponseCache cache;
    private final Duration cacheTtl;

    public TenantLedger(UsageMeter usage, LimitCounters limits, ResponseCache cache, Duration cacheTtl) {
        this.usage = usage;
        this.limits = limits;
        this.cache = cache;
        this.cacheTtl = cacheTtl;
    }

    /**
     * Keeps a successful answer the request asked to cache. Called before the job is written as succeeded, so that a
     * client who sees it succeeded and asks again finds the answer.
     */
    public void remember(Job answered) {
        if (answered.cacheKey() == null || answered.cached() || answered.status() != JobStatus.SUCCEEDED
                || answered.result() == null) {
            return;
        }
        try {
            cache.put(answered.cacheKey(), answered.tenantId(), answered.result(),
                    answered.finishedAt().plus(cacheTtl));
        } catch (RuntimeException e) {
            // The cache only saves a later model call; the job itself goes on.
            LOG.log(Level.WARNING, "job " + answered.id() + ": answer not cached", e);
        }
    }

    /** Counts the job's usage (unless marked counted already) and frees its active-job slot. */
    public void settle(Job job) {
        if (!job.status().isTerminal()) {
            return;
        }
        usage.record(job);
        if (job.holdsActiveSlot()) {
            limits.releaseSlot(job.tenantId(), job.id());
        }
    }

    /** Counts the usage of a job its caller is about to write as finished (see UsageMeter#recordAhead). */
    public void countAhead(Job finishing) {
        usage.recordAhead(finishing, finishing.fencingToken());
    }

    /** The terminal write after {@link #countAhead} was refused. */
    public void uncount(Job finishing) {
        usage.undoAhead(finishing, finishing.fencingToken());
    }

    /** The job item now says its usage is counted. */
    public void settled(Job job) {
        usage.settled(job);
    }

    /** At the end of an invocation: writes what the usage counters left for later. */
    public void flush() {
        usage.flush();
    }
}
