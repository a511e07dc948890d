package dev.bedrockjobs.core.adapter;

import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.domain.Lane;
import dev.bedrockjobs.core.port.JobStore;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.Select;

/**
 * The single-table layout of a job item. Keys: {@code pk = JOB#id}, {@code sk = JOB}; index {@code byTenant}
 * ({@code gsi1pk = TENANT#tenant}, {@code gsi1sk = createdAt#id}) lists a tenant's jobs newest first; index
 * {@code byBatch} ({@code gsi2pk = BATCH#batch}, {@code gsi2sk = zero-padded item index}) lists a batch in order;
 * the sparse index {@code active} ({@code gsi3pk = ACTIVE#shard}, {@code gsi3sk = createdAt#id}) holds only jobs
 * not yet settled (unfinished, or finished with usage or webhook event not yet known to be done; see
 * {@code JobStore#settle}) and running batches, so the reconciler reads what may need help and nothing else; it
 * projects only status, tenant, finish time, lease and whether it holds an active-job slot. Its key is spread over a few shards so that busy hours do
 * not write one hot partition.
 */
public final class JobItems {
    static final String PK = "pk";
    static final String SK = "sk";
    static final String GSI1PK = "gsi1pk";
    static final String GSI1SK = "gsi1sk";
    static final String GSI2PK = "gsi2pk";
    static final String GSI2SK = "gsi2sk";
    static final String BY_TENANT = "byTenant";
    static final String BY_BATCH = "byBatch";
    static final String ACTIVE = "active";
    static final String GSI3PK = "gsi3pk";
    static final String GSI3SK = "gsi3sk";
    static final int ACTIVE_SHARDS = 8;
    static final String ACTIVE_BATCHES = "ACTIVE#BATCH";
    static final String JOB_SK = "JOB";

    private JobItems() {}

    static String jobPk(String jobId) {
        return "JOB#" + jobId;
    }

    static String activeShard(String jobId) {
        return "ACTIVE#" + Math.floorMod(jobId.hashCode(), ACTIVE_SHARDS);
    }

    static Map<String, AttributeValue> key(String jobId) {
        return Map.of(PK, s(jobPk(jobId)), SK, s(JOB_SK));
    }

