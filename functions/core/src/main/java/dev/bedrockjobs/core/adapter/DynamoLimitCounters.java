package dev.bedrockjobs.core.adapter;

import dev.bedrockjobs.core.port.LimitCounters;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.util.Map;

import static dev.bedrockjobs.core.adapter.JobItems.PK;
import static dev.bedrockjobs.core.adapter.JobItems.SK;
import static dev.bedrockjobs.core.adapter.JobItems.n;
import static dev.bedrockjobs.core.adapter.JobItems.s;

/**
 * Limit counters in the jobs table, partition {@code LIMIT#tenant}: one small item per second of requests
 * ({@code sk = RATE#epochSecond}, expired by TTL a minute later) and one counter of the tenant's queued or running
 * jobs ({@code sk = ACTIVE}, attribute {@code jobs}). A job that took a slot carries {@code activeSlot}; it gives the
 * slot back once, guarded by {@code slotReleased} on its own item. A count that drifted up (a process stopped between
 * its two writes) is set back by {@link #recount} from the sparse {@code active} index.
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
    public boolean tryReserveActive(String tenantId, int jobs, long max) {
        if (jobs == 0) {
            return true;
        }
        long room = max - jobs;
        if (room < 0) {
            return false;
        }
        try {
            dynamo.updateItem(u -> u.tableName(table).key(key(tenantId, "ACTIVE"))
                    .updateExpression("ADD jobs :k")
                    .conditionExpression("attribute_not_exists(jobs) OR jobs <= :room")
                    .expressionAttributeValues(Map.of(":k", n(jobs), ":room", n(room))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public void releaseActive(String tenantId, int jobs) {
        if (jobs == 0) {
            return;
        }
        try {
            dynamo.updateItem(u -> u.tableName(table).key(key(tenantId, "ACTIVE"))
                    .updateExpression("ADD jobs :minus")
                    .conditionExpression("jobs >= :k")
                    .expressionAttributeValues(Map.of(":minus", n(-jobs), ":k", n(jobs))));
        } catch (ConditionalCheckFailedException e) {
            // already lower (a recount ran meanwhile): never below zero
        }
    }

    @Override
    public void releaseSlot(String tenantId, String jobId) {
        try {
            dynamo.updateItem(u -> u.tableName(table).key(JobItems.key(jobId))
                    .updateExpression("SET slotReleased = :t")
                    .conditionExpression("attribute_exists(pk) AND attribute_not_exists(slotReleased)")
                    .expressionAttributeValues(Map.of(":t", AttributeValue.fromBool(true))));
        } catch (ConditionalCheckFailedException alreadyGivenBack) {
            return;
        }
        releaseActive(tenantId, 1);
    }

    @Override
    public long recount(String tenantId) {
        Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(table).key(key(tenantId, "ACTIVE"))
                .consistentRead(true)).item();
        Long counted = item == null ? null : JobItems.num(item, "jobs");
        if (counted == null) {
            return 0;
        }
        long holding = countHoldingSlots(tenantId);
        if (counted <= holding) {
            return 0;
        }
        try {
            dynamo.updateItem(u -> u.tableName(table).key(key(tenantId, "ACTIVE"))
                    .updateExpression("SET jobs = :holding")
                    .conditionExpression("jobs = :counted")
                    .expressionAttributeValues(Map.of(":holding", n(holding), ":counted", n(counted))));
            return counted - holding;
        } catch (ConditionalCheckFailedException movedMeanwhile) {
            return 0; // a submit or a finish changed it while we counted: leave it for the next time
        }
    }

    /** The tenant's unfinished jobs that hold a slot, from the sparse {@code active} index. */
    private long countHoldingSlots(String tenantId) {
        return JobItems.countUnfinished(dynamo, table, tenantId, null, "activeSlot = :yes",
                Map.of(":yes", AttributeValue.fromBool(true)));
    }
}
