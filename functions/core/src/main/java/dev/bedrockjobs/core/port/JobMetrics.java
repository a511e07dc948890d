package dev.bedrockjobs.core.port;

import dev.bedrockjobs.core.domain.Job;

/**
 * The operational figures of the service: jobs submitted and finished by model and tier, their tokens, cost,
 * attempts, time in the queue and time running, and webhook deliveries. Called once per fact (a job's finish is
 * reported by the write that made it final, so a redelivered message never counts twice). Prompts and results are
 * never part of a metric.
 */
public interface JobMetrics {

    /** A new job was stored (not an idempotent repeat). */
    void jobSubmitted(Job job);

    /** A job reached its terminal state: succeeded, failed or canceled. */
    void jobFinished(Job job);

    /** One webhook delivery attempt. */
    void webhookAttempt(String eventType, boolean delivered, long durationMs);

    /** Metrics off: local runs and tests. */
    JobMetrics NONE = new JobMetrics() {
        @Override
        public void jobSubmitted(Job job) {}

        @Override
        public void jobFinished(Job job) {}

        @Override
        public void webhookAttempt(String eventType, boolean delivered, long durationMs) {}
    };
}
