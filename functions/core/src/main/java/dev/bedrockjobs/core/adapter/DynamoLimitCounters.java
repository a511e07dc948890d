package dev.bedrockjobs.core.adapter;

import dev.bedrockjobs.core.domain.Ids;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.port.LimitCounters;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.bedrockjobs.core.adapter.JobItems.PK;
import static dev.bedrockjobs.core.adapter.JobItems.SK;
import static dev.bedrockjobs.core.adapter.JobItems.n;
import static dev.bedrockjobs.core.adapter.JobItems.s;

/**
 * Limit counters in the jobs table, partition {@code LIMIT#tenant}: one small item per second of requests
 * ({@code sk = RATE#epochSecond}, expired by TTL a minute later) and one item holding the set of the tenant's queued
 * or running job ids ({@code sk = ACTIVE}). A set rather than a number: adding an id twice or removing it twice is
 * harmless, so replays, redeliveries and crashes cannot make the count drift. Its size is bounded by the cap.
 */
public final class DynamoLimitCounters implements LimitCounters {
    private static final long RATE_ITEM_SECONDS = 60;
    private static final int BATCH_GET_LIMIT = 100;

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoLimitCounters(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    private static Map<String, AttributeValue> key(String tenantId, String sk) {
        return Map.of(PK, s("LIMIT#" + tenantId), SK, s(sk));
    }

    @Override
    public boolean tryCountRequest(String tenantId, long epochSecond, long perSecond) {
        try {
            dynamo.updateItem(u -> u.tableName(table).key(key(tenantId, "RATE#" + epochSecond))
                    .updateExpression("ADD requests :one SET #ttl = :ttl")
                    .conditionExpression("attribute_not_exists(requests) OR requests < :max")
                    .expressionAttributeNames(Map.of("#ttl", "ttl"))
                    .expressionAttributeValues(Map.of(":one", n(1), ":max", n(perSecond),
                            ":ttl", n(epochSecond + RATE_ITEM_SECONDS))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public boolean tryReserveActive(String tenantId, List<String> jobIds, long max) {
        if (jobIds.isEmpty()) {
            return true;
        }
        long room = max - jobIds.size();
        if (room < 0) {
            return false;
        }
        try {
            dynamo.updateItem(u -> u.tableName(table).key(key(tenantId, "ACTIVE"))
                    .updateExpression("ADD jobs :ids")
                    .conditionExpression("attribute_not_exists(jobs) OR size(jobs) <= :room")
                    .expressionAttributeValues(Map.of(":ids", AttributeValue.fromSs(jobIds), ":room", n(room))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public void releaseActive(String tenantId, List<String> jobIds) {
        if (jobIds.isEmpty()) {
            return;
        }
        try {
            dynamo.updateItem(u -> u.tableName(table).key(key(tenantId, "ACTIVE"))
                    .updateExpression("DELETE jobs :ids")
                    .conditionExpression("attribute_exists(pk)")
                    .expressionAttributeValues(Map.of(":ids", AttributeValue.fromSs(jobIds))));
        } catch (ConditionalCheckFailedException e) {
            // no active set: nothing to release
        }
    }

    @Override
    public int releaseStale(String tenantId, Instant madeBefore) {
        Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(table).key(key(tenantId, "ACTIVE"))
                .consistentRead(true)).item();
        AttributeValue set = item == null ? null : item.get("jobs");
        if (set == null || !set.hasSs()) {
            return 0;
        }
        List<String> ids = set.ss();
        List<String> stale = new ArrayList<>();
        for (int from = 0; from < ids.size(); from += BATCH_GET_LIMIT) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + BATCH_GET_LIMIT));
            Map<String, String> statusById = statuses(chunk);
            if (statusById == null) {
                continue; // not every job could be read: leave this chunk for another time
            }
            for (String id : chunk) {
                String status = statusById.get(id);
                boolean finished = status != null && JobStatus.fromWire(status).isTerminal();
                boolean neverWritten = status == null && Ids.timeOf(id).isBefore(madeBefore);
                if (finished || neverWritten) {
                    stale.add(id);
                }
            }
        }
        for (int from = 0; from < stale.size(); from += BATCH_GET_LIMIT) {
            releaseActive(tenantId, stale.subList(from, Math.min(stale.size(), from + BATCH_GET_LIMIT)));
        }
        return stale.size();
    }

    /** Each job's status by id (absent: no such job), or null if DynamoDB left some keys unread. */
    private Map<String, String> statuses(List<String> jobIds) {
        List<Map<String, AttributeValue>> keys = jobIds.stream().map(JobItems::key).toList();
        Map<String, KeysAndAttributes> request = Map.of(table, KeysAndAttributes.builder().keys(keys)
                .consistentRead(true).projectionExpression("id, #status")
                .expressionAttributeNames(Map.of("#status", "status")).build());
        Map<String, String> out = new HashMap<>();
        for (int attempt = 0; attempt < 4 && !request.isEmpty(); attempt++) {
            Map<String, KeysAndAttributes> current = request;
            BatchGetItemResponse r = dynamo.batchGetItem(b -> b.requestItems(current));
            r.responses().getOrDefault(table, List.of()).forEach(job -> out.put(job.get("id").s(),
                    job.get("status").s()));
            request = r.hasUnprocessedKeys() ? r.unprocessedKeys() : Map.of();
        }
        return request.isEmpty() ? out : null;
    }
}
