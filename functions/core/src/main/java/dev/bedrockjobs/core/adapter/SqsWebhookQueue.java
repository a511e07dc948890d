package dev.bedrockjobs.core.adapter;

import dev.bedrockjobs.core.domain.WebhookEvent;
import dev.bedrockjobs.core.port.WebhookQueue;
import java.util.Map;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * {@link WebhookQueue} on an SQS standard queue. The body is {@link WebhookEvent#toMessage()}; the event id, type
 * and tenant also ride as message attributes so operators can read a DLQ without parsing bodies.
 */
public final class SqsWebhookQueue implements WebhookQueue {
    private final SqsClient sqs;
    private final String queueUrl;

    public SqsWebhookQueue(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    @Override
    public void send(WebhookEvent event) {
        sqs.sendMessage(r -> r.queueUrl(queueUrl)
                .messageBody(event.toMessage())
                .messageAttributes(Map.of(
                        "eventId", attribute(event.id()),
                        "eventType", attribute(event.type().wire()),
                        "tenantId", attribute(event.tenantId()))));
    }

    private static MessageAttributeValue attribute(String value) {
        return MessageAttributeValue.builder()
                .dataType("String")
                .stringValue(value)
                .build();
    }
}
