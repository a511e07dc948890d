package dev.bedrockjobs.core.adapter;

import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.MonthlyUsage;
import dev.bedrockjobs.core.port.UsageMeter;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.math.BigDecimal;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.bedrockjobs.core.adapter.JobItems.PK;
import static dev.bedrockjobs.core.adapter.JobItems.SK;
import static dev.bedrockjobs.core.adapter.JobItems.n;
import static dev.bedrockjobs.core.adapter.JobItems.s;

/**
 * Monthly usage counters, one item per tenant and month ({@code pk = USAGE#tenant}, {@code sk = MONTH#yyyy-MM}):
 * totals, and per model the same numbers under attribute names {@code model|<modelId>|<counter>}.
 *
 * <p>Exactly once without transactions, in three single-item writes: (a) add the job's numbers to the counters
 * together with its id into the item's {@code pending} set, on condition that the id is not pending yet; (b) mark
 * the job item {@code usageRecorded}; (c) take the id out of {@code pending}. A retry after a crash anywhere finds
 * the id pending (skips a) or the job marked (skips a and b), so nothing counts twice, and {@code pending} only holds
 * jobs being applied right now.
 *
 * <p>Not closed: two deliveries of one job handled in the same instant, where one reads the job before the other
 * marks it and adds after the other has cleared its pending id (a window of about two round trips), would count the
 * job twice. Redeliveries one after the other, and every crash point, are exact.
 */
public final class DynamoUsageMeter implements UsageMeter {
    static final String MODEL_PREFIX = "model|";
    private static final String[] COUNTERS = {"inputTokens", "outputTokens", "costUsd", "succeeded", "failed",
        "canceled"};

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoUsageMeter(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    static Map<String, AttributeValue> key(String tenantId, YearMonth month) {
        return Map.of(PK, s("USAGE#" + tenantId), SK, s("MONTH#" + month));
    }

    static YearMonth monthOf(Job job) {
        return YearMonth.from(job.createdAt().atOffset(ZoneOffset.UTC));
    }

    @Override
    public void record(Job job) {
        if (!job.status().isTerminal() || job.cached()) {
            return; // an answer from the cache costs nothing and counts nothing
        }
        Map<String, AttributeValue> usageKey = key(job.tenantId(), monthOf(job));
        if (!job.usageRecorded()) {
            addOnce(job, usageKey);
            markRecorded(job.id());
        }
        clearPending(job.id(), usageKey);
    }

    /** Step (a). Package-visible so that a test can stop after it, as a crashed worker would. */
    void addOnce(Job job, Map<String, AttributeValue> usageKey) {
        String outcome = switch (job.status()) {
            case SUCCEEDED -> "succeeded";
            case FAILED -> "failed";
            default -> "canceled";
        };
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":job", AttributeValue.fromSs(List.of(job.id())));
        values.put(":id", s(job.id()));
        values.put(":in", n(job.usage() == null ? 0 : job.usage().inputTokens()));
        values.put(":out", n(job.usage() == null ? 0 : job.usage().outputTokens()));
        values.put(":cost", AttributeValue.fromN((job.costUsd() == null ? BigDecimal.ZERO : job.costUsd()).toPlainString()));
        values.put(":one", n(1));
        String model = MODEL_PREFIX + job.modelId() + "|";
        names.put("#mIn", model + "inputTokens");
        names.put("#mOut", model + "outputTokens");
        names.put("#mCost", model + "costUsd");
        names.put("#mOutcome", model + outcome);
        String update = "ADD pending :job, inputTokens :in, outputTokens :out, costUsd :cost, " + outcome + " :one, "
                + "#mIn :in, #mOut :out, #mCost :cost, #mOutcome :one";
        try {
            dynamo.updateItem(u -> u.tableName(table).key(usageKey).updateExpression(update)
                    .conditionExpression("NOT contains(pending, :id)")
                    .expressionAttributeNames(names).expressionAttributeValues(values));
        } catch (ConditionalCheckFailedException alreadyPending) {
            // an earlier delivery got this far and stopped: its numbers are in, finish its steps
        }
    }

    /** Step (b). */
    void markRecorded(String jobId) {
        try {
            dynamo.updateItem(u -> u.tableName(table).key(JobItems.key(jobId))
                    .updateExpression("SET usageRecorded = :t")
                    .conditionExpression("attribute_exists(pk)")
                    .expressionAttributeValues(Map.of(":t", AttributeValue.fromBool(true))));
        } catch (ConditionalCheckFailedException gone) {
            // past its retention: the counters keep its numbers
        }
    }

    /** Step (c). */
    private void clearPending(String jobId, Map<String, AttributeValue> usageKey) {
        try {
            dynamo.updateItem(u -> u.tableName(table).key(usageKey)
                    .updateExpression("DELETE pending :job")
                    .conditionExpression("attribute_exists(pk)")
                    .expressionAttributeValues(Map.of(":job", AttributeValue.fromSs(List.of(jobId)))));
        } catch (ConditionalCheckFailedException nothingRecorded) {
            // no usage item: nothing pending
        }
    }

    @Override
    public Spent spent(String tenantId, YearMonth month) {
        Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(table).key(key(tenantId, month))
                .projectionExpression("inputTokens, outputTokens, costUsd")).item();
        if (item == null || item.isEmpty()) {
            return Spent.NOTHING;
        }
        return new Spent(number(item, "inputTokens") + number(item, "outputTokens"), decimal(item, "costUsd"));
    }

    @Override
    public MonthlyUsage report(String tenantId, YearMonth month) {
        Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(table).key(key(tenantId, month))
                .consistentRead(true)).item();
        item = item == null ? Map.of() : item;
        Map<String, Map<String, AttributeValue>> perModel = new TreeMap<>();
        for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
            String name = e.getKey();
            if (name.startsWith(MODEL_PREFIX)) {
                int cut = name.lastIndexOf('|');
                String modelId = name.substring(MODEL_PREFIX.length(), cut);
                perModel.computeIfAbsent(modelId, m -> new HashMap<>()).put(name.substring(cut + 1), e.getValue());
            }
        }
        List<MonthlyUsage.ModelUsage> byModel = new ArrayList<>();
        perModel.forEach((modelId, counters) -> byModel.add(new MonthlyUsage.ModelUsage(modelId, counts(counters))));
        return new MonthlyUsage(month, counts(item), countActive(tenantId, month), byModel);
    }

    /** Jobs of the month not finished yet, from the sparse {@code active} index. */
    private long countActive(String tenantId, YearMonth month) {
        String from = month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC).toString();
        String to = month.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC).toString();
        return JobItems.countUnfinished(dynamo, table, tenantId, "gsi3sk BETWEEN :from AND :to", null,
                Map.of(":from", s(from), ":to", s(to)));
    }

    private static MonthlyUsage.Counts counts(Map<String, AttributeValue> m) {
        return new MonthlyUsage.Counts(number(m, COUNTERS[0]), number(m, COUNTERS[1]), decimal(m, COUNTERS[2]),
                number(m, COUNTERS[3]), number(m, COUNTERS[4]), number(m, COUNTERS[5]));
    }

    private static long number(Map<String, AttributeValue> m, String name) {
        Long v = JobItems.num(m, name);
        return v == null ? 0 : v;
    }

    private static BigDecimal decimal(Map<String, AttributeValue> m, String name) {
        AttributeValue v = m.get(name);
        return v == null || v.n() == null ? BigDecimal.ZERO : new BigDecimal(v.n());
    }
}
