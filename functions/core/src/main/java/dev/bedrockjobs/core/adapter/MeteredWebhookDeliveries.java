package dev.bedrockjobs.core.adapter;

import dev.bedrockjobs.core.domain.DeliveryAttempt;
import dev.bedrockjobs.core.domain.WebhookEvent;
import dev.bedrockjobs.core.port.JobMetrics;
import dev.bedrockjobs.core.port.WebhookDeliveries;
import java.util.List;

/** A {@link WebhookDeliveries} log that also reports each attempt: delivered, or not (to retry or given up). */
public final class MeteredWebhookDeliveries implements WebhookDeliveries {
    private final WebhookDeliveries deliveries;
    private final JobMetrics metrics;

    public MeteredWebhookDeliveries(WebhookDeliveries deliveries, JobMetrics metrics) {
        this.deliveries = deliveries;
        this.metrics = metrics;
    }

    @Override
    public int nextAttemptNumber(WebhookEvent event) {
        return deliveries.nextAttemptNumber(event);
    }

    @Override
    public boolean tryCountReplay(WebhookEvent event, long epochMinute) {
        return deliveries.tryCountReplay(event, epochMinute);
    }

    @Override
    public void record(WebhookEvent event, DeliveryAttempt attempt) {
        deliveries.record(event, attempt);
        metrics.webhookAttempt(
                attempt.eventType(), attempt.outcome() == DeliveryAttempt.Outcome.DELIVERED, attempt.durationMs());
    }

    @Override
    public List<DeliveryAttempt> list(WebhookEvent.Subject subject, String subjectId) {
        return deliveries.list(subject, subjectId);
    }
}
