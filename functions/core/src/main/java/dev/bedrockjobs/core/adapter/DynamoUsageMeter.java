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
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import static dev.bedrockjobs.core.adapter.JobItems.PK;
import static dev.bedrockjobs.core.adapter.JobItems.SK;
import static dev.bedrockjobs.core.adapter.JobItems.n;
import static dev.bedrockjobs.core.adapter.JobItems.s;

/**
 * Monthly usage counters, one item per tenant and month ({@code pk = USAGE#tenant}, {@code sk = MONTH#yyyy-MM}):
 * totals, and per model the same numbers under attribute names {@code model|<modelId>|<counter>}.
 *
 * <p>Exactly once without transactions. {@link #record} adds a job's numbers together with a marker attribute
 * {@code pending|<jobId>}, on condition that the marker is absent; the caller then marks the job item
 * {@code usageRecorded} (see {@code JobStore#settle}). A retry after a crash between the two finds the marker and
 * adds nothing. Only once the job item is marked may the marker go ({@link #settled}): no path records a marked job,
 * and the paths that settle a job exclude each other (see {@code JobOutcomes}), so no one can be about to add it
 * again. Removing markers costs no write of its own: they are taken out by the next add to the same item, and
 * {@link #flush} removes what is left at the end of an invocation.
 */
public final class DynamoUsageMeter implements UsageMeter {
    static final String MODEL_PREFIX = "model|";
    static final String PENDING_PREFIX = "pending|";
    /** Keeps an update expression (and the item's write) small; the rest waits for the next add or flush. */
    private static final int MAX_REMOVALS_PER_WRITE = 25;
    private static final String[] COUNTERS = {"inputTokens", "outputTokens", "costUsd", "succeeded", "failed",
        "canceled"};

    private final DynamoDbClient dynamo;
    private final String table;
    /** Markers of marked jobs, per usage item (tenant and month), not yet removed. */
    private final Map<UsageItem, Set<String>> removable = new ConcurrentHashMap<>();

    private record UsageItem(String tenantId, YearMonth month) {
        Map<String, AttributeValue> key() {
            return DynamoUsageMeter.key(tenantId, month);
        }
    }

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

    private static boolean toBeAdded(Job job) {
        // an answer from the cache costs nothing and counts nothing
        return job.status().isTerminal() && !job.cached() && !job.usageRecorded();
    }

    @Override
    public void record(Job job) {
        if (!toBeAdded(job)) {
            return;
        }
        String outcome = switch (job.status()) {
            case SUCCEEDED -> "succeeded";
            case FAILED -> "failed";
            default -> "canceled";
        };
        UsageItem item = new UsageItem(job.tenantId(), monthOf(job));
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        names.put("#pending", PENDING_PREFIX + job.id());
        values.put(":t", AttributeValue.fromBool(true));
        values.put(":in", n(job.usage() == null ? 0 : job.usage().inputTokens()));
        values.put(":out", n(job.usage() == null ? 0 : job.usage().outputTokens()));
        values.put(":cost", AttributeValue.fromN((job.costUsd() == null ? BigDecimal.ZERO : job.costUsd()).toPlainString()));
        values.put(":one", n(1));
        // what the job used replaces what it held
        long used = job.usage() == null ? 0 : job.usage().inputTokens() + job.usage().outputTokens();
        values.put(":heldTokens", n(used - job.reservedTokens()));
        values.put(":heldUsd", AttributeValue.fromN((job.costUsd() == null ? BigDecimal.ZERO : job.costUsd())
                .subtract(job.reservedUsd() == null ? BigDecimal.ZERO : job.reservedUsd()).toPlainString()));
        String model = MODEL_PREFIX + job.modelId() + "|";
        names.put("#mIn", model + "inputTokens");
        names.put("#mOut", model + "outputTokens");
        names.put("#mCost", model + "costUsd");
        names.put("#mOutcome", model + outcome);
        List<String> removed = takeRemovable(item, job.id());
        StringBuilder update = new StringBuilder("SET #pending = :t ADD inputTokens :in, outputTokens :out, "
                + "costUsd :cost, " + outcome + " :one, #mIn :in, #mOut :out, #mCost :cost, #mOutcome :one, "
                + "committedTokens :heldTokens, committedUsd :heldUsd");
        appendRemovals(update, names, removed);
        try {
            dynamo.updateItem(u -> u.tableName(table).key(item.key()).updateExpression(update.toString())
                    .conditionExpression("attribute_not_exists(#pending)")
                    .expressionAttributeNames(names).expressionAttributeValues(values));
        } catch (ConditionalCheckFailedException alreadyPending) {
            // an earlier attempt added it and stopped before the job was marked: its numbers are in
            giveBack(item, removed);
        } catch (RuntimeException e) {
            giveBack(item, removed);
            throw e;
        }
    }

