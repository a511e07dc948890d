package dev.bedrockjobs.core.adapter;

import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.port.JobMetrics;
import dev.bedrockjobs.core.port.JobStore;
import dev.bedrockjobs.core.port.Page;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A {@link JobStore} that reports the writes that change what a job is: a new job stored, a job made final. The
 * metric follows the write that succeeded, so a refused (already applied) write never counts twice, and the services
 * stay unaware of metrics.
 */
public final class MeteredJobStore implements JobStore {
    private final JobStore store;
    private final JobMetrics metrics;

    public MeteredJobStore(JobStore store, JobMetrics metrics) {
        this.store = store;
        this.metrics = metrics;
    }

    @Override
    public boolean create(Job job) {
        boolean created = store.create(job);
        if (created) {
            metrics.jobSubmitted(job);
        }
        return created;
    }

    @Override
    public Optional<Job> get(String jobId) {
        return store.get(jobId);
    }

    @Override
    public void createAll(List<Job> jobs) {
        store.createAll(jobs);
        jobs.forEach(metrics::jobSubmitted);
    }

    @Override
    public List<ActiveJob> listActive(Instant createdBefore, int limit) {
        return store.listActive(createdBefore, limit);
    }

    @Override
    public Page<Job> listByBatch(String batchId, int limit, String cursor) {
        return store.listByBatch(batchId, limit, cursor);
    }

    @Override
    public Optional<Job> getOwned(String tenantId, String jobId) {
        return store.getOwned(tenantId, jobId);
    }

    @Override
    public Page<Job> listByTenant(String tenantId, JobStatus status, int limit, String cursor) {
        return store.listByTenant(tenantId, status, limit, cursor);
    }

    @Override
    public Optional<IdempotencyRecord> reserveIdempotencyKey(
            String tenantId, KeyScope scope, String key, String requestHash, String jobId, Instant expiresAt) {
        return store.reserveIdempotencyKey(tenantId, scope, key, requestHash, jobId, expiresAt);
    }

    @Override
    public Optional<Job> cancelQueued(String jobId, Instant now) {
        Optional<Job> canceled = store.cancelQueued(jobId, now);
        canceled.ifPresent(metrics::jobFinished);
        return canceled;
    }

    @Override
    public boolean requestCancel(String jobId) {
        return store.requestCancel(jobId);
    }

    @Override
    public Optional<Job> claim(String jobId, String fencingToken, Instant now, Instant leaseUntil) {
        return store.claim(jobId, fencingToken, now, leaseUntil);
    }

    @Override
    public boolean finish(Job finished) {
        boolean done = store.finish(finished);
        if (done) {
            metrics.jobFinished(finished);
        }
        return done;
    }

    @Override
    public boolean release(String jobId, String fencingToken) {
        return store.release(jobId, fencingToken);
    }

    @Override
    public void settle(String jobId, Instant now, boolean eventOwed) {
        store.settle(jobId, now, eventOwed);
    }

    @Override
    public Optional<Job> claimSettlement(String jobId, Instant now, Instant until) {
        return store.claimSettlement(jobId, now, until);
    }

    @Override
    public boolean failUndeliverable(String jobId, Job.Error error, Instant now) {
        boolean failed = store.failUndeliverable(jobId, error, now);
        if (failed) {
            store.get(jobId).ifPresent(metrics::jobFinished);
        }
        return failed;
    }
}
