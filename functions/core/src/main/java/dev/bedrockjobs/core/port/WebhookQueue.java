package dev.bedrockjobs.core.port;

import dev.bedrockjobs.core.domain.WebhookEvent;

/**
 * Hands webhook events to the webhook function. The worker sends a job's terminal event, batch progress sends
 * {@code batch.completed}, and the replay endpoint sends {@link WebhookEvent#replay} of an earlier event.
 */
public interface WebhookQueue {

    void send(WebhookEvent event);
}
