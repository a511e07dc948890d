package dev.bedrockjobs.core.adapter;

import dev.bedrockjobs.core.port.MessageVisibility;
import software.amazon.awssdk.services.sqs.SqsClient;

/** {@link MessageVisibility} through SQS {@code ChangeMessageVisibility} on one queue (the jobs or the webhooks queue). */
public final class SqsVisibility implements MessageVisibility {
    private final SqsClient sqs;
    private final String queueUrl;

    public SqsVisibility(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    @Override
    public void delay(String receiptHandle, int seconds) {
        sqs.changeMessageVisibility(
                r -> r.queueUrl(queueUrl).receiptHandle(receiptHandle).visibilityTimeout(seconds));
    }
}
