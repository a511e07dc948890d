package dev.bedrockjobs.core.adapter;

import static dev.bedrockjobs.core.adapter.JobItems.PK;
import static dev.bedrockjobs.core.adapter.JobItems.SK;
import static dev.bedrockjobs.core.adapter.JobItems.n;
import static dev.bedrockjobs.core.adapter.JobItems.s;

import dev.bedrockjobs.core.domain.BudgetHold;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.MonthlyUsage;
import dev.bedrockjobs.core.domain.UsageCharge;
import dev.bedrockjobs.core.port.UsageMeter;
import java.math.BigDecimal;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Monthly usage counters, one item per tenant and month ({@code pk = USAGE#tenant}, {@code sk = MONTH#yyyy-MM}):
 * totals, per model the same numbers under attribute names {@code model|<modelId>|<counter>}, and per day (UTC) of
 * submission under {@code day|<dd>|<counter>}, all in the same write, so the models and the days add up to the
 * month; what a change adds up to is {@link UsageCharge#change}'s, this class only writes it.
 *
 * <p>Exactly once without transactions. A job's charge goes in together with a marker attribute
 * {@code pending|<jobId>} that records who counted what, in one conditional write; the job item is then marked
 * {@code usageRecorded}: by the terminal write itself when the worker counts ahead of finishing
 * ({@link Unit#countAhead}), else by {@code JobStore#settle}. Until the mark, any repeat finds the marker: the same
 * charge is not counted again, and a charge an attempt counted before it lost the job (a crash, a finish refused) is
 * replaced by the real outcome's, in the same kind of write conditioned on the marker read. Only once the job item
 * is marked may the marker go ({@link Unit#settled}): no path counts a marked job, and the paths that settle a job
 * exclude each other (see {@code Settlement}). Removing markers costs no write of its own: they go with the unit's
 * next write to the same item, and the unit's {@link Unit#close} removes what is left.
 */
public final class DynamoUsageMeter implements UsageMeter {
    static final String MODEL_PREFIX = "model|";
    static final String PENDING_PREFIX = "pending|";
    static final String DAY_PREFIX = "day|";
    /** Ends a marker whose writer counted the day too; markers written before days were kept lack it. */
    private static final String WITH_DAYS = "days";
    /** Keeps an update expression (and the item's write) small; the rest waits for the next write or the close. */
    private static final int MAX_REMOVALS_PER_WRITE = 25;
    /** The writer of a marker added by a path that settles a finished job (rather than an attempt that runs it). */
    private static final String SETTLING = "-";

    private static final int MAX_REPLACE_ROUNDS = 3;
    private static final String[] COUNTERS = {
        "inputTokens", "outputTokens", "costUsd", UsageCharge.SUCCEEDED, UsageCharge.FAILED, UsageCharge.CANCELED
    };

    private final DynamoDbClient dynamo;
    private final String table;
    /** Markers a unit could not remove when it closed: the next unit opened takes them over. */
    private final PendingRemovals carried = new PendingRemovals();

    private record UsageItem(String tenantId, YearMonth month) {
        static UsageItem of(Job job) {
            return new UsageItem(job.tenantId(), UsageCharge.monthOf(job));
        }

        Map<String, AttributeValue> key() {
            return DynamoUsageMeter.key(tenantId, month);
        }
    }

    /**
     * One writer's charge for a job; kept in the job's marker so that a later writer can take it out again.
     *
     * @param withDays whether the day's counters took the charge too (every writer since days are kept)
     */
    private record Contribution(String writer, UsageCharge charge, boolean withDays) {
        Contribution(String writer, UsageCharge charge) {
            this(writer, charge, true);
        }

        String encoded() {
            return writer + "|" + charge.outcome() + "|" + charge.inputTokens() + "|" + charge.outputTokens() + "|"
                    + charge.costUsd().toPlainString() + (withDays ? "|" + WITH_DAYS : "");
        }

        static Contribution decode(String s) {
            String[] f = s.split("\\|");
            return new Contribution(
                    f[0],
                    new UsageCharge(f[1], Long.parseLong(f[2]), Long.parseLong(f[3]), new BigDecimal(f[4])),
                    f.length > 5 && WITH_DAYS.equals(f[5]));
        }
    }

    /** The prefix of the counters of the day (UTC) the job was submitted on, within its month's item. */
    static String dayPrefix(Job job) {
        int day = job.progress().createdAt().atOffset(ZoneOffset.UTC).getDayOfMonth();
        return DAY_PREFIX + String.format(Locale.ROOT, "%02d", day) + "|";
    }

    /** Markers of marked jobs, per usage item, not removed yet; safe to share between threads. */
    private static final class PendingRemovals {
        private final Map<UsageItem, Set<String>> byItem = new ConcurrentHashMap<>();

        void add(UsageItem item, Collection<String> jobIds) {
            if (!jobIds.isEmpty()) {
                byItem.computeIfAbsent(item, k -> ConcurrentHashMap.newKeySet()).addAll(jobIds);
            }
        }

        void addAll(PendingRemovals other) {
            for (UsageItem item : List.copyOf(other.byItem.keySet())) {
                for (List<String> ids = other.take(item, null); !ids.isEmpty(); ids = other.take(item, null)) {
                    add(item, ids);
                }
            }
        }

        List<UsageItem> items() {
            return List.copyOf(byItem.keySet());
        }

        /** Takes up to a write's worth of one item's markers (never {@code except}, the one being added). */
        List<String> take(UsageItem item, String except) {
            Set<String> ids = byItem.get(item);
            if (ids == null) {
                return List.of();
            }
            List<String> taken = new ArrayList<>();
            // a concurrent set: its iterator tolerates removals, and remove() decides between concurrent takers
            for (Iterator<String> it = ids.iterator(); it.hasNext() && taken.size() < MAX_REMOVALS_PER_WRITE; ) {
                String id = it.next();
                if (!id.equals(except) && ids.remove(id)) {
                    taken.add(id);
                }
            }
            return taken;
        }
    }

    public DynamoUsageMeter(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    static Map<String, AttributeValue> key(String tenantId, YearMonth month) {
        return Map.of(PK, s("USAGE#" + tenantId), SK, s("MONTH#" + month));
    }

    @Override
    public Unit open() {
        return new MeterUnit();
    }

    private final class MeterUnit implements Unit {
        private final PendingRemovals removable = new PendingRemovals();

        MeterUnit() {
            removable.addAll(carried);
        }

        @Override
        public void count(Job job) {
            if (UsageCharge.isOwed(job)) {
                add(job, SETTLING);
            }
        }

        @Override
        public void countAhead(Job finishing, String attempt) {
            if (UsageCharge.isOwed(finishing)) {
                add(finishing, attempt);
            }
        }

        @Override
        public void withdrawAhead(Job finishing, String attempt) {
            if (!UsageCharge.isOwed(finishing)) {
                return;
            }
            try {
                change(finishing, new Contribution(attempt, UsageCharge.of(finishing)), null, List.of());
            } catch (ConditionalCheckFailedException notOurs) {
                // never counted, or already replaced by whoever finished the job
            }
        }

        /** Counts the job's charge as {@code writer}'s, unless it is in already; replaces another attempt's. */
        private void add(Job job, String writer) {
            Contribution wanted = new Contribution(writer, UsageCharge.of(job));
            UsageItem item = UsageItem.of(job);
            List<String> removed = removable.take(item, job.id());
            try {
                change(job, null, wanted, removed);
                return;
            } catch (ConditionalCheckFailedException marked) {
                removable.add(item, removed);
            } catch (RuntimeException e) {
                removable.add(item, removed);
                throw e;
            }
            for (int round = 0; round < MAX_REPLACE_ROUNDS; round++) {
                Optional<Contribution> there = marker(job);
                if (there.isEmpty()) {
                    return; // taken out since: the job was marked meanwhile, so it is counted
                }
                Contribution found = there.get();
                if (found.equals(wanted) || found.writer().equals(SETTLING)) {
                    // ours already; or counted by a path that settles the finished job, whose charge is final
                    return;
                }
                try {
                    change(job, found, wanted, List.of()); // an attempt that lost the job: its charge makes way
                    return;
                } catch (ConditionalCheckFailedException movedMeanwhile) {
                    // another writer changed the marker between our read and write: look again
                }
            }
            throw new IllegalStateException("usage of job " + job.id() + " kept changing; left for a later settle");
        }

        @Override
        public void settled(Job job) {
            if (job.progress().status().isTerminal() && !job.accounting().cached()) {
                removable.add(UsageItem.of(job), List.of(job.id()));
            }
        }

        @Override
        public void close() {
            for (UsageItem item : removable.items()) {
                for (List<String> removed = removable.take(item, null);
                        !removed.isEmpty();
                        removed = removable.take(item, null)) {
                    try {
                        removeMarkers(item, removed);
                    } catch (RuntimeException e) {
                        removable.add(item, removed);
                        carried.addAll(removable);
                        throw e;
                    }
                }
            }
        }
    }

    private void removeMarkers(UsageItem item, List<String> jobIds) {
        Map<String, String> names = new HashMap<>();
        StringBuilder update = new StringBuilder();
        appendRemovals(update, names, jobIds, false);
        try {
            dynamo.updateItem(u -> u.tableName(table)
                    .key(item.key())
                    .updateExpression(update.toString().trim())
                    .conditionExpression("attribute_exists(pk)")
                    .expressionAttributeNames(names));
        } catch (ConditionalCheckFailedException noItem) {
            // nothing was ever counted there, so nothing is pending
        }
    }

    private Optional<Contribution> marker(Job job) {
        Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(table)
                        .key(UsageItem.of(job).key())
                        .consistentRead(true)
                        .projectionExpression("#p")
                        .expressionAttributeNames(Map.of("#p", PENDING_PREFIX + job.id())))
                .item();
        AttributeValue v = item == null ? null : item.get(PENDING_PREFIX + job.id());
        return v == null || v.s() == null ? Optional.empty() : Optional.of(Contribution.decode(v.s()));
    }

    /**
     * One conditional write taking the job's charge from {@code from} (none: the marker must be absent) to
     * {@code to} (none: the marker goes), the counters moved as {@link UsageCharge#change} says.
     */
    private void change(Job job, Contribution from, Contribution to, List<String> removals) {
        UsageCharge.Change change = UsageCharge.change(
                BudgetHold.of(job), from == null ? null : from.charge(), to == null ? null : to.charge());
        Map<String, BigDecimal> deltas = new LinkedHashMap<>();
        String model = MODEL_PREFIX + job.request().modelId() + "|";
        change.counters().forEach((counter, delta) -> {
            deltas.put(counter, delta);
            deltas.put(model + counter, delta);
        });
        // a charge counted before days were kept is in no day: the day's counters move only by what is in them
        UsageCharge.change(
                        BudgetHold.of(job),
                        from == null || !from.withDays() ? null : from.charge(),
                        to == null ? null : to.charge())
                .counters()
                .forEach((counter, delta) -> deltas.put(dayPrefix(job) + counter, delta));
        deltas.put("committedTokens", BigDecimal.valueOf(change.committedTokens()));
        deltas.put("committedUsd", change.committedUsd());
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        names.put("#pending", PENDING_PREFIX + job.id());
        List<String> adds = new ArrayList<>();
        for (Map.Entry<String, BigDecimal> d : deltas.entrySet()) {
            if (d.getValue().signum() == 0) {
                continue;
            }
            String i = Integer.toString(adds.size());
            names.put("#a" + i, d.getKey());
            values.put(":a" + i, AttributeValue.fromN(d.getValue().toPlainString()));
            adds.add("#a" + i + " :a" + i);
        }
        StringBuilder update = new StringBuilder();
        if (to != null) {
            update.append("SET #pending = :to");
            values.put(":to", s(to.encoded()));
        }
        if (!adds.isEmpty()) {
            update.append(" ADD ").append(String.join(", ", adds));
        }
        if (to == null) {
            update.append(" REMOVE #pending");
        }
        appendRemovals(update, names, removals, to == null);
        String condition;
        if (from == null) {
            condition = "attribute_not_exists(#pending)";
        } else {
            condition = "#pending = :from";
            values.put(":from", s(from.encoded()));
        }
        Map<String, AttributeValue> key = UsageItem.of(job).key();
        dynamo.updateItem(u -> u.tableName(table)
                .key(key)
                .updateExpression(update.toString().trim())
                .conditionExpression(condition)
                .expressionAttributeNames(names)
                .expressionAttributeValues(values));
    }

    /** Adds REMOVE clauses for markers; {@code continuing} when the expression has its REMOVE clause already. */
    private static void appendRemovals(
            StringBuilder update, Map<String, String> names, List<String> ids, boolean continuing) {
        for (int i = 0; i < ids.size(); i++) {
            update.append(i == 0 && !continuing ? " REMOVE " : ", ")
                    .append("#r")
                    .append(i);
            names.put("#r" + i, PENDING_PREFIX + ids.get(i));
        }
    }

    @Override
    public Spent spent(String tenantId, YearMonth month) {
        Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(table)
                        .key(key(tenantId, month))
                        .projectionExpression("inputTokens, outputTokens, costUsd, committedTokens, committedUsd"))
                .item();
        if (item == null || item.isEmpty()) {
            return Spent.NOTHING;
        }
        return new Spent(
                number(item, "inputTokens") + number(item, "outputTokens"),
                decimal(item, "costUsd"),
                number(item, "committedTokens"),
                decimal(item, "committedUsd"));
    }

    /**
     * One conditional write. DynamoDB conditions compare but do not add, so the budget's room for the new hold is
     * worked out here and compared with the single running total of what is committed.
     */
    @Override
    public boolean hold(String tenantId, YearMonth month, BudgetHold hold, long tokenBudget, BigDecimal usdBudget) {
        List<String> conditions = new ArrayList<>();
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":tokens", n(hold.tokens()));
        values.put(":usd", AttributeValue.fromN(hold.usd().toPlainString()));
        if (tokenBudget > 0) {
            if (hold.tokens() > tokenBudget) {
                return false;
            }
            conditions.add("(attribute_not_exists(committedTokens) OR committedTokens <= :tokenRoom)");
            values.put(":tokenRoom", n(tokenBudget - hold.tokens()));
        }
        if (usdBudget.signum() > 0) {
            if (hold.usd().compareTo(usdBudget) > 0) {
                return false;
            }
            conditions.add("(attribute_not_exists(committedUsd) OR committedUsd <= :usdRoom)");
            values.put(
                    ":usdRoom",
                    AttributeValue.fromN(usdBudget.subtract(hold.usd()).toPlainString()));
        }
        try {
            dynamo.updateItem(u -> {
                u.tableName(table)
                        .key(key(tenantId, month))
                        .updateExpression("ADD committedTokens :tokens, " + "committedUsd :usd")
                        .expressionAttributeValues(values);
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
    public void release(String tenantId, YearMonth month, BudgetHold hold) {
        if (hold.isNone()) {
            return;
        }
        dynamo.updateItem(u -> u.tableName(table)
                .key(key(tenantId, month))
                .updateExpression("ADD committedTokens :tokens, committedUsd :usd")
                .expressionAttributeValues(Map.of(
                        ":tokens",
                        n(-hold.tokens()),
                        ":usd",
                        AttributeValue.fromN(hold.usd().negate().toPlainString()))));
    }

    @Override
    public MonthlyUsage report(String tenantId, YearMonth month) {
        Map<String, AttributeValue> item = dynamo.getItem(
                        g -> g.tableName(table).key(key(tenantId, month)).consistentRead(true))
                .item();
        item = item == null ? Map.of() : item;
        Map<String, Map<String, AttributeValue>> perModel = new TreeMap<>();
        Map<Integer, Map<String, AttributeValue>> perDay = new TreeMap<>();
        for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
            String name = e.getKey();
            if (name.startsWith(MODEL_PREFIX) || name.startsWith(DAY_PREFIX)) {
                int cut = name.lastIndexOf('|');
                String counter = name.substring(cut + 1);
                if (name.startsWith(MODEL_PREFIX)) {
                    String modelId = name.substring(MODEL_PREFIX.length(), cut);
                    perModel.computeIfAbsent(modelId, m -> new HashMap<>()).put(counter, e.getValue());
                } else {
                    int day = Integer.parseInt(name.substring(DAY_PREFIX.length(), cut));
                    perDay.computeIfAbsent(day, d -> new HashMap<>()).put(counter, e.getValue());
                }
            }
        }
        List<MonthlyUsage.ModelUsage> byModel = new ArrayList<>();
        perModel.forEach((modelId, counters) -> byModel.add(new MonthlyUsage.ModelUsage(modelId, counts(counters))));
        List<MonthlyUsage.DayUsage> byDay = new ArrayList<>();
        perDay.forEach((day, counters) -> {
            MonthlyUsage.Counts c = counts(counters);
            if (c.inputTokens() != 0
                    || c.outputTokens() != 0
                    || c.costUsd().signum() != 0
                    || c.succeeded() != 0
                    || c.failed() != 0
                    || c.canceled() != 0) { // what an undone attempt left at zero is no day
                byDay.add(new MonthlyUsage.DayUsage(month.atDay(day), c));
            }
        });
        return new MonthlyUsage(month, counts(item), countActive(tenantId, month), byModel, byDay);
    }

    /** Jobs of the month not finished yet, from the sparse {@code active} index. */
    private long countActive(String tenantId, YearMonth month) {
        String from = month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC).toString();
        String to = month.plusMonths(1)
                .atDay(1)
                .atStartOfDay()
                .toInstant(ZoneOffset.UTC)
                .toString();
        return JobItems.countUnfinished(
                dynamo, table, tenantId, "gsi3sk BETWEEN :from AND :to", null, Map.of(":from", s(from), ":to", s(to)));
    }

    private static MonthlyUsage.Counts counts(Map<String, AttributeValue> m) {
        return new MonthlyUsage.Counts(
                number(m, COUNTERS[0]),
                number(m, COUNTERS[1]),
                decimal(m, COUNTERS[2]),
                number(m, COUNTERS[3]),
                number(m, COUNTERS[4]),
                number(m, COUNTERS[5]));
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
