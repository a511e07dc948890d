package dev.bedrockjobs.core.port;

import dev.bedrockjobs.core.domain.DeliveryAttempt;
import dev.bedrockjobs.core.domain.WebhookEvent;
import java.util.List;

/**
 * The log of webhook delivery attempts, kept with the job (or batch) the events are about, so that one read lists
 * every try of every event of a job.
 */
public interface WebhookDeliveries {
    /** Replays of one job's (or batch's) event in one minute. */
    int REPLAYS_PER_SUBJECT_PER_MINUTE = 5;
    /** Replays of all of one tenant's events in one minute. */
    int REPLAYS_PER_TENANT_PER_MINUTE = 60;

    /**
     * Takes the next attempt number of an event (1 for its first try, replays included), atomically: concurrent
     * attempts of one event, a replay racing a retry among them, never get the same number, so none of them
     * replaces another in the log.
     */
    int nextAttemptNumber(WebhookEvent event);

    /**
     * Counts one replay of an event in the minute {@code epochMinute}, against the allowance of the event's job (or
     * batch) and that of its tenant.
     *
     * @return true if counted; false (nothing sent, the caller answers 429) if either allowance of this minute is
     *         used up
     */
    boolean tryCountReplay(WebhookEvent event, long epochMinute);

    /** Records one attempt of one event under the number {@link #nextAttemptNumber} gave it. */
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
