package dev.bedrockjobs.core.adapter;

import static dev.bedrockjobs.core.adapter.JobItems.GSI1PK;
import static dev.bedrockjobs.core.adapter.JobItems.GSI1SK;
import static dev.bedrockjobs.core.adapter.JobItems.GSI2PK;
import static dev.bedrockjobs.core.adapter.JobItems.GSI2SK;
import static dev.bedrockjobs.core.adapter.JobItems.PK;
import static dev.bedrockjobs.core.adapter.JobItems.SK;
import static dev.bedrockjobs.core.adapter.JobItems.n;
import static dev.bedrockjobs.core.adapter.JobItems.s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.domain.Ids;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.domain.ValidationException;
import dev.bedrockjobs.core.port.JobStore;
import dev.bedrockjobs.core.port.Page;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/** {@link JobStore} on one DynamoDB table, with single-item conditional writes only (no transactions needed). */
public final class DynamoJobStore implements JobStore {
    private static final int MAX_QUERIES_PER_PAGE = 10;
    private static final int DYNAMO_BATCH_LIMIT = 25;

    private final DynamoDbClient dynamo;
    private final String table;
    private final Duration retention;

    public DynamoJobStore(DynamoDbClient dynamo, String table, Duration retention) {
        this.dynamo = dynamo;
        this.table = table;
        this.retention = retention;
    }

