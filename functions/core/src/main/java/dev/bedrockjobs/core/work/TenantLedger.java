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
 * What a finished job settles with its tenant: its usage goes into the month's counters (once), the slot it held
 * under the tenant's cap on active jobs is given back, and an answer the request asked to cache is stored. All three
 * happen once or are harmless to repeat, so any path that finishes a job (worker, redelivery, cancel, reconciler) may call this again.
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

    public void settle(Job job) {
        if (!job.status().isTerminal()) {
            return;
        }
        usage.record(job);
        if (job.holdsActiveSlot()) {
            limits.releaseSlot(job.tenantId(), job.id());
        }
        if (job.cacheKey() != null && !job.cached() && job.status() == JobStatus.SUCCEEDED && job.result() != null) {
            try {
                cache.put(job.cacheKey(), job.tenantId(), job.result(), job.finishedAt().plus(cacheTtl));
            } catch (RuntimeException e) {
                // The cache only saves a later model call; the job itself is done.
                LOG.log(Level.WARNING, "job " + job.id() + ": answer not cached", e);
            }
        }
    }
}
