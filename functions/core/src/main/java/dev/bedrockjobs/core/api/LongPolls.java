package dev.bedrockjobs.core.api;

import dev.bedrockjobs.core.port.LimitCounters;
import java.time.Duration;
import java.time.Instant;

/**
 * The bound on one tenant's long polls ({@code GET /v1/jobs/{id}?wait=N}) held open at once, counted in the table
 * so that it holds across function instances. A poll over the bound is answered at once with the job as it is: a
 * tenant polling in a loop still gets its answers, and cannot hold the status function's concurrency (or, locally,
 * the front's handling slots) away from other tenants.
 */
public final class LongPolls {
    /** Longer than the status function's 29-second timeout: no wait outlives its lease. */
    static final Duration LEASE = Duration.ofSeconds(30);

    public static final int DEFAULT_PER_TENANT = 10;

    private final LimitCounters counters;
    private final int perTenant;

    public LongPolls(LimitCounters counters, int perTenant) {
        if (perTenant < 1) {
            throw new IllegalArgumentException("long polls per tenant must be at least 1");
        }
        this.counters = counters;
        this.perTenant = perTenant;
    }

    /** @return whether the tenant may hold one more poll open; if so, {@link #end} must follow */
    boolean tryStart(String tenantId, Instant now) {
        return counters.tryStartWait(tenantId, perTenant, now, now.plus(LEASE));
    }

    void end(String tenantId) {
        counters.endWait(tenantId);
    }
}
