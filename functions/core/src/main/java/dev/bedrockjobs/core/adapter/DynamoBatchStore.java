package dev.bedrockjobs.core.adapter;

import dev.bedrockjobs.core.domain.Batch;
import dev.bedrockjobs.core.domain.BatchStatus;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.port.BatchStore;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static dev.bedrockjobs.core.adapter.JobItems.PK;
import static dev.bedrockjobs.core.adapter.JobItems.SK;
import static dev.bedrockjobs.core.adapter.JobItems.n;
import static dev.bedrockjobs.core.adapter.JobItems.s;

/**
 * Batch items ({@code BATCH#id}) in the jobs table. Counters move with single-item conditional updates that also add
 * the job id to a set and require it not to be there yet: the idempotent counter dynalite and DynamoDB both support
 * without transactions.
 */
public final class DynamoBatchStore implements BatchStore {
    private final DynamoDbClient dynamo;
    private final String table;
    private final Duration retention;

    public DynamoBatchStore(DynamoDbClient dynamo, String table, Duration retention) {
        this.dynamo = dynamo;
        this.table = table;
        this.retention = retention;
    }

    private static Map<String, AttributeValue> key(String batchId) {
        return Map.of(PK, s("BATCH#" + batchId), SK, s("BATCH"));
    }

    @Override
    public boolean create(Batch b) {
        Map<String, AttributeValue> item = new HashMap<>(key(b.id()));
        item.put("id", s(b.id()));
        item.put("tenantId", s(b.tenantId()));
        item.put("status", s(b.status().wire()));
        item.put("createdAt", s(b.createdAt().toString()));
        item.put("total", n(b.total()));
        if (b.webhookUrl() != null) {
            item.put("webhookUrl", s(b.webhookUrl()));
        }
        if (b.idempotencyKey() != null) {
            item.put("idempotencyKey", s(b.idempotencyKey()));
        }
        item.put("requestHash", s(b.requestHash()));
        item.put("ttl", n(b.createdAt().plus(retention).getEpochSecond()));
        item.put(JobItems.GSI3PK, s(JobItems.ACTIVE_BATCHES));
        item.put(JobItems.GSI3SK, s(b.createdAt().toString() + "#" + b.id()));
        try {
            dynamo.putItem(r -> r.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public Optional<Batch> get(String batchId) {
        Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(table).key(key(batchId))
                .consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(fromItem(item));
    }

    @Override
    public void recordStarted(Job job) {
        if (job.batchId() == null || job.itemIndex() == null) {
            return;
        }
        dynamo.updateItem(u -> u.tableName(table).key(key(job.batchId()))
                .updateExpression("ADD startedItems :item")
                .conditionExpression("attribute_exists(pk)")
                .expressionAttributeValues(Map.of(":item", AttributeValue.fromNs(List.of(job.itemIndex().toString())))));
    }

    @Override
    public boolean recordFinished(Job job, Instant now) {
        if (job.batchId() == null || job.itemIndex() == null || !job.status().isTerminal()) {
            return false;
        }
        String counter = switch (job.status()) {
            case SUCCEEDED -> "succeeded";
            case FAILED -> "failed";
            default -> "canceled";
        };
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":item", AttributeValue.fromNs(List.of(job.itemIndex().toString())));
        values.put(":index", n(job.itemIndex()));
        values.put(":one", n(1));
        values.put(":in", n(job.usage() == null ? 0 : job.usage().inputTokens()));
        values.put(":out", n(job.usage() == null ? 0 : job.usage().outputTokens()));
        values.put(":cost", AttributeValue.fromN((job.costUsd() == null ? BigDecimal.ZERO : job.costUsd()).toPlainString()));
        Map<String, AttributeValue> after;
        try {
            after = dynamo.updateItem(u -> u.tableName(table).key(key(job.batchId()))
                    .updateExpression("ADD finishedItems :item, " + counter + " :one, inputTokens :in, "
                            + "outputTokens :out, costUsd :cost")
                    .conditionExpression("attribute_exists(pk) AND NOT contains(finishedItems, :index)")
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.ALL_NEW)).attributes();
        } catch (ConditionalCheckFailedException alreadyCounted) {
            // Counted by an earlier delivery; if that one stopped before completing the batch, complete it now.
            return get(job.batchId()).filter(Batch::done).map(b -> complete(b, now)).orElse(false);
        }
        Batch batch = fromItem(after);
        return batch.done() && complete(batch, now);
    }

    /**
     * running -> completed, once: the winner of this conditional write is the one that announces it. A batch with a
     * webhook stays in the active index until its event is enqueued ({@link #settle}).
     */
    private boolean complete(Batch batch, Instant now) {
        // A fresh id per call tells this call's own write, applied by an attempt whose answer was lost and refused
        // on the SDK's retry, apart from another caller's: only the first must announce the batch.
        String writeId = dev.bedrockjobs.core.domain.Ids.randomToken(8);
        String update = "SET #status = :completed, finishedAt = :now, completeWrite = :write"
                + (batch.webhookUrl() == null ? " REMOVE gsi3pk, gsi3sk" : "");
        try {
            dynamo.updateItem(u -> u.tableName(table).key(key(batch.id()))
                    .updateExpression(update)
                    .conditionExpression("#status = :running")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.of(":completed", s(BatchStatus.COMPLETED.wire()),
                            ":running", s(BatchStatus.RUNNING.wire()), ":now", s(now.toString()),
                            ":write", s(writeId))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(table).key(key(batch.id()))
                    .consistentRead(true).projectionExpression("completeWrite")).item();
            return item != null && writeId.equals(JobItems.str(item, "completeWrite"));
        }
    }

    @Override
    public void settle(String batchId) {
        try {
            dynamo.updateItem(u -> u.tableName(table).key(key(batchId))
                    .updateExpression("REMOVE gsi3pk, gsi3sk")
                    .conditionExpression("attribute_exists(pk) AND #status <> :running")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.of(":running", s(BatchStatus.RUNNING.wire()))));
        } catch (ConditionalCheckFailedException stillRunning) {
            // nothing is owed yet: the batch is announced when it completes
        }
    }