    public static Map<String, AttributeValue> toItem(Job j, long ttlEpochSeconds) {
        Map<String, AttributeValue> m = new HashMap<>();
        m.put(PK, s(jobPk(j.id())));
        m.put(SK, s(JOB_SK));
        m.put(GSI1PK, s("TENANT#" + j.tenantId()));
        m.put(GSI1SK, s(j.progress().createdAt().toString() + "#" + j.id()));
        if (j.request().batchId() != null) {
            m.put(GSI2PK, s("BATCH#" + j.request().batchId()));
            m.put(
                    GSI2SK,
                    s(String.format(
                            "%06d",
                            j.request().itemIndex() == null ? 0 : j.request().itemIndex())));
            m.put("batchId", s(j.request().batchId()));
            putIfPresent(m, "customId", j.request().customId());
            if (j.request().itemIndex() != null) {
                m.put("itemIndex", n(j.request().itemIndex()));
            }
        }
        if (!j.accounting().settled()) {
            m.put(GSI3PK, s(activeShard(j.id())));
            m.put(GSI3SK, s(j.progress().createdAt().toString() + "#" + j.id()));
        }
        m.put("id", s(j.id()));
        m.put("tenantId", s(j.tenantId()));
        m.put("status", s(j.progress().status().wire()));
        m.put("tier", s(j.request().tier()));
        m.put("modelId", s(j.request().modelId()));
        m.put("prompt", s(j.request().prompt()));
        putIfPresent(m, "system", j.request().system());
        m.put("maxTokens", n(j.request().maxTokens()));
        if (j.request().temperature() != null) {
            m.put("temperature", AttributeValue.fromN(j.request().temperature().toString()));
        }
        if (!j.request().metadata().isEmpty()) {
            Map<String, AttributeValue> md = new HashMap<>();
            j.request().metadata().forEach((k, v) -> md.put(k, s(v)));
            m.put("metadata", AttributeValue.fromM(md));
        }
        putIfPresent(m, "webhookUrl", j.request().webhookUrl());
        putIfPresent(m, "idempotencyKey", j.request().idempotencyKey());
        putIfPresent(m, "requestHash", j.request().requestHash());
        m.put("createdAt", s(j.progress().createdAt().toString()));
        if (j.progress().finishedAt() != null) {
            m.put("finishedAt", s(j.progress().finishedAt().toString()));
        }
        if (j.accounting().settled()) {
            m.put("settledAt", s(j.progress().finishedAt().toString()));
        }
        if (j.accounting().usageRecorded()) {
            m.put("usageRecorded", AttributeValue.fromBool(true));
        }
        if (j.accounting().reservedTokens() > 0) {
            m.put("reservedTokens", n(j.accounting().reservedTokens()));
        }
        if (j.accounting().reservedUsd() != null && j.accounting().reservedUsd().signum() > 0) {
            m.put(
                    "reservedUsd",
                    AttributeValue.fromN(j.accounting().reservedUsd().toPlainString()));
        }
        if (j.progress().result() != null) {
            m.put(
                    "resultText",
                    s(
                            j.progress().result().text() == null
                                    ? ""
                                    : j.progress().result().text()));
            m.put(
                    "stopReason",
                    s(
                            j.progress().result().stopReason() == null
                                    ? ""
                                    : j.progress().result().stopReason()));
        }
        if (j.accounting().cached()) {
            m.put("cached", AttributeValue.fromBool(true));
        }
        putIfPresent(m, "cacheKey", j.request().cacheKey());
        if (j.accounting().holdsActiveSlot()) {
            m.put("activeSlot", AttributeValue.fromBool(true));
        }
        m.put("attempts", n(j.progress().attempts()));
        m.put("lane", s(j.request().lane().wire()));
        if (j.request().stream()) {
            m.put("stream", AttributeValue.fromBool(true));
        }
        if (j.progress().ticket() != null) {
            m.put("ticket", n(j.progress().ticket()));
        }
        m.put("ttl", n(ttlEpochSeconds));
        return m;
    }

    /** An entry of the {@code active} index, which projects only what the reconciler decides on (see template). */
    static JobStore.ActiveJob activeEntry(Map<String, AttributeValue> m) {
        Long lease = num(m, "leaseUntil");
        return new JobStore.ActiveJob(
                str(m, PK).substring("JOB#".length()),
                str(m, "tenantId"),
                JobStatus.fromWire(str(m, "status")),
                instant(m, "finishedAt"),
                lease == null ? null : Instant.ofEpochMilli(lease));
    }

