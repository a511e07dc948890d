package dev.bedrockjobs.core.adapter;

import dev.bedrockjobs.core.domain.Ids;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.domain.Lane;
import dev.bedrockjobs.core.port.JobQueue;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * {@link JobQueue} on one SQS standard queue per lane. The body is {@code {"jobId", "tenantId"}}; the same values ride
 * as message attributes so that operators can read a DLQ without parsing bodies.
 *
 * <p>Every message carries its share group as {@code MessageGroupId}, which makes the standard queue a fair queue:
 * when one group holds a disproportionate share of the messages in flight, SQS hands out other groups' messages
 * first, dropping and delaying nothing else
 * (docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-fair-queues.html).
 */
public final class SqsJobQueue implements JobQueue {
    private static final int SQS_BATCH_LIMIT = 10;
    /** What SQS accepts as a MessageGroupId: 1 to 128 letters, digits and punctuation. */
    private static final Pattern GROUP_ID = Pattern.compile("[\\p{Alnum}\\p{Punct}]{1,128}");

    private final SqsClient sqs;
    private final Map<Lane, String> queueUrls;

    /** @param queueUrls the queue of each lane; a lane without one sends to the interactive lane's queue */
    public SqsJobQueue(SqsClient sqs, Map<Lane, String> queueUrls) {
        if (queueUrls.get(Lane.INTERACTIVE) == null) {
            throw new IllegalArgumentException("the interactive lane needs a queue");
        }
        this.sqs = sqs;
        this.queueUrls = new EnumMap<>(queueUrls);
    }

    /** One queue for every lane (tests, and tools that drive a single queue). */
    public SqsJobQueue(SqsClient sqs, String queueUrl) {
        this(sqs, Map.of(Lane.INTERACTIVE, queueUrl, Lane.BULK, queueUrl));
    }

    @Override
    public void send(JobMessage message) {
        sqs.sendMessage(r -> r.queueUrl(urlOf(message.lane()))
                .messageBody(body(message))
                .messageAttributes(attributes(message))
                .messageGroupId(groupId(message)));
    }

    @Override
    public List<JobMessage> sendAll(List<JobMessage> messages) {
        List<List<JobMessage>> chunks = new ArrayList<>();
        Map<Lane, List<JobMessage>> byLane = new EnumMap<>(Lane.class);
        messages.forEach(
                m -> byLane.computeIfAbsent(m.lane(), l -> new ArrayList<>()).add(m));
        byLane.values().forEach(laneMessages -> {
            for (int from = 0; from < laneMessages.size(); from += SQS_BATCH_LIMIT) {
                chunks.add(laneMessages.subList(from, Math.min(laneMessages.size(), from + SQS_BATCH_LIMIT)));
            }
        });
        List<JobMessage> failed = Collections.synchronizedList(new ArrayList<>());
        Parallel.run(chunks, chunk -> {
            List<SendMessageBatchRequestEntry> entries = new ArrayList<>(chunk.size());
            for (int i = 0; i < chunk.size(); i++) {
                entries.add(SendMessageBatchRequestEntry.builder()
                        .id(Integer.toString(i))
                        .messageBody(body(chunk.get(i)))
                        .messageAttributes(attributes(chunk.get(i)))
                        .messageGroupId(groupId(chunk.get(i)))
                        .build());
            }
            try {
                SendMessageBatchResponse response = sqs.sendMessageBatch(
                        r -> r.queueUrl(urlOf(chunk.get(0).lane())).entries(entries));
                response.failed().forEach(f -> failed.add(chunk.get(Integer.parseInt(f.id()))));
            } catch (RuntimeException e) {
                failed.addAll(chunk);
            }
        });
        return List.copyOf(failed);
    }

    private String urlOf(Lane lane) {
        return queueUrls.getOrDefault(lane == null ? Lane.INTERACTIVE : lane, queueUrls.get(Lane.INTERACTIVE));
    }

    /** The share group as SQS takes it; one it would refuse (too long, other characters) goes as its digest. */
    static String groupId(JobMessage m) {
        String group = m.shareGroup() == null ? m.tenantId() : m.shareGroup();
        return GROUP_ID.matcher(group).matches() ? group : Ids.sha256Hex(group);
    }

    private static String body(JobMessage m) {
        return Json.write(Map.of("jobId", m.jobId(), "tenantId", m.tenantId()));
    }

    private static Map<String, MessageAttributeValue> attributes(JobMessage m) {
        return Map.of(
                "jobId",
                        MessageAttributeValue.builder()
                                .dataType("String")
                                .stringValue(m.jobId())
                                .build(),
                "tenantId",
                        MessageAttributeValue.builder()
                                .dataType("String")
                                .stringValue(m.tenantId())
                                .build());
    }
}
