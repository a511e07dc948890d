package dev.bedrockjobs.core.port;

import java.util.List;

/**
 * Shared counters behind the per-tenant limits, each moved by one conditional write so that every submit function
 * instance sees the same count.
 */
public interface LimitCounters {

    /** Counts one request in the tenant's current second. @return false (nothing counted) if the second is full */
    boolean tryCountRequest(String tenantId, long epochSecond, long perSecond);

    /**
     * Adds jobs to the tenant's set of queued or running jobs unless that would take it above {@code max}. The set
     * makes a repeated reservation of the same ids harmless. @return false (nothing changed) if over the cap
     */
    boolean tryReserveActive(String tenantId, List<String> jobIds, long max);

    /** Takes jobs out of the tenant's active set; harmless for ids no longer (or never) in it. */
    void releaseActive(String tenantId, List<String> jobIds);

    /**
     * Mends the tenant's active set: takes out jobs that have finished, and ids made before {@code madeBefore} whose
     * job was never written (a submit that stopped between reserving and writing). @return how many were taken out
     */
    int releaseStale(String tenantId, java.time.Instant madeBefore);
}
