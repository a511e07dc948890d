package dev.bedrockjobs.core.domain;

import java.math.BigDecimal;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a finished job charges to its tenant's month: its outcome, tokens and cost. Counting a charge settles the
 * job's {@link BudgetHold} as well: while the charge is counted, it stands in for the hold in what the month has
 * committed, so that a budget sees the one or the other, never both and never neither, whichever charge (an
 * attempt's that lost the job, the outcome that stands) replaces whichever.
 */
public record UsageCharge(String outcome, long inputTokens, long outputTokens, BigDecimal costUsd) {
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";
    public static final String CANCELED = "canceled";

    /** The charge of a finished job; its cost without trailing zeros, so that equal charges read the same. */
    public static UsageCharge of(Job finished) {
        String outcome = switch (finished.progress().status()) {
            case SUCCEEDED -> SUCCEEDED;
            case FAILED -> FAILED;
            default -> CANCELED;
        };
        Job.Usage usage = finished.accounting().usage();
        return new UsageCharge(
                outcome,
                usage == null ? 0 : usage.inputTokens(),
                usage == null ? 0 : usage.outputTokens(),
                finished.accounting().costUsd() == null
                        ? BigDecimal.ZERO
                        : finished.accounting().costUsd().stripTrailingZeros());
    }

    /**
     * Whether the job still has a charge to count: finished, not yet marked counted, and not answered from the
     * cache (which costs nothing and counts nothing).
     */
    public static boolean isOwed(Job job) {
        return job.progress().status().isTerminal()
                && !job.accounting().cached()
                && !job.accounting().usageRecorded();
    }

    /** A job's charge, and so its hold, belongs to the month (UTC) it was submitted in. */
    public static YearMonth monthOf(Job job) {
        return YearMonth.from(job.progress().createdAt().atOffset(ZoneOffset.UTC));
    }

    /**
     * A change to a month's counters: the usage counters ({@code inputTokens}, {@code outputTokens}, {@code costUsd},
     * and one per outcome) as the totals and the job's model both take them, and the committed totals the budgets
     * are checked against. Counters that do not move are left out.
     */
    public record Change(Map<String, BigDecimal> counters, long committedTokens, BigDecimal committedUsd) {}

    /**
     * The change that takes a job holding {@code held} from having {@code from} counted to having {@code to}
     * counted; null for either is no charge counted (its hold then stands).
     */
    public static Change change(BudgetHold held, UsageCharge from, UsageCharge to) {
        Map<String, BigDecimal> counters = new LinkedHashMap<>();
        long committedTokens = 0;
        BigDecimal committedUsd = BigDecimal.ZERO;
        for (int sign : new int[] {-1, 1}) {
            UsageCharge c = sign < 0 ? from : to;
            if (c == null) {
                continue;
            }
            BigDecimal k = BigDecimal.valueOf(sign);
            counters.merge("inputTokens", k.multiply(BigDecimal.valueOf(c.inputTokens)), BigDecimal::add);
            counters.merge("outputTokens", k.multiply(BigDecimal.valueOf(c.outputTokens)), BigDecimal::add);
            counters.merge("costUsd", k.multiply(c.costUsd), BigDecimal::add);
            counters.merge(c.outcome, k, BigDecimal::add);
            committedTokens += sign * (c.inputTokens + c.outputTokens - held.tokens());
            committedUsd = committedUsd.add(k.multiply(c.costUsd.subtract(held.usd())));
        }
        counters.values().removeIf(d -> d.signum() == 0);
        return new Change(counters, committedTokens, committedUsd);
    }
}
