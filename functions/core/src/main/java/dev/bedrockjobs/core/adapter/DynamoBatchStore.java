package dev.bedrockjobs.core.adapter;

import static dev.bedrockjobs.core.adapter.JobItems.PK;
import static dev.bedrockjobs.core.adapter.JobItems.SK;
import static dev.bedrockjobs.core.adapter.JobItems.n;
import static dev.bedrockjobs.core.adapter.JobItems.s;

import dev.bedrockjobs.core.domain.Batch;
import dev.bedrockjobs.core.domain.BatchStatus;
import dev.bedrockjobs.core.domain.Finishes;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.port.BatchStore;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * A batch in the jobs table: its item ({@code pk = BATCH#id}, {@code sk = BATCH}) and, for every hundred items, a
 * part ({@code sk = BATCH#PART#nnn}) with that range's counters. Counters move with single-item conditional updates that
 * also add the item index to a set and require it not to be there yet: the idempotent counter dynalite and
 * DynamoDB both support without transactions. Parts keep each update small however large the batch (a job's update
 * writes and returns its part, not a thousand indexes); a part that fills up is added to the batch item's set of
 * finished parts, and the write that adds the last one completes the batch. Reading a batch is one query. The same
 * write keeps, per part, when its first finished item started and when its first and last finished: the batch's
 * recent pace.
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

    static final int PART_SIZE = 100;

    private static Map<String, AttributeValue> key(String batchId) {
        return Map.of(PK, s("BATCH#" + batchId), SK, s("BATCH"));
    }

    private static Map<String, AttributeValue> partKey(String batchId, int part) {
        return Map.of(PK, s("BATCH#" + batchId), SK, s(String.format("BATCH#PART#%03d", part)));
    }

    static int parts(int total) {
        return (total + PART_SIZE - 1) / PART_SIZE;
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
        // Parts first, so that no batch item is ever without its parts; a replay finds them there and leaves them.
        for (int part = 0; part < parts(b.total()); part++) {
            Map<String, AttributeValue> p = new HashMap<>(partKey(b.id(), part));
            p.put("size", n(Math.min(PART_SIZE, b.total() - part * PART_SIZE)));
            p.put("ttl", item.get("ttl"));
            try {
                dynamo.putItem(r -> r.tableName(table).item(p).conditionExpression("attribute_not_exists(pk)"));
            } catch (ConditionalCheckFailedException written) {
                // by an earlier attempt of this submission
            }
        }
        try {
            dynamo.putItem(r -> r.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public Optional<Batch> get(String batchId) {
        List<Map<String, AttributeValue>> items = DynamoPages.items(
                        dynamo,
                        QueryRequest.builder()
                                .tableName(table)
                                .consistentRead(true)
                                // the batch item and its parts, not the webhook deliveries kept in the same partition
                                .keyConditionExpression("pk = :pk AND begins_with(sk, :batch)")
                                .expressionAttributeValues(Map.of(":pk", s("BATCH#" + batchId), ":batch", s("BATCH")))
                                .build())
                .toList();
        Map<String, AttributeValue> batch = items.stream()
                .filter(i -> "BATCH".equals(i.get(SK).s()))
                .findFirst()
                .orElse(null);
        return batch == null
                ? Optional.empty()
                : Optional.of(
                        fromItems(batch, items.stream().filter(i -> i != batch).toList()));
    }

    @Override
    public void recordStarted(Job job) {
        if (job.request().batchId() == null || job.request().itemIndex() == null) {
            return;
        }
        dynamo.updateItem(u -> u.tableName(table)
                .key(partKey(job.request().batchId(), job.request().itemIndex() / PART_SIZE))
                .updateExpression("ADD startedItems :item")
                .conditionExpression("attribute_exists(pk)")
                .expressionAttributeValues(Map.of(
                        ":item",
                        AttributeValue.fromNs(List.of(job.request().itemIndex().toString())))));
    }

    @Override
    public boolean recordFinished(Job job, Instant now) {
        if (job.request().batchId() == null
                || job.request().itemIndex() == null
                || !job.progress().status().isTerminal()) {
            return false;
        }
        String counter = switch (job.progress().status()) {
            case SUCCEEDED -> "succeeded";
            case FAILED -> "failed";
            default -> "canceled";
        };
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(
                ":item", AttributeValue.fromNs(List.of(job.request().itemIndex().toString())));
        values.put(":index", n(job.request().itemIndex()));
        values.put(":one", n(1));
        values.put(
                ":started",
                n((job.progress().startedAt() == null ? now : job.progress().startedAt()).toEpochMilli()));
        values.put(":now", n(now.toEpochMilli()));
        values.put(
                ":in",
                n(
                        job.accounting().usage() == null
                                ? 0
                                : job.accounting().usage().inputTokens()));
        values.put(
                ":out",
                n(
                        job.accounting().usage() == null
                                ? 0
                                : job.accounting().usage().outputTokens()));
        values.put(
                ":cost",
                AttributeValue.fromN((job.accounting().costUsd() == null
                                ? BigDecimal.ZERO
                                : job.accounting().costUsd())
                        .toPlainString()));
        int part = job.request().itemIndex() / PART_SIZE;
        Map<String, AttributeValue> after;
        try {
            after = dynamo.updateItem(u -> u.tableName(table)
                            .key(partKey(job.request().batchId(), part))
                            .updateExpression("ADD finishedItems :item, " + counter + " :one, inputTokens :in, "
                                    + "outputTokens :out, costUsd :cost "
                                    + "SET busyFrom = if_not_exists(busyFrom, :started), firstAt = if_not_exists(firstAt, :now), "
                                    + "lastAt = :now")
                            .conditionExpression("attribute_exists(pk) AND NOT contains(finishedItems, :index)")
                            .expressionAttributeValues(values)
                            .returnValues(ReturnValue.ALL_NEW))
                    .attributes();
        } catch (ConditionalCheckFailedException alreadyCounted) {
            // Counted by an earlier delivery, which may have stopped before what follows: do that part again.
            after = dynamo.getItem(g -> g.tableName(table)
                            .key(partKey(job.request().batchId(), part))
                            .consistentRead(true))
                    .item();
            if (after == null || after.isEmpty()) {
                return false;
            }
        }
        return full(after) && partFinished(job.request().batchId(), part, now);
    }

    private static boolean full(Map<String, AttributeValue> part) {
        return indexSet(part, "finishedItems").size() >= count(part, "size");
    }

    /**
     * Adds a full part to the batch's finished parts, once; the write that adds the last completes the batch.
     * @return true exactly when this call completed the batch
     */
    private boolean partFinished(String batchId, int part, Instant now) {
        Map<String, AttributeValue> after;
        try {
            after = dynamo.updateItem(u -> u.tableName(table)
                            .key(key(batchId))
                            .updateExpression("ADD finishedParts :part")
                            .conditionExpression("attribute_exists(pk) AND NOT contains(finishedParts, :n)")
                            .expressionAttributeValues(Map.of(
                                    ":part", AttributeValue.fromNs(List.of(Integer.toString(part))), ":n", n(part)))
                            .returnValues(ReturnValue.ALL_NEW))
                    .attributes();
        } catch (ConditionalCheckFailedException alreadyAdded) {
            after = dynamo.getItem(g -> g.tableName(table).key(key(batchId)).consistentRead(true))
                    .item();
            if (after == null || after.isEmpty()) {
                return false;
            }
        }
        return indexSet(after, "finishedParts").size() >= parts(count(after, "total"))
                && complete(batchId, after.containsKey("webhookUrl"), now);
    }

    /**
     * running -> completed, once: the winner of this conditional write is the one that announces it. A batch with a
     * webhook stays in the active index until its event is enqueued ({@link #settle}).
     */
    private boolean complete(String batchId, boolean hasWebhook, Instant now) {
        // A fresh id per call tells this call's own write, applied by an attempt whose answer was lost and refused
        // on the SDK's retry, apart from another caller's: only the first must announce the batch.
        String writeId = dev.bedrockjobs.core.domain.Ids.randomToken(8);
        String update = "SET #status = :completed, finishedAt = :now, completeWrite = :write"
                + (hasWebhook ? "" : " REMOVE gsi3pk, gsi3sk");
        try {
            dynamo.updateItem(u -> u.tableName(table)
                    .key(key(batchId))
                    .updateExpression(update)
                    .conditionExpression("#status = :running")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.of(
                            ":completed",
                            s(BatchStatus.COMPLETED.wire()),
                            ":running",
                            s(BatchStatus.RUNNING.wire()),
                            ":now",
                            s(now.toString()),
                            ":write",
                            s(writeId))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(table)
                            .key(key(batchId))
                            .consistentRead(true)
                            .projectionExpression("completeWrite"))
                    .item();
            return item != null && writeId.equals(JobItems.str(item, "completeWrite"));
        }
    }

    @Override
    public void settle(String batchId) {
        try {
            dynamo.updateItem(u -> u.tableName(table)
                    .key(key(batchId))
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
        QueryRequest q = QueryRequest.builder()
                .tableName(table)
                .indexName(JobItems.ACTIVE)
                .keyConditionExpression("gsi3pk = :p AND gsi3sk < :before")
                .expressionAttributeValues(
                        Map.of(":p", s(JobItems.ACTIVE_BATCHES), ":before", s(createdBefore.toString())))
                .limit(Math.min(50, limit))
                .build();
        // the index holds only keys and a few attributes of a batch: read each whole (one gone since is skipped)
        return DynamoPages.items(dynamo, q)
                .flatMap(item -> get(item.get(PK).s().substring("BATCH#".length())).stream())
                .limit(limit)
                .toList();
    }

    @Override
    public boolean cancel(String batchId, Instant now) {
        try {
            dynamo.updateItem(u -> u.tableName(table)
                    .key(key(batchId))
                    .updateExpression("SET #status = :canceled, finishedAt = :now REMOVE gsi3pk, gsi3sk")
                    .conditionExpression("#status = :running")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.of(
                            ":canceled",
                            s(BatchStatus.CANCELED.wire()),
                            ":running",
                            s(BatchStatus.RUNNING.wire()),
                            ":now",
                            s(now.toString()))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** The batch item with its parts' sets unioned and counters summed. */
    private static Batch fromItems(Map<String, AttributeValue> m, List<Map<String, AttributeValue>> parts) {
        Set<Integer> started = new HashSet<>();
        Set<Integer> finished = new HashSet<>();
        int succeeded = 0;
        int failed = 0;
        int canceled = 0;
        long in = 0;
        long out = 0;
        BigDecimal cost = BigDecimal.ZERO;
        List<Finishes> finishes = new ArrayList<>();
        for (Map<String, AttributeValue> p : parts) {
            if (p.containsKey("busyFrom") && p.containsKey("lastAt")) {
                finishes.add(new Finishes(
                        indexSet(p, "finishedItems").size(),
                        Instant.ofEpochMilli(JobItems.num(p, "busyFrom")),
                        Instant.ofEpochMilli(JobItems.num(p, "firstAt")),
                        Instant.ofEpochMilli(JobItems.num(p, "lastAt"))));
            }
            started.addAll(indexSet(p, "startedItems"));
            finished.addAll(indexSet(p, "finishedItems"));
            succeeded += count(p, "succeeded");
            failed += count(p, "failed");
            canceled += count(p, "canceled");
            in += total(p, "inputTokens");
            out += total(p, "outputTokens");
            cost = p.containsKey("costUsd")
                    ? cost.add(new BigDecimal(p.get("costUsd").n()))
                    : cost;
        }
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
                started,
                finished,
                succeeded,
                failed,
                canceled,
                in,
                out,
                cost,
                finishes);
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

    private static long total(Map<String, AttributeValue> m, String name) {
        Long v = JobItems.num(m, name);
        return v == null ? 0 : v;
    }

    private static int count(Map<String, AttributeValue> m, String name) {
        Long v = JobItems.num(m, name);
        return v == null ? 0 : v.intValue();
    }
}
