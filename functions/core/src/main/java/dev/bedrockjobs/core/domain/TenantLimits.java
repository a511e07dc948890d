package dev.bedrockjobs.core.domain;

import java.math.BigDecimal;
import java.util.Map;

/**
 * What one tenant may do: the deployment's defaults (template parameters), each overridable per tenant (attributes
 * of the tenant item). Zero means unlimited, so a deployment that sets nothing pays nothing for limits on the submit
 * path.
 *
 * @param requestsPerSecond    submit requests (POST /v1/jobs, POST /v1/batches) per second
 * @param maxActiveJobs        jobs queued or running at once; a batch counts as its number of items
 * @param monthlyTokenBudget   input plus output tokens per calendar month (UTC)
 * @param monthlyCostBudgetUsd model cost per calendar month (UTC)
 * @param cacheResponses       whether jobs use the response cache when the request does not say
 * @param interactiveBatches   whether a batch may ask for the interactive lane ({@code priority: interactive})
 */
public record TenantLimits(
        long requestsPerSecond,
        long maxActiveJobs,
        long monthlyTokenBudget,
        BigDecimal monthlyCostBudgetUsd,
        boolean cacheResponses,
        boolean interactiveBatches) {

    public static final TenantLimits UNLIMITED = new TenantLimits(0, 0, 0, BigDecimal.ZERO, false);

    public static final String RATE_LIMIT_PER_SECOND = "RATE_LIMIT_PER_SECOND";
    public static final String MAX_ACTIVE_JOBS = "MAX_ACTIVE_JOBS";
    public static final String MONTHLY_TOKEN_BUDGET = "MONTHLY_TOKEN_BUDGET";
    public static final String MONTHLY_COST_BUDGET_USD = "MONTHLY_COST_BUDGET_USD";
    public static final String RESPONSE_CACHE_DEFAULT = "RESPONSE_CACHE_DEFAULT";
    public static final String INTERACTIVE_BATCHES_DEFAULT = "INTERACTIVE_BATCHES_DEFAULT";

    /** Batches keep to the bulk lane. */
    public TenantLimits(
            long requestsPerSecond,
            long maxActiveJobs,
            long monthlyTokenBudget,
            BigDecimal monthlyCostBudgetUsd,
            boolean cacheResponses) {
        this(requestsPerSecond, maxActiveJobs, monthlyTokenBudget, monthlyCostBudgetUsd, cacheResponses, false);
    }

    public TenantLimits {
        requireNotNegative("requestsPerSecond", requestsPerSecond);
        requireNotNegative("maxActiveJobs", maxActiveJobs);
        requireNotNegative("monthlyTokenBudget", monthlyTokenBudget);
        monthlyCostBudgetUsd = monthlyCostBudgetUsd == null ? BigDecimal.ZERO : monthlyCostBudgetUsd;
        if (monthlyCostBudgetUsd.signum() < 0) {
            throw new IllegalArgumentException("monthlyCostBudgetUsd must not be negative");
        }
    }

    /** The deployment's defaults from the submit function's environment; a missing or empty value is unlimited. */
    public static TenantLimits fromEnvironment(Map<String, String> env) {
        return new TenantLimits(
                longOf(env.get(RATE_LIMIT_PER_SECOND), RATE_LIMIT_PER_SECOND),
                longOf(env.get(MAX_ACTIVE_JOBS), MAX_ACTIVE_JOBS),
                longOf(env.get(MONTHLY_TOKEN_BUDGET), MONTHLY_TOKEN_BUDGET),
                decimalOf(env.get(MONTHLY_COST_BUDGET_USD), MONTHLY_COST_BUDGET_USD),
                Boolean.parseBoolean(blankToNull(env.get(RESPONSE_CACHE_DEFAULT))),
                Boolean.parseBoolean(blankToNull(env.get(INTERACTIVE_BATCHES_DEFAULT))));
    }

    /** These limits with a tenant's overrides applied; a null override keeps the default. */
    public TenantLimits with(Overrides o) {
        if (o == null) {
            return this;
        }
        return new TenantLimits(
                o.requestsPerSecond() != null ? o.requestsPerSecond() : requestsPerSecond,
                o.maxActiveJobs() != null ? o.maxActiveJobs() : maxActiveJobs,
                o.monthlyTokenBudget() != null ? o.monthlyTokenBudget() : monthlyTokenBudget,
                o.monthlyCostBudgetUsd() != null ? o.monthlyCostBudgetUsd() : monthlyCostBudgetUsd,
                o.cacheResponses() != null ? o.cacheResponses() : cacheResponses,
                o.interactiveBatches() != null ? o.interactiveBatches() : interactiveBatches);
    }

    public boolean limitsRate() {
        return requestsPerSecond > 0;
    }

    public boolean capsActiveJobs() {
        return maxActiveJobs > 0;
    }

    public boolean hasBudget() {
        return monthlyTokenBudget > 0 || monthlyCostBudgetUsd.signum() > 0;
    }

    /** A tenant's own settings, each null when the tenant follows the deployment's default. */
    public record Overrides(
            Long requestsPerSecond,
            Long maxActiveJobs,
            Long monthlyTokenBudget,
            BigDecimal monthlyCostBudgetUsd,
            Boolean cacheResponses,
            Boolean interactiveBatches) {
        public static final Overrides NONE = new Overrides(null, null, null, null, null, null);

        /** Following the deployment on whether batches may use the interactive lane. */
        public Overrides(
                Long requestsPerSecond,
                Long maxActiveJobs,
                Long monthlyTokenBudget,
                BigDecimal monthlyCostBudgetUsd,
                Boolean cacheResponses) {
            this(requestsPerSecond, maxActiveJobs, monthlyTokenBudget, monthlyCostBudgetUsd, cacheResponses, null);
        }
    }

    private static void requireNotNegative(String name, long v) {
        if (v < 0) {
            throw new IllegalArgumentException(name + " must not be negative");
        }
    }

    private static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v.strip();
    }

    private static long longOf(String v, String name) {
        String s = blankToNull(v);
        try {
            return s == null ? 0 : Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, not '" + v + "'");
        }
    }

    private static BigDecimal decimalOf(String v, String name) {
        String s = blankToNull(v);
        try {
            return s == null ? BigDecimal.ZERO : new BigDecimal(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, not '" + v + "'");
        }
    }
}
