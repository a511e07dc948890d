package dev.bedrockjobs.core.adapter;

import dev.bedrockjobs.core.port.LimitCounters;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

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
}