    @Override
    public List<Batch> listActive(Instant createdBefore, int limit) {
        List<Batch> out = new java.util.ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            var q = software.amazon.awssdk.services.dynamodb.model.QueryRequest.builder().tableName(table)
                    .indexName(JobItems.ACTIVE)
                    .keyConditionExpression("gsi3pk = :p AND gsi3sk < :before")
                    .expressionAttributeValues(Map.of(":p", s(JobItems.ACTIVE_BATCHES),
                            ":before", s(createdBefore.toString())))
                    .limit(Math.min(50, limit - out.size()));
            if (start != null) {
                q.exclusiveStartKey(start);
            }
            var page = dynamo.query(q.build());
            page.items().forEach(item -> out.add(fromItem(item)));
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null && out.size() < limit);
        return out;
    }

    @Override
    public boolean cancel(String batchId, Instant now) {
        try {
            dynamo.updateItem(u -> u.tableName(table).key(key(batchId))
                    .updateExpression("SET #status = :canceled, finishedAt = :now REMOVE gsi3pk, gsi3sk")
                    .conditionExpression("#status = :running")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.of(":canceled", s(BatchStatus.CANCELED.wire()),
                            ":running", s(BatchStatus.RUNNING.wire()), ":now", s(now.toString()))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private static Batch fromItem(Map<String, AttributeValue> m) {
        return new Batch(
                JobItems.str(m, "id"),
                JobItems.str(m, "tenantId"),
                BatchStatus.fromWire(JobItems.str(m, "status")),
                Instant.parse(JobItems.str(m, "createdAt")),
                m.containsKey("finishedAt") ? Instant.parse(JobItems.str(m, "finishedAt")) : null,
                JobItems.num(m, "total").intValue(),
                JobItems.str(m, "webhookUrl"),
                JobItems.str(m, "idempotencyKey"),
                JobItems.str(m, "requestHash"),
                indexSet(m, "startedItems"),
                indexSet(m, "finishedItems"),
                count(m, "succeeded"),
                count(m, "failed"),
                count(m, "canceled"),
                JobItems.num(m, "inputTokens") == null ? 0 : JobItems.num(m, "inputTokens"),
                JobItems.num(m, "outputTokens") == null ? 0 : JobItems.num(m, "outputTokens"),
                m.containsKey("costUsd") ? new BigDecimal(m.get("costUsd").n()) : BigDecimal.ZERO);
    }

    private static Set<Integer> indexSet(Map<String, AttributeValue> m, String name) {
        AttributeValue v = m.get(name);
        if (v == null || !v.hasNs()) {
            return Set.of();
        }
        Set<Integer> out = new HashSet<>(v.ns().size() * 2);
        v.ns().forEach(i -> out.add(Integer.valueOf(i)));
        return out;
    }

    private static int count(Map<String, AttributeValue> m, String name) {
        Long v = JobItems.num(m, name);
        return v == null ? 0 : v.intValue();
    }
}