    @Override
    public void settled(Job job) {
        if (job.status().isTerminal() && !job.cached()) {
            removable.computeIfAbsent(new UsageItem(job.tenantId(), monthOf(job)), k -> ConcurrentHashMap.newKeySet())
                    .add(job.id());
        }
    }

    @Override
    public void flush() {
        for (UsageItem item : List.copyOf(removable.keySet())) {
            List<String> removed;
            while (!(removed = takeRemovable(item, null)).isEmpty()) {
                Map<String, String> names = new HashMap<>();
                StringBuilder update = new StringBuilder();
                appendRemovals(update, names, removed);
                try {
                    dynamo.updateItem(u -> u.tableName(table).key(item.key()).updateExpression(update.toString().trim())
                            .conditionExpression("attribute_exists(pk)").expressionAttributeNames(names));
                } catch (ConditionalCheckFailedException noItem) {
                    // nothing was ever added there, so nothing is pending
                } catch (RuntimeException e) {
                    giveBack(item, removed);
                    throw e;
                }
            }
        }
    }

    /** Claims up to a write's worth of removable markers of one item (never {@code except}, the one being added). */
    private List<String> takeRemovable(UsageItem item, String except) {
        Set<String> ids = removable.get(item);
        if (ids == null) {
            return List.of();
        }
        List<String> taken = new ArrayList<>();
        for (String id : ids) {
            if (taken.size() == MAX_REMOVALS_PER_WRITE) {
                break;
            }
            if (!id.equals(except) && ids.remove(id)) { // remove() decides between concurrent takers
                taken.add(id);
            }
        }
        return taken;
    }

    private void giveBack(UsageItem item, List<String> ids) {
        if (!ids.isEmpty()) {
            removable.computeIfAbsent(item, k -> ConcurrentHashMap.newKeySet()).addAll(ids);
        }
    }

    private static void appendRemovals(StringBuilder update, Map<String, String> names, List<String> ids) {
        for (int i = 0; i < ids.size(); i++) {
            update.append(i == 0 ? " REMOVE " : ", ").append("#r").append(i);
            names.put("#r" + i, PENDING_PREFIX + ids.get(i));
        }
    }

    @Override
    public Spent spent(String tenantId, YearMonth month) {
        Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(table).key(key(tenantId, month))
                .projectionExpression("inputTokens, outputTokens, costUsd, committedTokens, committedUsd")).item();
        if (item == null || item.isEmpty()) {
            return Spent.NOTHING;
        }
        return new Spent(number(item, "inputTokens") + number(item, "outputTokens"), decimal(item, "costUsd"),
                number(item, "committedTokens"), decimal(item, "committedUsd"));
    }

    /**
     * One conditional write. DynamoDB conditions compare but do not add, so the budget's room for the new hold is
     * worked out here and compared with the single running total of what is committed.
     */
    @Override
    public boolean hold(String tenantId, YearMonth month, long tokens, BigDecimal usd, long tokenBudget,
                        BigDecimal usdBudget) {
        List<String> conditions = new ArrayList<>();
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":tokens", n(tokens));
        values.put(":usd", AttributeValue.fromN(usd.toPlainString()));
        if (tokenBudget > 0) {
            if (tokens > tokenBudget) {
                return false;
            }
            conditions.add("(attribute_not_exists(committedTokens) OR committedTokens <= :tokenRoom)");
            values.put(":tokenRoom", n(tokenBudget - tokens));
        }
        if (usdBudget.signum() > 0) {
            if (usd.compareTo(usdBudget) > 0) {
                return false;
            }
            conditions.add("(attribute_not_exists(committedUsd) OR committedUsd <= :usdRoom)");
            values.put(":usdRoom", AttributeValue.fromN(usdBudget.subtract(usd).toPlainString()));
        }
        try {
            dynamo.updateItem(u -> {
                u.tableName(table).key(key(tenantId, month)).updateExpression("ADD committedTokens :tokens, "
                        + "committedUsd :usd").expressionAttributeValues(values);
                if (!conditions.isEmpty()) {
                    u.conditionExpression(String.join(" AND ", conditions));
                }
            });
            return true;
        } catch (ConditionalCheckFailedException overBudget) {
            return false;
        }
    }

    @Override
    public void letGo(String tenantId, YearMonth month, long tokens, BigDecimal usd) {
        if (tokens == 0 && usd.signum() == 0) {
            return;
        }
        dynamo.updateItem(u -> u.tableName(table).key(key(tenantId, month))
                .updateExpression("ADD committedTokens :tokens, committedUsd :usd")
                .expressionAttributeValues(Map.of(":tokens", n(-tokens),
                        ":usd", AttributeValue.fromN(usd.negate().toPlainString()))));
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
