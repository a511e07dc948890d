package dev.bedrockjobs.core.api;

import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.LimitExceeded;
import dev.bedrockjobs.core.domain.TenantLimits;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What one submit takes from its tenant's limits ({@link SubmitLimits#admit}): its request counted against the rate,
 * then the budget holds and active-job slots of the jobs it is about to write. A stored job carries its own hold and
 * slot and releases them when it is settled, so once its jobs are stored the submit {@link #commit commits};
 * whatever was taken for jobs that were not stored is released on {@link #close}, however the submit ends: a
 * refusal, an answer that writes no new job (a replay, a reused key), an exception. The request's count against the rate stays:
 * the request was made.
 */
public final class Admission implements AutoCloseable {
    private final SubmitLimits limits;
    private final String tenantId;
    private final TenantLimits tenant;
    /** Jobs whose budget holds were taken and are not yet carried by a stored job. */
    private List<Job> held = List.of();
    /** Active-job slots taken and not yet carried by a stored job. */
    private int slots;

    Admission(SubmitLimits limits, String tenantId, TenantLimits tenant) {
        this.limits = limits;
        this.tenantId = tenantId;
        this.tenant = tenant;
    }

    /** The tenant's limits, its own settings applied. */
    public TenantLimits limits() {
        return tenant;
    }

    /**
     * Takes, for jobs about to be written, their budget holds and then their slots, all or nothing.
     * @return the jobs as they must be written: each with its hold, and marked as holding a slot if it took one
     * @throws LimitExceeded if a budget or the cap on active jobs refuses them
     */
    public List<Job> take(List<Job> drafts) {
        if (!held.isEmpty() || slots > 0) {
            throw new IllegalStateException("an admission takes for one set of jobs");
        }
        List<Job> jobs = drafts.stream()
                .map(j -> limits.withBudgetHold(tenant, j).toBuilder()
                        .accounting(ac -> ac.holdsActiveSlot(tenant.capsActiveJobs()))
                        .build())
                .toList();
        limits.holdBudget(tenantId, tenant, jobs);
        held = jobs;
        int wanted = tenant.capsActiveJobs() ? jobs.size() : 0;
        limits.reserveActive(tenantId, tenant, wanted);
        slots = wanted;
        return jobs;
    }

    /** Every job taken for is stored: each carries its own hold and slot from now on. */
    public void commit() {
        held = List.of();
        slots = 0;
    }

    /** Only these of the jobs taken for are stored (by id); what was taken for the others is released on close. */
    public void commit(Collection<Job> stored) {
        Set<String> ids = stored.stream().map(Job::id).collect(Collectors.toSet());
        held = held.stream().filter(j -> !ids.contains(j.id())).toList();
        slots = (int)
                held.stream().filter(j -> j.accounting().holdsActiveSlot()).count();
    }

    /** Releases what no stored job carries. */
    @Override
    public void close() {
        limits.release(tenantId, tenant, slots, held);
        held = List.of();
        slots = 0;
    }
}
