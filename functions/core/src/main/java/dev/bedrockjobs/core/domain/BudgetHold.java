package dev.bedrockjobs.core.domain;

import java.math.BigDecimal;
import java.util.Collection;

/**
 * What jobs hold against their tenant's monthly budgets from their submit until their usage is counted: the most
 * they could use ({@link Job#reservedTokens}, {@link Job#reservedUsd}). Taken by the submit, released by the submit
 * for jobs it did not store, and otherwise replaced by the job's {@link UsageCharge} when it is counted.
 */
public record BudgetHold(long tokens, BigDecimal usd) {
    public static final BudgetHold NONE = new BudgetHold(0, BigDecimal.ZERO);

    public static BudgetHold of(Job job) {
        return new BudgetHold(
                job.accounting().reservedTokens(),
                job.accounting().reservedUsd() == null
                        ? BigDecimal.ZERO
                        : job.accounting().reservedUsd());
    }

    public static BudgetHold of(Collection<Job> jobs) {
        return jobs.stream().map(BudgetHold::of).reduce(NONE, BudgetHold::plus);
    }

    public BudgetHold plus(BudgetHold other) {
        return new BudgetHold(tokens + other.tokens, usd.add(other.usd));
    }

    public boolean isNone() {
        return tokens == 0 && usd.signum() == 0;
    }
}
