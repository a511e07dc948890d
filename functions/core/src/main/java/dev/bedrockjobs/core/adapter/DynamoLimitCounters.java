package dev.bedrockjobs.core.adapter;

import static dev.bedrockjobs.core.adapter.JobItems.PK;
import static dev.bedrockjobs.core.adapter.JobItems.SK;
import static dev.bedrockjobs.core.adapter.JobItems.n;
import static dev.bedrockjobs.core.adapter.JobItems.s;

import dev.bedrockjobs.core.port.LimitCounters;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * Limit counters in the jobs table, partition {@code LIMIT#tenant}: one small item per second of requests
 * ({@code sk = RATE#epochSecond}, expired by TTL a minute later) and one counter of the tenant's queued or running
 * jobs ({@code sk = ACTIVE}, attribute {@code jobs}). A job that took a slot carries {@code activeSlot}; it releases
 * the slot once, guarded by {@code slotReleased} on its own item. A count that drifted up (a process stopped between
 * its two writes) is set back by {@link #recount} from the sparse {@code active} index. The counter item also keeps
 * when the tenant last reserved ({@code reservedAt}) and was last recounted ({@code recountedAt}), epoch
 * milliseconds, so that every instance sees the same quiet period and the same once-per-interval recount. The
 * tenant's long polls held open are counted in {@code sk = WAITS} (attribute {@code waits}), leased until
 * {@code leaseUntil}: deployed, each function instance serves one request at a time, so only a shared count can bound
 * one tenant's waits across instances.
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
            dynamo.updateItem(u -> u.tableName(table)
                    .key(key(tenantId, "RATE#" + epochSecond))
                    .updateExpression("ADD requests :one SET #ttl = :ttl")
                    .conditionExpression("attribute_not_exists(requests) OR requests < :max")
                    .expressionAttributeNames(Map.of("#ttl", "ttl"))
                    .expressionAttributeValues(
                            Map.of(":one", n(1), ":max", n(perSecond), ":ttl", n(epochSecond + RATE_ITEM_SECONDS))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public boolean tryReserveActive(String tenantId, int jobs, long max, Instant now) {
        if (jobs == 0) {
            return true;
        }
        long room = max - jobs;
        if (room < 0) {
            return false;
        }
        try {
            dynamo.updateItem(u -> u.tableName(table)
                    .key(key(tenantId, "ACTIVE"))
                    .updateExpression("ADD jobs :k SET reservedAt = :now")
                    .conditionExpression("attribute_not_exists(jobs) OR jobs <= :room")
                    .expressionAttributeValues(Map.of(":k", n(jobs), ":room", n(room), ":now", n(now.toEpochMilli()))));
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
            dynamo.updateItem(u -> u.tableName(table)
                    .key(key(tenantId, "ACTIVE"))
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
            dynamo.updateItem(u -> u.tableName(table)
                    .key(JobItems.key(jobId))
                    .updateExpression("SET slotReleased = :t")
                    .conditionExpression("attribute_exists(pk) AND attribute_not_exists(slotReleased)")
                    .expressionAttributeValues(Map.of(":t", AttributeValue.fromBool(true))));
        } catch (ConditionalCheckFailedException alreadyReleased) {
            return;
        }
        releaseActive(tenantId, 1);
    }

    @Override
    public long recount(String tenantId, Instant now, Duration quietFor, Duration every) {
        // Claim this interval's recount for the tenant, and only while it is quiet: a slot reserved within the quiet
        // period may belong to a job not written (or not yet in the index) and would be erased by the count.
        Map<String, AttributeValue> claimed;
        try {
            claimed = dynamo.updateItem(u -> u.tableName(table)
                            .key(key(tenantId, "ACTIVE"))
                            .updateExpression("SET recountedAt = :now")
                            .conditionExpression("attribute_exists(jobs)"
                                    + " AND (attribute_not_exists(recountedAt) OR recountedAt <= :due)"
                                    + " AND (attribute_not_exists(reservedAt) OR reservedAt <= :quiet)")
                            .expressionAttributeValues(Map.of(
                                    ":now",
                                    n(now.toEpochMilli()),
                                    ":due",
                                    n(now.minus(every).toEpochMilli()),
                                    ":quiet",
                                    n(now.minus(quietFor).toEpochMilli())))
                            .returnValues(ReturnValue.ALL_NEW))
                    .attributes();
        } catch (ConditionalCheckFailedException notDueOrNotQuiet) {
            return 0;
        }
        long counted = JobItems.num(claimed, "jobs");
        Long reservedAt = JobItems.num(claimed, "reservedAt");
        long holding = countHoldingSlots(tenantId);
        if (counted <= holding) {
            return 0;
        }
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":holding", n(holding), ":counted", n(counted)));
        String unchanged = "jobs = :counted AND ";
        if (reservedAt == null) {
            unchanged += "attribute_not_exists(reservedAt)";
        } else {
            unchanged += "reservedAt = :reservedAt";
            values.put(":reservedAt", n(reservedAt));
        }
        String condition = unchanged;
        try {
            dynamo.updateItem(u -> u.tableName(table)
                    .key(key(tenantId, "ACTIVE"))
                    .updateExpression("SET jobs = :holding")
                    .conditionExpression(condition)
                    .expressionAttributeValues(values));
            return counted - holding;
        } catch (ConditionalCheckFailedException movedMeanwhile) {
            return 0; // a submit or a finish changed it while we counted: leave it for the next time
        }
    }

    /** The tenant's unfinished jobs that hold a slot, from the sparse {@code active} index. */
    private long countHoldingSlots(String tenantId) {
        return JobItems.countUnfinished(
                dynamo, table, tenantId, null, "activeSlot = :yes", Map.of(":yes", AttributeValue.fromBool(true)));
    }

    @Override
    public boolean tryStartWait(String tenantId, int max, Instant now, Instant leaseUntil) {
        Map<String, AttributeValue> values =
                Map.of(":one", n(1), ":max", n(max), ":until", n(leaseUntil.toEpochMilli()));
        try {
            dynamo.updateItem(u -> u.tableName(table)
                    .key(key(tenantId, "WAITS"))
                    .updateExpression("ADD waits :one SET leaseUntil = :until")
                    .conditionExpression("attribute_not_exists(waits) OR waits < :max")
                    .expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException full) {
            // Full, or holding counts of waits that ended without saying so: every lease has run out only if the
            // latest one has, and then no wait counted can still be open.
        }
        try {
            dynamo.updateItem(u -> u.tableName(table)
                    .key(key(tenantId, "WAITS"))
                    .updateExpression("SET waits = :one, leaseUntil = :until")
                    .conditionExpression("leaseUntil < :now")
                    .expressionAttributeValues(Map.of(
                            ":one", n(1), ":until", n(leaseUntil.toEpochMilli()), ":now", n(now.toEpochMilli()))));
            return true;
        } catch (ConditionalCheckFailedException full) {
            return false;
        }
    }

    @Override
    public void endWait(String tenantId) {
        try {
            dynamo.updateItem(u -> u.tableName(table)
                    .key(key(tenantId, "WAITS"))
                    .updateExpression("ADD waits :minus")
                    .conditionExpression("waits > :zero")
                    .expressionAttributeValues(Map.of(":minus", n(-1), ":zero", n(0))));
        } catch (ConditionalCheckFailedException forgotten) {
            // its lease ran out and the count was set back meanwhile: never below zero
        }
    }
}
