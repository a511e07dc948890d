package dev.bedrockjobs.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.port.JobStore;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * One dead-letter queue and the queue it drains: counts and a page of its messages without consuming them, and a
 * redrive that moves messages back to the source queue.
 *
 * <p>Reading never deletes: messages are received with a short visibility timeout, and their visibility is set back
 * to 0 at once, so the DLQ alarm, the reconciler and the next operator still see them.
 *
 * <p>Redrive of the jobs DLQ moves only messages whose job is still {@code queued} or {@code running}: the
 * reconciler has not failed it yet, and a fresh message (receive count 0) lets a worker take it. A job that is
 * finished is left alone, {@code dead_lettered} included: the reconciler already failed it, counted it in its batch
 * and announced {@code job.failed}; moving it back to {@code queued} would move a job backwards, and its batch's
 * counts and its webhook receivers would contradict the job. Such a job is re-run by submitting it again. Messages
 * skipped this way stay in the DLQ (visible again when the redrive ends). The webhooks DLQ holds events whose
 * deliveries crashed rather than gave up (a give-up is recorded and deleted); all of them are moved, and a repeat is
 * harmless since receivers drop duplicates by {@code webhook-id}.
 */
public final class DeadLetterQueue {
    /** Long enough to decide about one page of messages; set back to 0 as soon as the page is decided. */
    static final int HOLD_SECONDS = 30;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The interactive lane's jobs, the bulk lane's jobs, or webhook events. */
    public enum Kind {
        JOBS,
        BULK_JOBS,
        WEBHOOKS;

        public boolean holdsJobs() {
            return this != WEBHOOKS;
        }
    }

    /** One message as an operator reads it. */
    public record Entry(
            String messageId, String subject, int receiveCount, Instant firstReceived, Instant sent, String body) {}

    public record Counts(long visible, long inFlight) {}

    public record RedriveResult(int moved, int skipped, List<String> skippedReasons) {}

    private final SqsClient sqs;
    private final Kind kind;
    private final String dlqUrl;
    private final String sourceUrl;
    private final JobStore jobs;

    /** @param jobs the table's jobs, needed to redrive the jobs DLQ only */
    public DeadLetterQueue(SqsClient sqs, Kind kind, String dlqUrl, String sourceUrl, JobStore jobs) {
        this.sqs = sqs;
        this.kind = kind;
        this.dlqUrl = dlqUrl;
        this.sourceUrl = sourceUrl;
        this.jobs = jobs;
    }

    public Counts counts() {
        Map<QueueAttributeName, String> a = sqs.getQueueAttributes(g -> g.queueUrl(dlqUrl)
                        .attributeNames(
                                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                .attributes();
        return new Counts(
                Long.parseLong(a.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "0")),
                Long.parseLong(a.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE, "0")));
    }

    /** Up to {@code max} messages, left in the queue and visible again when this returns. */
    public List<Entry> peek(int max) {
        Map<String, Message> held = new LinkedHashMap<>();
        try {
            while (held.size() < max) {
                List<Message> page = receive(Math.min(10, max - held.size()));
                if (page.isEmpty() || page.stream().allMatch(m -> held.containsKey(m.messageId()))) {
                    break;
                }
                page.forEach(m -> held.putIfAbsent(m.messageId(), m));
            }
        } finally {
            release(new ArrayList<>(held.values()));
        }
        return held.values().stream().map(this::entry).toList();
    }