    public static Job fromItem(Map<String, AttributeValue> m) {
        Map<String, String> metadata = new HashMap<>();
        AttributeValue md = m.get("metadata");
        if (md != null && md.m() != null) {
            md.m().forEach((k, v) -> metadata.put(k, v.s()));
        }
        String text = str(m, "resultText");
        String stop = str(m, "stopReason");
        Long in = num(m, "inputTokens");
        Long out = num(m, "outputTokens");
        String errorCode = str(m, "errorCode");
        String cost = m.containsKey("costUsd") ? m.get("costUsd").n() : null;
        Long lease = num(m, "leaseUntil");
        Long itemIndex = num(m, "itemIndex");
        AttributeValue cancel = m.get("cancelRequested");
        return Job.builder()
                .id(str(m, "id"))
                .tenantId(str(m, "tenantId"))
                .request(r -> r
                        .tier(str(m, "tier"))
                        .modelId(str(m, "modelId"))
                        .prompt(str(m, "prompt"))
                        .system(str(m, "system"))
                        .maxTokens(num(m, "maxTokens").intValue())
                        .temperature(
                                m.containsKey("temperature")
                                        ? Double.valueOf(m.get("temperature").n())
                                        : null)
                        .metadata(metadata)
                        .webhookUrl(str(m, "webhookUrl"))
                        .idempotencyKey(str(m, "idempotencyKey"))
                        .requestHash(str(m, "requestHash"))
                        .batchId(str(m, "batchId"))
                        .customId(str(m, "customId"))
                        .itemIndex(itemIndex == null ? null : itemIndex.intValue())
                        .cacheKey(str(m, "cacheKey"))
                        .lane(Lane.fromWire(str(m, "lane")))
                        .stream(flag(m, "stream")))
                .progress(pr -> pr.status(JobStatus.fromWire(str(m, "status")))
                        .createdAt(instant(m, "createdAt"))
                        .startedAt(instant(m, "startedAt"))
                        .finishedAt(instant(m, "finishedAt"))
                        .attempts(
                                num(m, "attempts") == null
                                        ? 0
                                        : num(m, "attempts").intValue())
                        .result(text == null && stop == null ? null : new Job.Result(text, stop))
                        .error(errorCode == null ? null : new Job.Error(errorCode, str(m, "errorMessage")))
                        .cancelRequested(cancel != null && Boolean.TRUE.equals(cancel.bool()))
                        .fencingToken(str(m, "fencingToken"))
                        .leaseUntil(lease == null ? null : Instant.ofEpochMilli(lease))
                        .ticket(num(m, "ticket")))
                .accounting(ac -> ac.usage(in == null ? null : new Job.Usage(in, out == null ? 0 : out))
                        .costUsd(cost == null ? null : new BigDecimal(cost))
                        .cached(flag(m, "cached"))
                        .holdsActiveSlot(flag(m, "activeSlot"))
                        .usageRecorded(flag(m, "usageRecorded"))
                        .settled(m.containsKey("settledAt"))
                        .reserved(
                                num(m, "reservedTokens") == null ? 0 : num(m, "reservedTokens"),
                                m.containsKey("reservedUsd")
                                        ? new BigDecimal(m.get("reservedUsd").n())
                                        : null))
                .build();
    }

    private static boolean flag(Map<String, AttributeValue> m, String name) {
        AttributeValue v = m.get(name);
        return v != null && Boolean.TRUE.equals(v.bool());
    }

    static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    static AttributeValue n(long v) {
        return AttributeValue.fromN(Long.toString(v));
    }

    private static void putIfPresent(Map<String, AttributeValue> m, String name, String v) {
        if (v != null) {
            m.put(name, s(v));
        }
    }

    static String str(Map<String, AttributeValue> m, String name) {
        AttributeValue v = m.get(name);
        return v == null ? null : v.s();
    }

    static Long num(Map<String, AttributeValue> m, String name) {
        AttributeValue v = m.get(name);
        return v == null || v.n() == null ? null : Long.valueOf(v.n());
    }

    private static Instant instant(Map<String, AttributeValue> m, String name) {
        String v = str(m, name);
        return v == null ? null : Instant.parse(v);
    }

    /**
     * Counts a tenant's unfinished jobs (queued or running) in the sparse {@code active} index, every shard, that also
     * match {@code sortKeyCondition} (on {@code gsi3sk}, or null) and {@code extraFilter} (or null). Finished jobs
     * whose webhook event is not yet enqueued sit in the index too, so the status is filtered, not assumed.
     */
    static long countUnfinished(
            DynamoDbClient dynamo,
            String table,
            String tenantId,
            String sortKeyCondition,
            String extraFilter,
            Map<String, AttributeValue> extraValues) {
        Map<String, AttributeValue> values = new HashMap<>(extraValues);
        values.put(":t", s(tenantId));
        values.put(":queued", s(JobStatus.QUEUED.wire()));
        values.put(":running", s(JobStatus.RUNNING.wire()));
        String filter =
                "tenantId = :t AND #status IN (:queued, :running)" + (extraFilter == null ? "" : " AND " + extraFilter);
        long count = 0;
        for (int shard = 0; shard < ACTIVE_SHARDS; shard++) {
            values.put(":p", s("ACTIVE#" + shard));
            QueryRequest q = QueryRequest.builder()
                    .tableName(table)
                    .indexName(ACTIVE)
                    .keyConditionExpression(
                            "gsi3pk = :p" + (sortKeyCondition == null ? "" : " AND " + sortKeyCondition))
                    .filterExpression(filter)
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.copyOf(values))
                    .select(Select.COUNT)
                    .build();
            count += DynamoPages.pages(dynamo, q).stream()
                    .mapToLong(QueryResponse::count)
                    .sum();
        }
        return count;
    }
}
