package dev.bedrockjobs.core.admin;

import dev.bedrockjobs.core.domain.TenantLimits;
import dev.bedrockjobs.core.port.TenantLimitOverrides;
import dev.bedrockjobs.core.port.Tenants;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What an operator does with a tenant's own limits: read them, set some, clear some (back to the deployment's
 * default). Only a tenant that exists (made by {@code admin keys create}) can have limits: an override on a mistyped
 * id would silently limit nobody.
 */
public final class TenantAdmin {

    /** One overridable setting: its option and attribute names and the template parameter that sets its default. */
    public enum Limit {
        RATE_LIMIT("rate-limit", "rateLimitPerSecond", "RateLimitPerSecond", 100_000),
        MAX_ACTIVE_JOBS("max-active-jobs", "maxActiveJobs", "MaxActiveJobs", 10_000_000),
        MONTHLY_TOKEN_BUDGET(
                "monthly-token-budget", "monthlyTokenBudget", "MonthlyTokenBudget", 1_000_000_000_000_000L),
        MONTHLY_COST_BUDGET_USD("monthly-cost-budget-usd", "monthlyCostBudgetUsd", "MonthlyCostBudgetUsd", 100_000_000),
        CACHE_RESPONSES("cache-responses", "cacheResponses", "ResponseCacheDefault", 0),
        INTERACTIVE_BATCHES("interactive-batches", "interactiveBatches", "InteractiveBatchesDefault", 0);

        private final String option;
        private final String attribute;
        private final String parameter;
        private final long max;

        Limit(String option, String attribute, String parameter, long max) {
            this.option = option;
            this.attribute = attribute;
            this.parameter = parameter;
            this.max = max;
        }

        /** The name on the command line, without the leading dashes. */
        public String option() {
            return option;
        }

        /** The tenant item's attribute. */
        public String attribute() {
            return attribute;
        }

        /** The template parameter that sets the deployment's default. */
        public String parameter() {
            return parameter;
        }

        /** By option or attribute name, as an operator may type either. */
        public static Limit named(String name) {
            for (Limit l : values()) {
                if (l.option.equals(name) || l.attribute.equals(name)) {
                    return l;
                }
            }
            throw new IllegalArgumentException("no limit named '" + name + "': one of "
                    + Arrays.stream(values()).map(Limit::option).collect(Collectors.joining(", ")));
        }

        /** This setting's value in {@code o}, null when the tenant follows the default. */
        public Object of(TenantLimits.Overrides o) {
            return switch (this) {
                case RATE_LIMIT -> o.requestsPerSecond();
                case MAX_ACTIVE_JOBS -> o.maxActiveJobs();
                case MONTHLY_TOKEN_BUDGET -> o.monthlyTokenBudget();
                case MONTHLY_COST_BUDGET_USD -> o.monthlyCostBudgetUsd();
                case CACHE_RESPONSES -> o.cacheResponses();
                case INTERACTIVE_BATCHES -> o.interactiveBatches();
            };
        }

        /** This setting's value in effective limits. */
        public Object of(TenantLimits l) {
            return switch (this) {
                case RATE_LIMIT -> l.requestsPerSecond();
                case MAX_ACTIVE_JOBS -> l.maxActiveJobs();
                case MONTHLY_TOKEN_BUDGET -> l.monthlyTokenBudget();
                case MONTHLY_COST_BUDGET_USD -> l.monthlyCostBudgetUsd();
                case CACHE_RESPONSES -> l.cacheResponses();
                case INTERACTIVE_BATCHES -> l.interactiveBatches();
            };
        }

        private void check(Object value) {
            if (this == CACHE_RESPONSES || this == INTERACTIVE_BATCHES) {
                if (!(value instanceof Boolean)) {
                    throw new IllegalArgumentException("--" + option + " is true or false");
                }
                return;
            }
            BigDecimal v = value instanceof BigDecimal d ? d : value instanceof Long n ? BigDecimal.valueOf(n) : null;
            if (v == null) {
                throw new IllegalArgumentException("--" + option + " is a number");
            }
            if (v.signum() < 0 || v.compareTo(BigDecimal.valueOf(max)) > 0) {
                throw new IllegalArgumentException(
                        "--" + option + " must be 0 (no limit) to " + max + ", not " + v.toPlainString());
            }
            if (this == MONTHLY_COST_BUDGET_USD && v.stripTrailingZeros().scale() > 6) {
                throw new IllegalArgumentException("--" + option + " has at most 6 decimals, not " + v.toPlainString());
            }
        }
    }

    private final Tenants tenants;
    private final TenantLimitOverrides limitOverrides;

    public TenantAdmin(Tenants tenants, TenantLimitOverrides limitOverrides) {
        this.tenants = tenants;
        this.limitOverrides = limitOverrides;
    }

    /** @return the tenant's own settings, or empty if there is no such tenant */
    public Optional<TenantLimits.Overrides> overrides(String tenantId) {
        KeyAdmin.requireTenantId(tenantId);
        if (tenants.findTenant(tenantId).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(limitOverrides.findLimitOverrides(tenantId));
    }

    /**
     * Sets the given settings and clears the named ones, leaving the others as they are. Everything is checked before
     * anything is written. Two operators changing the same tenant at once may lose one's change (last write wins).
     *
     * @param set   new values: Long for the counts and the token budget, BigDecimal for the cost, Boolean for the cache
     *              and the interactive lane
     * @return the tenant's settings as they now are, or empty if there is no such tenant
     */
    public Optional<TenantLimits.Overrides> change(String tenantId, Map<Limit, Object> set, Set<Limit> clear) {
        KeyAdmin.requireTenantId(tenantId);
        if (set.isEmpty() && clear.isEmpty()) {
            throw new IllegalArgumentException("nothing to change: give a limit to set or --clear NAME");
        }
        EnumSet<Limit> both = clear.isEmpty() ? EnumSet.noneOf(Limit.class) : EnumSet.copyOf(clear);
        both.retainAll(set.keySet());
        if (!both.isEmpty()) {
            throw new IllegalArgumentException("--" + both.iterator().next().option + " is both set and cleared");
        }
        set.forEach(Limit::check);
        Optional<TenantLimits.Overrides> now = overrides(tenantId);
        if (now.isEmpty()) {
            return now;
        }
        TenantLimits.Overrides o = now.get();
        TenantLimits.Overrides next = new TenantLimits.Overrides(
                (Long) after(Limit.RATE_LIMIT, o.requestsPerSecond(), set, clear),
                (Long) after(Limit.MAX_ACTIVE_JOBS, o.maxActiveJobs(), set, clear),
                (Long) after(Limit.MONTHLY_TOKEN_BUDGET, o.monthlyTokenBudget(), set, clear),
                (BigDecimal) after(Limit.MONTHLY_COST_BUDGET_USD, o.monthlyCostBudgetUsd(), set, clear),
                (Boolean) after(Limit.CACHE_RESPONSES, o.cacheResponses(), set, clear),
                (Boolean) after(Limit.INTERACTIVE_BATCHES, o.interactiveBatches(), set, clear));
        limitOverrides.setLimitOverrides(tenantId, next);
        // read back rather than echo: the table keeps numbers without their trailing zeros
        return Optional.of(limitOverrides.findLimitOverrides(tenantId));
    }

    /** A limit's value after the change: the one set, none if cleared, else the one it had. */
    private static Object after(Limit limit, Object current, Map<Limit, Object> set, Set<Limit> clear) {
        if (set.containsKey(limit)) {
            return set.get(limit);
        }
        return clear.contains(limit) ? null : current;
    }
}
