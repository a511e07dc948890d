package dev.bedrockjobs.core.port;

/**
 * Shared counters behind the per-tenant limits, each moved by single-item conditional writes so that every function
 * instance sees the same count.
 */
public interface LimitCounters {

    /** Counts one request in the tenant's current second. @return false (nothing counted) if the second is full */
    boolean tryCountRequest(String tenantId, long epochSecond, long perSecond);

    /** Counts jobs as queued or running unless that would take the tenant above {@code max}. @return false if so */
    boolean tryReserveActive(String tenantId, int jobs, long max);

    /** Gives back slots reserved for jobs that were not written after all. */
    void releaseActive(String tenantId, int jobs);

    /**
     * Gives back the slot a finished job held, once: the job item is marked first, so a repeat (a redelivery, the
     * reconciler, a cancel racing the worker) gives nothing back twice.
     */
    void releaseSlot(String tenantId, String jobId);

    /**
     * Sets the tenant's count back to its unfinished jobs that hold a slot, when it has drifted above that (a
     * submit that stopped after reserving, a worker that stopped between marking and giving back).
     * @return how many slots were freed
     */
    long recount(String tenantId);
}
