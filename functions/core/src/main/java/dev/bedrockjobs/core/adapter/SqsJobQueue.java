package dev.bedrockjobs.core.adapter;

import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.port.JobQueue;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * {@link JobQueue} on an SQS standard queue. The body is {@code {"jobId", "tenantId"}}; the same values ride as
 * message attributes so that operators can read a DLQ without parsing bodies.
 */
public final class SqsJobQueue implements JobQueue {
    private static final int SQS_BATCH_LIMIT = 10;

    private final SqsClient sqs;
    private final String queueUrl;

    public SqsJobQueue(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    @Override
    public void send(JobMessage message) {
        sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody(body(message)).messageAttributes(attributes(message)));
    }

    @Override
    public List<JobMessage> sendAll(List<JobMessage> messages) {
        List<List<JobMessage>> chunks = new ArrayList<>();
        for (int from = 0; from < messages.size(); from += SQS_BATCH_LIMIT) {
            chunks.add(messages.subList(from, Math.min(messages.size(), from + SQS_BATCH_LIMIT)));
        }
        List<JobMessage> failed = Collections.synchronizedList(new ArrayList<>());
        Parallel.run(chunks, chunk -> {
            List<SendMessageBatchRequestEntry> entries = new ArrayList<>(chunk.size());
            for (int i = 0; i < chunk.size(); i++) {
                entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(i))
                        .messageBody(body(chunk.get(i))).messageAttributes(attributes(chunk.get(i))).build());
            }
            try {
                SendMessageBatchResponse response = sqs.sendMessageBatch(r -> r.queueUrl(queueUrl).entries(entries));
                response.failed().forEach(f -> failed.add(chunk.get(Integer.parseInt(f.id()))));
            } catch (RuntimeException e) {
                failed.addAll(chunk);
            }
        });
        return List.copyOf(failed);
    }

    private static String body(JobMessage m) {
        return Json.write(Map.of("jobId", m.jobId(), "tenantId", m.tenantId()));
    }

    private static Map<String, MessageAttributeValue> attributes(JobMessage m) {
        return Map.of(
                "jobId", MessageAttributeValue.builder().dataType("String").stringValue(m.jobId()).build(),
                "tenantId", MessageAttributeValue.builder().dataType("String").stringValue(m.tenantId()).build());
    }
}
