package dev.bedrockjobs.core.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.port.WebhookDeliveries;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * One webhook event, as it travels on the webhooks queue and as it is POSTed.
 *
 * <p>The body {@code {type, timestamp, data}} is serialized once, when the event is made, and travels as that exact
 * text: every attempt (and a replay) signs and sends the same bytes. The id is derived from the subject (job or
 * batch) and the event type, so the same terminal event always has the same {@code webhook-id}, and a receiver can
 * use it to drop duplicates. {@code timestamp} is when the event happened (a job's {@code finishedAt}); the
 * {@code webhook-timestamp} header, by contrast, is the time of each attempt.
 *
 * <p>A replay sends the same event again; its attempts are numbered by the delivery log's counter for the event
 * ({@link WebhookDeliveries#nextAttemptNumber}), so nothing about numbering travels in the message. (Messages written
 * by earlier versions carry an {@code attemptOffset}; it is ignored.)
 */
public record WebhookEvent(
        String id, Type type, String tenantId, String url, Instant timestamp, ObjectNode data, String body) {

    public static final String ID_PREFIX = "msg_";

    /** The contract's event types, and whether their subject is a job or a batch. */
    public enum Type {
        JOB_SUCCEEDED("job.succeeded", Subject.JOB),
        JOB_FAILED("job.failed", Subject.JOB),
        JOB_CANCELED("job.canceled", Subject.JOB),
        BATCH_COMPLETED("batch.completed", Subject.BATCH);

        private final String wire;
        private final Subject subject;

        Type(String wire, Subject subject) {
            this.wire = wire;
            this.subject = subject;
        }

        public String wire() {
            return wire;
        }

        public Subject subject() {
            return subject;
        }

        public static Type fromWire(String value) {
            for (Type t : values()) {
                if (t.wire.equals(value)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("unknown webhook event type: " + value);
        }

        /** The event a job's terminal status announces. */
        public static Type forJob(JobStatus status) {
            return switch (status) {
                case SUCCEEDED -> JOB_SUCCEEDED;
                case FAILED -> JOB_FAILED;
                case CANCELED -> JOB_CANCELED;
                default -> throw new IllegalArgumentException("no webhook event for a " + status.wire() + " job");
            };
        }
    }

    /** What an event is about; deliveries are kept with their subject (its partition in the table). */
    public enum Subject {
        JOB,
        BATCH
    }

    public WebhookEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(body, "body");
        if (!data.path("id").isTextual()) {
            throw new IllegalArgumentException("the event's data has no id");
        }
        data = data.deepCopy();
    }

    /** A new event: its id is derived from the subject's id ({@code data.id}) and the type. */
    public static WebhookEvent of(Type type, String tenantId, String url, Instant timestamp, ObjectNode data) {
        String subjectId = data.path("id").asText(null);
        if (subjectId == null) {
            throw new IllegalArgumentException("the event's data has no id");
        }
        ObjectNode envelope = Json.object();
        envelope.put("type", type.wire());
        envelope.put("timestamp", timestamp.toString());
        envelope.set("data", data);
        return new WebhookEvent(idFor(subjectId, type), type, tenantId, url, timestamp, data, Json.write(envelope));
    }

    /** A batch's {@code batch.completed} event; {@code batchView} is its batch view (BatchViews.view). */
    public static WebhookEvent batchCompleted(Batch batch, ObjectNode batchView) {
        if (batch.webhookUrl() == null) {
            throw new IllegalArgumentException("batch " + batch.id() + " has no webhook URL");
        }
        Instant at = batch.finishedAt() != null ? batch.finishedAt() : Instant.now();
        return of(Type.BATCH_COMPLETED, batch.tenantId(), batch.webhookUrl(), at, batchView);
    }

    /**
     * The stable event id: {@code msg_} and 26 Crockford base32 characters of SHA-256(subject id, type). The same
     * job's {@code job.succeeded} always gets the same id; a different job or type never does.
     */
    public static String idFor(String subjectId, Type type) {
        return ID_PREFIX + base32(Ids.sha256(subjectId + "#" + type.wire()), 26);
    }

    /** The job's or batch's id. */
    public String subjectId() {
        return data.get("id").textValue();
    }

    /** The bytes that are signed and sent. */
    public byte[] bodyBytes() {
        return body.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public ObjectNode data() {
        return data.deepCopy();
    }

    /** The queue message: the routing fields and the body as text, so the bytes survive the trip exactly. */
    public String toMessage() {
        ObjectNode m = Json.object();
        m.put("id", id);
        m.put("type", type.wire());
        m.put("tenantId", tenantId);
        m.put("url", url);
        m.put("body", body);
        return Json.write(m);
    }

    /**
     * Reads a queue message written by {@link #toMessage()}.
     *
     * @throws IllegalArgumentException if it is not one (a redelivery cannot fix that)
     */
    public static WebhookEvent fromMessage(String message) {
        JsonNode m;
        try {
            m = Json.parse(message);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the message is not JSON");
        }
        String id = text(m, "id");
        Type type = Type.fromWire(text(m, "type"));
        String tenantId = text(m, "tenantId");
        String url = text(m, "url");
        String body = text(m, "body");
        if (!id.startsWith(ID_PREFIX)) {
            throw new IllegalArgumentException("the event id does not start with " + ID_PREFIX);
        }
        JsonNode envelope;
        try {
            envelope = Json.parse(body);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the event body is not JSON");
        }
        if (!type.wire().equals(envelope.path("type").asText(null))) {
            throw new IllegalArgumentException("the body's type differs from the message's");
        }
        if (!(envelope.get("data") instanceof ObjectNode data)) {
            throw new IllegalArgumentException("the body has no data object");
        }
        Instant timestamp;
        try {
            timestamp = Instant.parse(text(envelope, "timestamp"));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("the body's timestamp is not RFC 3339");
        }
        return new WebhookEvent(id, type, tenantId, url, timestamp, data, body);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual() || v.textValue().isBlank()) {
            throw new IllegalArgumentException("the message has no " + field);
        }
        return v.textValue();
    }

    private static final char[] CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();

    private static String base32(byte[] bytes, int chars) {
        StringBuilder out = new StringBuilder(chars);
        int bits = 0;
        int have = 0;
        int next = 0;
        while (out.length() < chars) {
            if (have < 5) {
                bits = (bits << 8) | (bytes[next++] & 0xFF);
                have += 8;
            }
            out.append(CROCKFORD[(bits >>> (have - 5)) & 31]);
            have -= 5;
            bits &= (1 << have) - 1;
        }
        return out.toString();
    }
}
