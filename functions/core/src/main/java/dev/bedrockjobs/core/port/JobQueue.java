package dev.bedrockjobs.core.port;

import java.util.List;

/** Hands jobs to the workers. A message names a job; the job itself lives in the {@link JobStore}. */
public interface JobQueue {

    void send(JobMessage message);

    /** Sends many; returns the messages that could not be sent (empty when all went). */
    List<JobMessage> sendAll(List<JobMessage> messages);

    record JobMessage(String jobId, String tenantId) {
    }
}