    @Override
    public boolean create(Job job) {
        long ttl = job.progress().createdAt().plus(retention).getEpochSecond();
        try {
            dynamo.putItem(r ->
                    r.tableName(table).item(JobItems.toItem(job, ttl)).conditionExpression("attribute_not_exists(pk)"));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public Optional<Job> get(String jobId) {
        GetItemResponse r =
                dynamo.getItem(g -> g.tableName(table).key(JobItems.key(jobId)).consistentRead(true));
        return r.hasItem() && !r.item().isEmpty() ? Optional.of(JobItems.fromItem(r.item())) : Optional.empty();
    }

    @Override
    public void createAll(List<Job> jobs) {
        List<List<Job>> chunks = new ArrayList<>();
        for (int from = 0; from < jobs.size(); from += DYNAMO_BATCH_LIMIT) {
            chunks.add(jobs.subList(from, Math.min(jobs.size(), from + DYNAMO_BATCH_LIMIT)));
        }
        Parallel.run(chunks, this::writeChunk);
    }

    private void writeChunk(List<Job> chunk) {
        List<WriteRequest> writes = new ArrayList<>(chunk.size());
        for (Job job : chunk) {
            long ttl = job.progress().createdAt().plus(retention).getEpochSecond();
            writes.add(WriteRequest.builder()
                    .putRequest(p -> p.item(JobItems.toItem(job, ttl)))
                    .build());
        }
        Map<String, List<WriteRequest>> pending = Map.of(table, writes);
        for (int attempt = 0; !pending.isEmpty(); attempt++) {
            if (attempt == 8) {
                throw new IllegalStateException(
                        "DynamoDB left " + pending.get(table).size() + " writes unprocessed");
            }
            Map<String, List<WriteRequest>> request = pending;
            BatchWriteItemResponse r = dynamo.batchWriteItem(b -> b.requestItems(request));
            pending = r.hasUnprocessedItems() ? r.unprocessedItems() : Map.of();
            if (!pending.isEmpty()) {
                Parallel.pause(attempt);
            }
        }
    }

    @Override
    public Page<Job> listByBatch(String batchId, int limit, String cursor) {
        String partition = "BATCH#" + batchId;
        QueryRequest.Builder q = QueryRequest.builder()
                .tableName(table)
                .indexName(JobItems.BY_BATCH)
                .keyConditionExpression("gsi2pk = :p")
                .expressionAttributeValues(Map.of(":p", s(partition)))
                .scanIndexForward(true)
                .limit(limit);
        if (cursor != null) {
            q.exclusiveStartKey(decodeCursor(cursor, BATCH_CURSOR, partition));
        }
        return clientPage(DynamoPages.page(dynamo, q.build(), limit, 1), BATCH_CURSOR);
    }

    @Override
    public List<ActiveJob> listActive(Instant createdBefore, int limit) {
        // shard after shard, each read only as far as the limit still needs
        return IntStream.range(0, JobItems.ACTIVE_SHARDS)
                .mapToObj(shard -> QueryRequest.builder()
                        .tableName(table)
                        .indexName(JobItems.ACTIVE)
                        .keyConditionExpression("gsi3pk = :p AND gsi3sk < :before")
                        .expressionAttributeValues(
                                Map.of(":p", s("ACTIVE#" + shard), ":before", s(createdBefore.toString())))
                        .limit(Math.min(100, limit))
                        .build())
                .flatMap(q -> DynamoPages.items(dynamo, q))
                .limit(limit)
                .map(JobItems::activeEntry)
                .toList();
    }

    @Override
    public Page<Job> listByTenant(String tenantId, JobStatus status, int limit, String cursor) {
        String partition = "TENANT#" + tenantId;
        QueryRequest.Builder q = QueryRequest.builder()
                .tableName(table)
                .indexName(JobItems.BY_TENANT)
                .keyConditionExpression("gsi1pk = :p")
                .scanIndexForward(false)
                // a filtered read keeps only some of what it reads: read more at a time
                .limit(status == null ? limit : Math.max(25, limit));
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":p", s(partition));
        if (status != null) {
            q.filterExpression("#status = :s").expressionAttributeNames(Map.of("#status", "status"));
            values.put(":s", s(status.wire()));
        }
        q.expressionAttributeValues(values);
        if (cursor != null) {
            q.exclusiveStartKey(decodeCursor(cursor, TENANT_CURSOR, partition));
        }
        return clientPage(DynamoPages.page(dynamo, q.build(), limit, MAX_QUERIES_PER_PAGE), TENANT_CURSOR);
    }

    private static Page<Job> clientPage(DynamoPages.ItemPage page, List<String> cursorKeys) {
        return new Page<>(
                page.items().stream().map(JobItems::fromItem).toList(),
                page.resumeAfter() == null ? null : encodeCursor(page.resumeAfter(), cursorKeys));
    }

    /**
     * A key's item: {@code pk = IDEM#<tenant>#<key>}, {@code sk = IDEM#JOB} or {@code IDEM#BATCH}, so a job's key and
     * a batch's key that are the same string are two items.
     *
     * <p>Earlier versions kept both at {@code sk = IDEM}, a batch's key written as {@code batch:<key>}. Such an
     * item still answers for its key until it expires with the idempotency window (a day): it is read first, and
     * counts only for the scope whose ids it holds ({@code job_} or {@code bat_}), so the old collision is not
     * carried over. Once every such item has expired the read finds nothing and can be removed.
     */
    @Override
    public Optional<IdempotencyRecord> reserveIdempotencyKey(
            String tenantId, KeyScope scope, String key, String requestHash, String id, Instant expiresAt) {
        Optional<IdempotencyRecord> legacy = legacyReservation(tenantId, scope, key);
        if (legacy.isPresent()) {
            return legacy;
        }
        Map<String, AttributeValue> item = Map.of(
                PK,
                s("IDEM#" + tenantId + "#" + key),
                SK,
                s("IDEM#" + scope.name()),
                "jobId",
                s(id),
                "requestHash",
                s(requestHash),
                "ttl",
                n(expiresAt.getEpochSecond()));
        try {
            dynamo.putItem(r -> r.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
            return Optional.empty();
        } catch (ConditionalCheckFailedException e) {
            Map<String, AttributeValue> existing = dynamo.getItem(g ->
                            g.tableName(table).consistentRead(true).key(Map.of(PK, item.get(PK), SK, item.get(SK))))
                    .item();
            return Optional.of(new IdempotencyRecord(
                    existing.get("jobId").s(), existing.get("requestHash").s()));
        }
    }

    private Optional<IdempotencyRecord> legacyReservation(String tenantId, KeyScope scope, String key) {
        String legacyKey = scope == KeyScope.BATCH ? "batch:" + key : key;
        Map<String, AttributeValue> old = dynamo.getItem(g -> g.tableName(table)
                        .consistentRead(true)
                        .key(Map.of(PK, s("IDEM#" + tenantId + "#" + legacyKey), SK, s("IDEM"))))
                .item();
        if (old == null || old.isEmpty() || !old.containsKey("jobId")) {
            return Optional.empty();
        }
        String heldId = old.get("jobId").s();
        boolean sameScope = heldId.startsWith(scope == KeyScope.BATCH ? "bat_" : "job_");
        return sameScope
                ? Optional.of(
                        new IdempotencyRecord(heldId, old.get("requestHash").s()))
                : Optional.empty();
    }

    @Override
    public Optional<Job> cancelQueued(String jobId, Instant now) {
        try {
            Map<String, AttributeValue> after = dynamo.updateItem(u -> u.tableName(table)
                            .key(JobItems.key(jobId))
                            .updateExpression("SET #status = :canceled, finishedAt = :now REMOVE leaseUntil")
                            .conditionExpression("#status = :queued")
                            .expressionAttributeNames(Map.of("#status", "status"))
                            .expressionAttributeValues(Map.of(
                                    ":canceled",
                                    s(JobStatus.CANCELED.wire()),
                                    ":queued",
                                    s(JobStatus.QUEUED.wire()),
                                    ":now",
                                    s(now.toString())))
                            .returnValues(ReturnValue.ALL_NEW))
                    .attributes();
            return Optional.of(JobItems.fromItem(after));
        } catch (ConditionalCheckFailedException e) {
            // applied by an attempt whose answer was lost: the same cancel, at the same instant
            return get(jobId)
                    .filter(j -> j.progress().status() == JobStatus.CANCELED
                            && now.equals(j.progress().finishedAt()));
        }
    }

    @Override
    public void settle(String jobId, Instant now, boolean eventOwed) {
        String update = "SET usageRecorded = :t"
                + (eventOwed ? "" : ", settledAt = if_not_exists(settledAt, :now) REMOVE gsi3pk, gsi3sk, settleClaim");
        Map<String, AttributeValue> values = new HashMap<>(terminalStatuses());
        values.put(":t", AttributeValue.fromBool(true));
        if (!eventOwed) {
            values.put(":now", s(now.toString()));
        }
        try {
            dynamo.updateItem(u -> u.tableName(table)
                    .key(JobItems.key(jobId))
                    .updateExpression(update)
                    .conditionExpression("#status IN (:succeeded, :failed, :canceled)")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(values));
        } catch (ConditionalCheckFailedException notFinished) {
            // not finished (or not there): nothing to settle
        }
    }

    @Override
    public Optional<Job> claimSettlement(String jobId, Instant now, Instant until) {
        Map<String, AttributeValue> values = new HashMap<>(terminalStatuses());
        values.put(":until", n(until.toEpochMilli()));
        values.put(":now", n(now.toEpochMilli()));
        try {
            Map<String, AttributeValue> after = dynamo.updateItem(u -> u.tableName(table)
                            .key(JobItems.key(jobId))
                            .updateExpression("SET settleClaim = :until")
                            .conditionExpression("#status IN (:succeeded, :failed, :canceled) AND "
                                    + "attribute_not_exists(settledAt) AND "
                                    + "(attribute_not_exists(settleClaim) OR settleClaim < :now)")
                            .expressionAttributeNames(Map.of("#status", "status"))
                            .expressionAttributeValues(values)
                            .returnValues(ReturnValue.ALL_NEW))
                    .attributes();
            return Optional.of(JobItems.fromItem(after));
        } catch (ConditionalCheckFailedException e) {
            return Optional.empty();
        }
    }

    private static Map<String, AttributeValue> terminalStatuses() {
        return Map.of(
                ":succeeded",
                s(JobStatus.SUCCEEDED.wire()),
                ":failed",
                s(JobStatus.FAILED.wire()),
                ":canceled",
                s(JobStatus.CANCELED.wire()));
    }

    @Override
    public boolean requestCancel(String jobId) {
        try {
            dynamo.updateItem(u -> u.tableName(table)
                    .key(JobItems.key(jobId))
                    .updateExpression("SET cancelRequested = :t")
                    .conditionExpression("#status = :running")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(
                            Map.of(":t", AttributeValue.fromBool(true), ":running", s(JobStatus.RUNNING.wire()))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public Optional<Job> claim(String jobId, String fencingToken, Instant now, Instant leaseUntil) {
        try {
            Map<String, AttributeValue> after = dynamo.updateItem(u -> u.tableName(table)
                            .key(JobItems.key(jobId))
                            .updateExpression("SET #status = :running, fencingToken = :token, leaseUntil = :lease, "
                                    + "startedAt = if_not_exists(startedAt, :nowIso) ADD deliveries :one")
                            // The last clause makes the claim idempotent: when the SDK retries a claim whose answer was
                            // lost, the claim already made with this token is returned instead of looking like a
                            // rival's.
                            .conditionExpression("attribute_exists(pk) AND (#status = :queued OR "
                                    + "(#status = :running AND (leaseUntil < :nowMs OR fencingToken = :token)))")
                            .expressionAttributeNames(Map.of("#status", "status"))
                            .expressionAttributeValues(Map.of(
                                    ":running",
                                    s(JobStatus.RUNNING.wire()),
                                    ":queued",
                                    s(JobStatus.QUEUED.wire()),
                                    ":token",
                                    s(fencingToken),
                                    ":lease",
                                    n(leaseUntil.toEpochMilli()),
                                    ":nowIso",
                                    s(now.toString()),
                                    ":nowMs",
                                    n(now.toEpochMilli()),
                                    ":one",
                                    n(1)))
                            .returnValues(ReturnValue.ALL_NEW))
                    .attributes();
            return Optional.of(JobItems.fromItem(after));
        } catch (ConditionalCheckFailedException e) {
            // Our own claim, applied by an attempt whose answer was lost and refused on the SDK's retry?
            return get(jobId)
                    .filter(j -> j.progress().status() == JobStatus.RUNNING
                            && fencingToken.equals(j.progress().fencingToken()));
        }
    }

    @Override
    public boolean finish(Job finished) {
        if (!finished.progress().status().isTerminal()) {
            throw new IllegalArgumentException(
                    "finish needs a terminal status, got " + finished.progress().status());
        }
        Map<String, String> names = Map.of("#status", "status");
        Map<String, AttributeValue> values = new HashMap<>();
        // A fresh id per call tells this call's own write apart from an identical one made by an earlier call.
        String writeId = dev.bedrockjobs.core.domain.Ids.randomToken(8);
        StringBuilder set = new StringBuilder(
                "SET #status = :status, finishedAt = :finished, attempts = :attempts, " + "finishWrite = :write");
        values.put(":write", s(writeId));
        values.put(":attempts", n(finished.progress().attempts()));
        values.put(":status", s(finished.progress().status().wire()));
        values.put(":finished", s(finished.progress().finishedAt().toString()));
        values.put(":token", s(finished.progress().fencingToken()));
        values.put(":running", s(JobStatus.RUNNING.wire()));
        if (finished.progress().result() != null) {
            set.append(", resultText = :text, stopReason = :stop");
            values.put(
                    ":text",
                    s(
                            finished.progress().result().text() == null
                                    ? ""
                                    : finished.progress().result().text()));
            values.put(
                    ":stop",
                    s(
                            finished.progress().result().stopReason() == null
                                    ? ""
                                    : finished.progress().result().stopReason()));
        }
        if (finished.accounting().usage() != null) {
            set.append(", inputTokens = :in, outputTokens = :out");
            values.put(":in", n(finished.accounting().usage().inputTokens()));
            values.put(":out", n(finished.accounting().usage().outputTokens()));
        }
        if (finished.accounting().costUsd() != null) {
            set.append(", costUsd = :cost");
            values.put(
                    ":cost",
                    AttributeValue.fromN(finished.accounting().costUsd().toPlainString()));
        }
        if (finished.progress().error() != null) {
            set.append(", errorCode = :code, errorMessage = :message");
            values.put(":code", s(finished.progress().error().code()));
            values.put(
                    ":message",
                    s(
                            finished.progress().error().message() == null
                                    ? ""
                                    : finished.progress().error().message()));
        }
        String condition = "fencingToken = :token AND #status = :running";
        if (finished.progress().status() != JobStatus.CANCELED) {
            // A cancel asked for while the model ran wins: the caller then finishes the job as canceled instead.
            condition += " AND attribute_not_exists(cancelRequested)";
        }
        if (finished.accounting().usageRecorded()) {
            set.append(", usageRecorded = :true");
            values.put(":true", AttributeValue.fromBool(true));
        }
        // The job stays in the active index until settled (see JobStore#settle).
        String update = set
                + (finished.accounting().settled()
                        ? ", settledAt = :finished REMOVE leaseUntil, gsi3pk, gsi3sk"
                        : " REMOVE leaseUntil");
        String finalCondition = condition;
        try {
            dynamo.updateItem(u -> u.tableName(table)
                    .key(JobItems.key(finished.id()))
                    .updateExpression(update)
                    .conditionExpression(finalCondition)
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return appliedEarlier(finished.id(), writeId);
        }
    }

    /**
     * Whether a refused terminal write had in fact been applied by an earlier attempt of the same call (its answer
     * lost, the SDK's retry then refused): the item carries this call's own write id. A second call with the same
     * outcome is refused, so that whatever follows a finish (metrics, announcements) happens once.
     */
    private boolean appliedEarlier(String jobId, String writeId) {
        Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(table)
                        .key(JobItems.key(jobId))
                        .consistentRead(true)
                        .projectionExpression("finishWrite"))
                .item();
        return item != null && writeId.equals(JobItems.str(item, "finishWrite"));
    }

    @Override
    public boolean release(String jobId, String fencingToken) {
        try {
            dynamo.updateItem(u -> u.tableName(table)
                    .key(JobItems.key(jobId))
                    .updateExpression("SET #status = :queued REMOVE leaseUntil, fencingToken")
                    .conditionExpression("fencingToken = :token AND #status = :running")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.of(
                            ":queued",
                            s(JobStatus.QUEUED.wire()),
                            ":running",
                            s(JobStatus.RUNNING.wire()),
                            ":token",
                            s(fencingToken))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public boolean failUndeliverable(String jobId, Job.Error error, Instant now) {
        try {
            dynamo.updateItem(u -> u.tableName(table)
                    .key(JobItems.key(jobId))
                    .updateExpression("SET #status = :failed, finishedAt = :now, errorCode = :code, "
                            + "errorMessage = :message REMOVE leaseUntil")
                    .conditionExpression("#status IN (:queued, :running)")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.of(
                            ":failed",
                            s(JobStatus.FAILED.wire()),
                            ":queued",
                            s(JobStatus.QUEUED.wire()),
                            ":running",
                            s(JobStatus.RUNNING.wire()),
                            ":now",
                            s(now.toString()),
                            ":code",
                            s(error.code()),
                            ":message",
                            s(error.message()))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            // applied by an attempt whose answer was lost: the same failure, at the same instant
            return get(jobId)
                    .filter(j -> j.progress().status() == JobStatus.FAILED
                            && now.equals(j.progress().finishedAt())
                            && j.progress().error() != null
                            && error.code().equals(j.progress().error().code())
                            && java.util.Objects.equals(
                                    error.message(), j.progress().error().message()))
                    .isPresent();
        }
    }

    private static final List<String> TENANT_CURSOR = List.of(PK, SK, GSI1PK, GSI1SK);
    private static final List<String> BATCH_CURSOR = List.of(PK, SK, GSI2PK, GSI2SK);

    private static String encodeCursor(Map<String, AttributeValue> item, List<String> keys) {
        ObjectNode n = Json.object();
        for (String k : keys) {
            n.put(k, item.get(k).s());
        }
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(Json.write(n).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A cursor is only ever accepted for the listing it was made for, and only as a key a job item of that listing
     * could have: every attribute of the table's and the index's key schema present, of the shape {@link JobItems}
     * writes, nothing else. DynamoDB refuses a start key that is not a possible key of the query (an empty string,
     * another partition) with an error that is not the client's to see; checked here, it is a 400 naming the cursor.
     * A shape check is enough: the key names no item outside the caller's own listing, and reading on from any
     * possible key of it shows only what the listing shows anyway.
     */
    private static Map<String, AttributeValue> decodeCursor(String cursor, List<String> keys, String partition) {
        try {
            JsonNode n = Json.parse(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
            Map<String, AttributeValue> key = new HashMap<>();
            for (String k : keys) {
                JsonNode v = n.get(k);
                if (v == null || !v.isTextual()) {
                    throw new IllegalArgumentException("missing " + k);
                }
                key.put(k, s(v.textValue()));
            }
            if (n.size() != keys.size() || !isJobKeyOf(key, keys, partition)) {
                throw new IllegalArgumentException("not this listing's cursor");
            }
            return key;
        } catch (RuntimeException e) {
            throw ValidationException.of("cursor", "is not a valid cursor");
        }
    }

    private static boolean isJobKeyOf(Map<String, AttributeValue> key, List<String> keys, String partition) {
        String pk = key.get(PK).s();
        if (!pk.startsWith("JOB#")
                || !JobItems.JOB_SK.equals(key.get(SK).s())
                || !partition.equals(key.get(keys.get(2)).s())) {
            return false;
        }
        String jobId = pk.substring("JOB#".length());
        if (!Ids.isWellFormed(jobId, "job_")) {
            return false;
        }
        String sort = key.get(keys.get(3)).s();
        if (keys == BATCH_CURSOR) {
            return sort.matches("[0-9]{6}");
        }
        int hash = sort.indexOf('#');
        if (hash < 0 || !sort.substring(hash + 1).equals(jobId)) {
            return false;
        }
        Instant.parse(sort.substring(0, hash)); // throws if not a time
        return true;
    }
}
