package dev.bedrockjobs.core.adapter;

import dev.bedrockjobs.core.domain.Ids;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.port.DeadLetters;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Reads the DLQ without consuming it: messages are received with a short visibility timeout and left in place, so
 * the DLQ alarm keeps firing and operators can still inspect and redrive them.
 */
public final class SqsDeadLetters implements DeadLetters {
    private final SqsClient sqs;
    private final String queueUrl;

    public SqsDeadLetters(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    @Override
    public List<String> jobIds(int max) {
        Set<String> ids = new LinkedHashSet<>();
        for (int round = 0; round < (max + 9) / 10 && ids.size() < max; round++) {
            List<Message> messages = sqs.receiveMessage(r -> r.queueUrl(queueUrl)
                            .maxNumberOfMessages(10)
                            .visibilityTimeout(30)
                            .waitTimeSeconds(0))
                    .messages();
            if (messages.isEmpty()) {
                break;
            }
            for (Message m : messages) {
                try {
                    String id = Json.parse(m.body()).path("jobId").asText(null);
                    if (Ids.isWellFormed(id, "job_")) {
                        ids.add(id);
                    }
                } catch (RuntimeException notJson) {
                    // not one of ours: an operator's business, not the reconciler's
                }
            }
        }
        return new ArrayList<>(ids);
    }
}