    /** Moves up to {@code max} messages to the source queue (jobs: only those whose job is unfinished). */
    public RedriveResult redrive(int max) {
        int moved = 0;
        List<Message> skipped = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        try {
            while (moved + skipped.size() < max) {
                List<Message> page = receive(Math.min(10, max - moved - skipped.size()));
                if (page.isEmpty()) {
                    break;
                }
                for (Message m : page) {
                    Optional<String> refusal = refusal(m);
                    if (refusal.isPresent()) {
                        skipped.add(m);
                        reasons.add(entry(m).subject() + ": " + refusal.get());
                        continue;
                    }
                    // with its share group, so that the lane still shares its workers fairly
                    sqs.sendMessage(s -> s.queueUrl(sourceUrl)
                            .messageBody(m.body())
                            .messageAttributes(m.messageAttributes())
                            .messageGroupId(m.attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID)));
                    // deleted only once the copy is on the source queue: a crash in between leaves a duplicate,
                    // which workers and receivers already tolerate, never a loss
                    sqs.deleteMessage(d -> d.queueUrl(dlqUrl).receiptHandle(m.receiptHandle()));
                    moved++;
                }
            }
        } finally {
            release(skipped);
        }
        return new RedriveResult(moved, skipped.size(), reasons);
    }

    /** Why a message must stay in the DLQ, or empty if it may be moved. */
    private Optional<String> refusal(Message m) {
        if (kind == Kind.WEBHOOKS) {
            return Optional.empty();
        }
        String jobId = field(m.body(), "jobId");
        if (jobId == null) {
            return Optional.of("not a job message");
        }
        Optional<Job> job = jobs.get(jobId);
        if (job.isEmpty()) {
            return Optional.of("no such job (expired or never stored)");
        }
        JobStatus status = job.get().progress().status();
        if (status.isTerminal()) {
            String code = job.get().progress().error() == null
                    ? ""
                    : " (" + job.get().progress().error().code() + ")";
            return Optional.of("job is already " + status.wire() + code + "; submit it again to re-run it");
        }
        return Optional.empty();
    }

    private List<Message> receive(int n) {
        return sqs.receiveMessage(r -> r.queueUrl(dlqUrl)
                        .maxNumberOfMessages(n)
                        .visibilityTimeout(HOLD_SECONDS)
                        .waitTimeSeconds(0)
                        .messageAttributeNames("All")
                        .messageSystemAttributeNames(
                                MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT,
                                MessageSystemAttributeName.APPROXIMATE_FIRST_RECEIVE_TIMESTAMP,
                                MessageSystemAttributeName.SENT_TIMESTAMP,
                                MessageSystemAttributeName.MESSAGE_GROUP_ID))
                .messages();
    }

    /** Makes held messages visible again at once. */
    private void release(List<Message> held) {
        for (int from = 0; from < held.size(); from += 10) {
            List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>();
            List<Message> chunk = held.subList(from, Math.min(held.size(), from + 10));
            for (int i = 0; i < chunk.size(); i++) {
                entries.add(ChangeMessageVisibilityBatchRequestEntry.builder()
                        .id(Integer.toString(i))
                        .receiptHandle(chunk.get(i).receiptHandle())
                        .visibilityTimeout(0)
                        .build());
            }
            sqs.changeMessageVisibilityBatch(c -> c.queueUrl(dlqUrl).entries(entries));
        }
    }

    private Entry entry(Message m) {
        Map<MessageSystemAttributeName, String> a = m.attributes();
        String subject = kind.holdsJobs() ? field(m.body(), "jobId") : webhookSubject(m);
        return new Entry(
                m.messageId(),
                subject == null ? "?" : subject,
                Integer.parseInt(a.getOrDefault(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "0")),
                epochMillis(a.get(MessageSystemAttributeName.APPROXIMATE_FIRST_RECEIVE_TIMESTAMP)),
                epochMillis(a.get(MessageSystemAttributeName.SENT_TIMESTAMP)),
                m.body());
    }

    private static String webhookSubject(Message m) {
        var type = m.messageAttributes().get("eventType");
        var id = m.messageAttributes().get("eventId");
        if (type != null && id != null) {
            return type.stringValue() + " " + id.stringValue();
        }
        return field(m.body(), "id");
    }

    private static Instant epochMillis(String value) {
        return value == null ? null : Instant.ofEpochMilli(Long.parseLong(value));
    }

    private static String field(String body, String name) {
        try {
            JsonNode n = JSON.readTree(body);
            return n != null && n.path(name).isTextual() ? n.path(name).asText() : null;
        } catch (IOException notJson) {
            return null;
        }
    }
}
