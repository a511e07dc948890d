package dev.bedrockjobs.core.port;

import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.Lane;
import java.util.List;

/**
 * Hands jobs to the workers, each in its {@link Lane}. A message names a job; the job itself lives in the
 * {@link JobStore}.
 */
public interface JobQueue {

    void send(JobMessage message);

    /** Sends many; returns the messages that could not be sent (empty when all went). */
    List<JobMessage> sendAll(List<JobMessage> messages);

    /**
     * @param shareGroup who the lane shares its workers fairly between: the tenant for a single job, the tenant's
     *                   batch for a batch item (so that two batches of one tenant share too)
     */
    record JobMessage(String jobId, String tenantId, Lane lane, String shareGroup) {

        /** A single interactive job's message. */
        public JobMessage(String jobId, String tenantId) {
            this(jobId, tenantId, Lane.INTERACTIVE, tenantId);
        }

        public static JobMessage of(Job job) {
            return new JobMessage(
                    job.id(),
                    job.tenantId(),
                    job.request().lane(),
                    job.request().batchId() == null
                            ? job.tenantId()
                            : job.tenantId() + "/" + job.request().batchId());
        }
    }
}
