package dev.bedrockjobs.core.port;

import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The single source of truth for jobs. Every state change is a conditional write on one item, so that concurrent
 * submitters, workers and cancels can never move a job backwards or finish it twice.
 */
public interface JobStore {

    /** Writes a new queued job. @return false if a job with that id already exists (nothing is changed) */
    boolean create(Job job);

    Optional<Job> get(String jobId);

    /**
     * Writes many new queued jobs in bulk. For ids never used before only: bulk writes cannot be conditional, so a
     * replay of an interrupted submission uses {@link #create} per job instead.
     */
    void createAll(List<Job> jobs);

    /**
     * Jobs the reconciler may have to help, created before a time, oldest first per shard: those not yet finished,
     * and finished ones not yet {@link #settle settled} (a webhook event that may never have been enqueued).
     */
    List<ActiveJob> listActive(Instant createdBefore, int limit);

    /** What the active index keeps of a job: enough to decide whether it needs help, not the job itself. */
    record ActiveJob(String id, String tenantId, JobStatus status, Instant finishedAt, Instant leaseUntil) {}

    /**
     * Records what followed a job's finish: its usage is in its tenant's counters ({@code usageRecorded}); and,
     * unless {@code eventOwed}, it owes nothing more (its terminal webhook event is on the webhooks queue, from where
     * the webhook function delivers it or records that it gave up, or it has no webhook), which takes it out of the
     * active index. A terminal write leaves a job unsettled, so that whatever a crash or a failed call cut short
     * after it is found by {@link #listActive} and done again. Idempotent; does nothing to a job not finished.
     */
    void settle(String jobId, Instant now, boolean eventOwed);

    /**
     * For a path that finds a finished job unsettled and did not finish it: the sole right to settle it until
     * {@code until}, which only one caller at a time obtains. @return the job as it now is if the right is this
     * caller's; empty if the job is settled, not finished, or someone else holds the right
     */
    Optional<Job> claimSettlement(String jobId, Instant now, Instant until);

    /** A batch's jobs in item order. */
    Page<Job> listByBatch(String batchId, int limit, String cursor);

    /** A job only if it belongs to the tenant: another tenant's job reads exactly like a missing one. */
    default Optional<Job> getOwned(String tenantId, String jobId) {
        return get(jobId).filter(j -> j.tenantId().equals(tenantId));
    }

    /** The tenant's jobs, newest first, optionally of one status; the cursor comes from a previous page. */
    Page<Job> listByTenant(String tenantId, JobStatus status, int limit, String cursor);

    /** What an idempotency key was given for: a job's keys and a batch's keys are separate namespaces. */
    enum KeyScope {
        JOB,
        BATCH
    }

    /**
     * Reserves an idempotency key of the tenant, in its scope, for a job or batch id. @return empty if the key is
     * now ours, else the earlier reservation
     */
    Optional<IdempotencyRecord> reserveIdempotencyKey(
            String tenantId, KeyScope scope, String key, String requestHash, String id, Instant expiresAt);

    record IdempotencyRecord(String jobId, String requestHash) {}

    /** queued -> canceled. @return the canceled job, or empty if it was no longer queued */
    Optional<Job> cancelQueued(String jobId, Instant now);

    /** Asks a running job to end as canceled when its model call returns. @return false if it was not running */
    boolean requestCancel(String jobId);

    /**
     * Claims a job for one worker: queued, or running with an expired lease, becomes running under a fresh fencing
     * token (and its count of deliveries goes up by one). @return the claimed job, or empty if someone else holds it or it
     * is finished
     */
    Optional<Job> claim(String jobId, String fencingToken, Instant now, Instant leaseUntil);

    /**
     * Writes a terminal state, only while {@code finished.fencingToken()} still holds the claim.
     * @return false if the claim was lost (another worker took over, or the job was canceled meanwhile)
     */
    boolean finish(Job finished);

    /** Gives a claim back (running -> queued) after a failure that a redelivery may fix. */
    boolean release(String jobId, String fencingToken);

    /** Fails a non-terminal job whose message will not be delivered again. */
    boolean failUndeliverable(String jobId, Job.Error error, Instant now);
}
