package dev.bedrockjobs.core.webhook;

import java.util.List;

/**
 * The log of webhook delivery attempts, kept with the job (or batch) the events are about, so that one read lists
 * every try of every event of a job.
 */
public interface WebhookDeliveries {

    /** Records one attempt of one event; recording the same attempt number again replaces it. */
    void record(WebhookEvent event, DeliveryAttempt attempt);

    /** Every attempt of every event about one job or batch, by event id, then attempt number. */
    List<DeliveryAttempt> list(WebhookEvent.Subject subject, String subjectId);

    default List<DeliveryAttempt> listForJob(String jobId) {
        return list(WebhookEvent.Subject.JOB, jobId);
    }

    default List<DeliveryAttempt> listForBatch(String batchId) {
        return list(WebhookEvent.Subject.BATCH, batchId);
    }
}
