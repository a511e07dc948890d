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
 * What a job settles with its tenant: its usage in the month's counters, its slot under the cap on active jobs
 * (both settled by {@link Settlement}), and, before that, an answer the request asked to cache.
 */
public record TenantLedger(UsageMeter usage, LimitCounters limits, ResponseCache cache, Duration cacheTtl) {
    private static final Logger LOG = Logger.getLogger(TenantLedger.class.getName());

    /**
     * Keeps a successful answer the request asked to cache. Called before the job is written as succeeded, so that a
     * client who sees it succeeded and asks again finds the answer.
     */
    public void remember(Job answered) {
        if (answered.request().cacheKey() == null
                || answered.accounting().cached()
                || answered.progress().status() != JobStatus.SUCCEEDED
                || answered.progress().result() == null) {
            return;
        }
        try {
            cache.put(
                    answered.request().cacheKey(),
                    answered.tenantId(),
                    answered.progress().result(),
                    answered.progress().finishedAt().plus(cacheTtl));
        } catch (RuntimeException e) {
            // The cache only saves a later model call; the job itself goes on.
            LOG.log(Level.WARNING, "job " + answered.id() + ": answer not cached", e);
        }
    }
}
