package dev.bedrockjobs.core.adapter;

import dev.bedrockjobs.core.domain.DeliveryAttempt;
import dev.bedrockjobs.core.domain.WebhookEvent;
import dev.bedrockjobs.core.port.WebhookDeliveries;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * {@link WebhookDeliveries} in the jobs table, beside the subject's own item: {@code pk = JOB#<jobId>} (or
 * {@code BATCH#<batchId>}), {@code sk = DELIVERY#<eventId>#<attempt, zero-padded to 4>}, so a job's attempts are one
 * Query on its partition with {@code begins_with(sk, "DELIVERY#")}, already in event-then-attempt order. Items
 * expire through the table's {@code ttl} like the jobs they describe.
 *
 * <p>Beside them, in the same partition: one counter per event ({@code sk = ATTEMPTS#<eventId>}) that hands out
 * attempt numbers with an atomic {@code ADD}, and one counter per minute of replays ({@code sk =
 * REPLAYS#<epochMinute>}); a tenant's replays of the minute are counted in its limit partition ({@code pk =
 * LIMIT#<tenantId>, sk = REPLAYS#<epochMinute>}). Both replay counters expire an hour later.
 */
public final class DynamoWebhookDeliveries implements WebhookDeliveries {
    static final String SK_PREFIX = "DELIVERY#";
    private static final int MAX_ITEMS = 1000;
    private static final long REPLAY_COUNTER_SECONDS = 3600;

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
    public int nextAttemptNumber(WebhookEvent event) {
        Map<String, AttributeValue> key = Map.of(
                "pk", s(partition(event.type().subject(), event.subjectId())), "sk", s("ATTEMPTS#" + event.id()));
        Map<String, AttributeValue> after = dynamo.updateItem(u -> u.tableName(table)
                        .key(key)
                        .updateExpression("ADD attempts :one SET #ttl = :ttl")
                        .expressionAttributeNames(Map.of("#ttl", "ttl"))
                        .expressionAttributeValues(Map.of(
                                ":one",
                                n(1),
                                ":ttl",
                                n(Instant.now().plus(retention).getEpochSecond())))
                        .returnValues(ReturnValue.UPDATED_NEW))
                .attributes();
        return Integer.parseInt(after.get("attempts").n());
    }

    @Override
    public boolean tryCountReplay(WebhookEvent event, long epochMinute) {
        String sk = "REPLAYS#" + epochMinute;
        return tryCount(
                        Map.of("pk", s(partition(event.type().subject(), event.subjectId())), "sk", s(sk)),
                        REPLAYS_PER_SUBJECT_PER_MINUTE,
                        epochMinute)
                && tryCount(
                        Map.of("pk", s("LIMIT#" + event.tenantId()), "sk", s(sk)),
                        REPLAYS_PER_TENANT_PER_MINUTE,
                        epochMinute);
    }

    private boolean tryCount(Map<String, AttributeValue> key, int max, long epochMinute) {
        try {
            dynamo.updateItem(u -> u.tableName(table)
                    .key(key)
                    .updateExpression("ADD replays :one SET #ttl = :ttl")
                    .conditionExpression("attribute_not_exists(replays) OR replays < :max")
                    .expressionAttributeNames(Map.of("#ttl", "ttl"))
                    .expressionAttributeValues(Map.of(
                            ":one", n(1), ":max", n(max), ":ttl", n(epochMinute * 60 + REPLAY_COUNTER_SECONDS))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
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
        QueryRequest query = QueryRequest.builder()
                .tableName(table)
                .keyConditionExpression("pk = :p AND begins_with(sk, :d)")
                .expressionAttributeValues(Map.of(":p", s(partition(subject, subjectId)), ":d", s(SK_PREFIX)))
                .consistentRead(true)
                .build();
        List<DeliveryAttempt> out = new ArrayList<>();
        // whole responses until the cap is reached: the cap bounds the reads, not the length of the list
        for (QueryResponse page : DynamoPages.pages(dynamo, query)) {
            page.items().forEach(item -> out.add(fromItem(item)));
            if (out.size() >= MAX_ITEMS) {
                break;
            }
        }
        return out;
    }

    private static DeliveryAttempt fromItem(Map<String, AttributeValue> m) {
        String next = str(m, "nextAttemptAt");
        Long status = num(m, "httpStatus");
        return new DeliveryAttempt(
                str(m, "eventId"),
                str(m, "eventType"),
                str(m, "url"),
                num(m, "attempt").intValue(),
                Instant.parse(str(m, "at")),
                num(m, "durationMs"),
                status == null ? null : status.intValue(),
                category(str(m, "error")),
                DeliveryAttempt.Outcome.fromWire(str(m, "outcome")),
                num(m, "retryAfterSeconds"),
                next == null ? null : Instant.parse(next));
    }

    /** Earlier versions stored free text; it is shown as {@code other}, never as it was. */
    private static String category(String stored) {
        return stored == null
                ? null
                : DeliveryAttempt.Failure.fromStored(stored).wire();
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
