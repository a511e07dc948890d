package dev.bedrockjobs.core.port;

import java.time.Duration;
import java.time.Instant;

/**
 * Shared counters behind the per-tenant limits, each moved by single-item conditional writes so that every function
 * instance sees the same count.
 */
public interface LimitCounters {

    /** Counts one request in the tenant's current second. @return false (nothing counted) if the second is full */
    boolean tryCountRequest(String tenantId, long epochSecond, long perSecond);

    /**
     * Counts jobs as queued or running unless that would take the tenant above {@code max}, and records {@code now}
     * as the tenant's last reservation. @return false if over
     */
    boolean tryReserveActive(String tenantId, int jobs, long max, Instant now);

    /** Releases slots reserved for jobs that were not written after all. */
    void releaseActive(String tenantId, int jobs);

    /**
     * Releases the slot a finished job held, once: the job item is marked first, so a repeat (a redelivery, the
     * reconciler, a cancel racing the worker) releases nothing twice.
     */
    void releaseSlot(String tenantId, String jobId);

    /**
     * Sets the tenant's count back to its unfinished jobs that hold a slot, when it has drifted above that (a
     * submit that stopped after reserving, a worker that stopped between marking and releasing). Slots reserved
     * for jobs not written yet are not visible in any count, so this does nothing while the tenant has reserved
     * within the last {@code quietFor}; and it runs at most once per {@code every} per tenant across all instances.
     * @return how many slots were released
     */
    long recount(String tenantId, Instant now, Duration quietFor, Duration every);

    /**
     * Counts one more long poll of the tenant held open, unless {@code max} are. Each start leases the count until
     * {@code leaseUntil}; once every lease has run out, counts that were never ended (a function that timed out
     * mid-wait) are forgotten. @return false (nothing counted) if {@code max} are open
     */
    boolean tryStartWait(String tenantId, int max, Instant now, Instant leaseUntil);

    /** A long poll counted by {@link #tryStartWait} has ended. */
    void endWait(String tenantId);
}
