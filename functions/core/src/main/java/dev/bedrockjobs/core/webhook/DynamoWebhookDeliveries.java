package dev.bedrockjobs.core.webhook;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link WebhookDeliveries} in the jobs table, beside the subject's own item: {@code pk = JOB#<jobId>} (or
 * {@code BATCH#<batchId>}), {@code sk = DELIVERY#<eventId>#<attempt, zero-padded to 4>}, so a job's attempts are one
 * Query on its partition with {@code begins_with(sk, "DELIVERY#")}, already in event-then-attempt order. Items
 * expire through the table's {@code ttl} like the jobs they describe.
 */
public final class DynamoWebhookDeliveries implements WebhookDeliveries {
    static final String SK_PREFIX = "DELIVERY#";
    private static final int MAX_ITEMS = 1000;

    private final DynamoDbClient dynamo;
    private final String table;
    private final Duration retention;

    public DynamoWebhookDeliveries(DynamoDbClient dynamo, String table, Duration retention) {
        this.dynamo = dynamo;
        this.table = table;
        this.retention = retention;
    }

    static String partition(WebhookEvent.Subject subject, String subjectId) {
        return (subject == WebhookEvent.Subject.JOB ? "JOB#" : "BATCH#") + subjectId;
    }

    static String sortKey(String eventId, int attempt) {
        return SK_PREFIX + eventId + "#" + String.format("%04d", attempt);
    }

    @Override
    public void record(WebhookEvent event, DeliveryAttempt a) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("pk", s(partition(event.type().subject(), event.subjectId())));
        item.put("sk", s(sortKey(a.eventId(), a.attempt())));
        item.put("tenantId", s(event.tenantId()));
        item.put("eventId", s(a.eventId()));
        item.put("eventType", s(a.eventType()));
        item.put("url", s(a.url()));
        item.put("attempt", n(a.attempt()));
        item.put("at", s(a.at().toString()));
        item.put("durationMs", n(a.durationMs()));
        item.put("outcome", s(a.outcome().wire()));
        if (a.httpStatus() != null) {
            item.put("httpStatus", n(a.httpStatus()));
        }
        if (a.error() != null) {
            item.put("error", s(a.error()));
        }
        if (a.retryAfterSeconds() != null) {
            item.put("retryAfterSeconds", n(a.retryAfterSeconds()));
        }
        if (a.nextAttemptAt() != null) {
            item.put("nextAttemptAt", s(a.nextAttemptAt().toString()));
        }
        item.put("ttl", n(a.at().plus(retention).getEpochSecond()));
        dynamo.putItem(r -> r.tableName(table).item(item));
    }

    @Override
    public List<DeliveryAttempt> list(WebhookEvent.Subject subject, String subjectId) {
        List<DeliveryAttempt> out = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = dynamo.query(q -> q.tableName(table)
                    .keyConditionExpression("pk = :p AND begins_with(sk, :d)")
                    .expressionAttributeValues(Map.of(":p", s(partition(subject, subjectId)), ":d", s(SK_PREFIX)))
                    .consistentRead(true)
                    .exclusiveStartKey(from));
            for (Map<String, AttributeValue> item : page.items()) {
                out.add(fromItem(item));
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null && out.size() < MAX_ITEMS);
        return out;
    }

    private static DeliveryAttempt fromItem(Map<String, AttributeValue> m) {
        String next = str(m, "nextAttemptAt");
        Long status = num(m, "httpStatus");
        return new DeliveryAttempt(str(m, "eventId"), str(m, "eventType"), str(m, "url"),
                num(m, "attempt").intValue(), Instant.parse(str(m, "at")), num(m, "durationMs"),
                status == null ? null : status.intValue(), str(m, "error"),
                DeliveryAttempt.Outcome.fromWire(str(m, "outcome")), num(m, "retryAfterSeconds"),
                next == null ? null : Instant.parse(next));
    }

    private static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    private static AttributeValue n(long v) {
        return AttributeValue.fromN(Long.toString(v));
    }

    private static String str(Map<String, AttributeValue> m, String name) {
        AttributeValue v = m.get(name);
        return v == null ? null : v.s();
    }

    private static Long num(Map<String, AttributeValue> m, String name) {
        AttributeValue v = m.get(name);
        return v == null || v.n() == null ? null : Long.valueOf(v.n());
    }
}
