package dev.bedrockjobs.core.api;

import dev.bedrockjobs.core.domain.BudgetHold;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.LimitExceeded;
import dev.bedrockjobs.core.domain.TenantLimits;
import dev.bedrockjobs.core.domain.UsageCharge;
import dev.bedrockjobs.core.model.Cost;
import dev.bedrockjobs.core.model.Pricing;
import dev.bedrockjobs.core.port.LimitCounters;
import dev.bedrockjobs.core.port.TenantLimitOverrides;
import dev.bedrockjobs.core.port.UsageMeter;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The per-tenant limits a submit must pass, taken through an {@link Admission} and each refused ({@link LimitExceeded}:
 * a 429 problem and a {@code Retry-After}) before any job is written: requests per second, jobs queued or running at
 * once (a batch counts as its items), and the monthly token and cost budgets. Against a budget, each new job holds
 * the most it could use (the most tokens its prompt can count as, {@link Pricing#mostInputTokens}, plus every output
 * token allowed, at the model's price) until its usage is counted, so jobs still queued or running count too and many
 * submits at once cannot overrun it. A limit
 * that is not set costs no DynamoDB call; a tenant's own settings are read at most once per {@code settingsTtl} per
 * function instance.
 */
public final class SubmitLimits {
    private static final Logger LOG = Logger.getLogger(SubmitLimits.class.getName());
    static final long ACTIVE_RETRY_AFTER_SECONDS = 5;
    /** How often a tenant's active jobs may be recounted, across all instances. */
    static final Duration MEND_INTERVAL = Duration.ofMinutes(1);
    /**
     * How long after a tenant's last reservation a recount must wait: longer than any submit takes between reserving
     * and writing its jobs (the API's 29-second integration timeout ends it before), plus the index's lag, so that
     * every slot reserved then is either visible in the index, released, or lost with a stopped submit.
     */
    static final Duration MEND_QUIET = Duration.ofMinutes(1);

    private final TenantLimitOverrides overrides;
    private final TenantLimits defaults;
    private final LimitCounters counters;
    private final UsageMeter usage;
    private final Pricing pricing;
    private final Clock clock;
    private final Duration settingsTtl;
    private final Map<String, Settings> settings = new ConcurrentHashMap<>();

    private record Settings(TenantLimits limits, Instant readAt) {}

    public SubmitLimits(
            TenantLimitOverrides overrides,
            TenantLimits defaults,
            LimitCounters counters,
            UsageMeter usage,
            Pricing pricing,
            Clock clock,
            Duration settingsTtl) {
        this.overrides = overrides;
        this.defaults = defaults;
        this.counters = counters;
        this.usage = usage;
        this.pricing = pricing;
        this.clock = clock;
        this.settingsTtl = settingsTtl;
    }

    /**
     * Counts this request against the tenant's rate. @return what the submit takes from here on, to be closed on
     * every way out of it @throws LimitExceeded if the tenant's second is full
     */
    public Admission admit(String tenantId) {
        TenantLimits limits = limitsOf(tenantId);
        countRequest(tenantId, limits);
        return new Admission(this, tenantId, limits);
    }

    /** The tenant's limits: the deployment's defaults with the tenant's own settings applied. */
    TenantLimits limitsOf(String tenantId) {
        Instant now = clock.instant();
        Settings s = settings.get(tenantId);
        if (s == null || !now.isBefore(s.readAt().plus(settingsTtl))) {
            s = new Settings(defaults.with(overrides.findLimitOverrides(tenantId)), now);
            settings.put(tenantId, s);
        }
        return s.limits();
    }

    /** Counts this request in the tenant's current second. */
    void countRequest(String tenantId, TenantLimits limits) {
        if (limits.limitsRate()
                && !counters.tryCountRequest(tenantId, clock.instant().getEpochSecond(), limits.requestsPerSecond())) {
            throw new LimitExceeded(
                    LimitExceeded.RATE_LIMITED,
                    "Too many requests",
                    "This tenant may submit " + limits.requestsPerSecond() + " requests per second.",
                    1);
        }
    }

    /** The job with the most it could use as its hold, when the tenant has a budget to hold it against. */
    Job withBudgetHold(TenantLimits limits, Job job) {
        if (!limits.hasBudget()) {
            return job;
        }
        Cost most = pricing.mostFor(
                job.request().modelId(),
                job.request().prompt(),
                job.request().system(),
                job.request().maxTokens());
        long mostTokens = Pricing.mostInputTokens(
                        job.request().modelId(),
                        job.request().prompt(),
                        job.request().system())
                + job.request().maxTokens();
        return job.toBuilder()
                .accounting(ac -> ac.reserved(mostTokens, most == null ? BigDecimal.ZERO : most.usd()))
                .build();
    }

    /**
     * Holds the jobs' holds (see {@link #withBudgetHold}) against the month's budgets, or refuses them all if that
     * would take what is committed over one.
     */
    void holdBudget(String tenantId, TenantLimits limits, List<Job> jobs) {
        if (!limits.hasBudget() || jobs.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        YearMonth month = UsageCharge.monthOf(jobs.get(0));
        BudgetHold hold = BudgetHold.of(jobs);
        long tokens = hold.tokens();
        BigDecimal cost = hold.usd();
        if (usage.hold(tenantId, month, hold, limits.monthlyTokenBudget(), limits.monthlyCostBudgetUsd())) {
            return;
        }
        UsageMeter.Spent spent = usage.spent(tenantId, month);
        long retryAfter =
                Math.max(1, Duration.between(now, startOfNextMonth(now)).toSeconds());
        if (limits.monthlyTokenBudget() > 0 && spent.committedTokens() + tokens > limits.monthlyTokenBudget()) {
            throw new LimitExceeded(
                    LimitExceeded.BUDGET_EXCEEDED,
                    "Monthly budget exceeded",
                    "This month's token budget is " + limits.monthlyTokenBudget() + "; " + spent.tokens()
                            + " are used, " + (spent.committedTokens() - spent.tokens())
                            + " more are held for jobs not "
                            + "finished, and this request may use up to " + tokens + ".",
                    retryAfter);
        }
        throw new LimitExceeded(
                LimitExceeded.BUDGET_EXCEEDED,
                "Monthly budget exceeded",
                "This month's cost budget is USD "
                        + limits.monthlyCostBudgetUsd().toPlainString() + "; USD "
                        + spent.costUsd().toPlainString()
                        + " is used, USD "
                        + spent.committedUsd()
                                .subtract(spent.costUsd())
                                .max(BigDecimal.ZERO)
                                .toPlainString()
                        + " more is held for jobs not finished, and this request may cost up to USD "
                        + cost.toPlainString() + ".",
                retryAfter);
    }

    /** Takes slots under the tenant's cap on queued or running jobs. @throws LimitExceeded if over the cap */
    void reserveActive(String tenantId, TenantLimits limits, int jobs) {
        Instant now = clock.instant();
        if (!limits.capsActiveJobs() || counters.tryReserveActive(tenantId, jobs, limits.maxActiveJobs(), now)) {
            return;
        }
        // At the cap: perhaps because of slots nobody will release (a process that stopped between two writes).
        // Recount now and then, once the tenant has been quiet, and try once more.
        if (counters.recount(tenantId, now, MEND_QUIET, MEND_INTERVAL) > 0
                && counters.tryReserveActive(tenantId, jobs, limits.maxActiveJobs(), now)) {
            return;
        }
        throw new LimitExceeded(
                LimitExceeded.TOO_MANY_ACTIVE_JOBS,
                "Too many active jobs",
                "This tenant may have " + limits.maxActiveJobs() + " jobs queued or running at once; this request adds "
                        + jobs + ".",
                ACTIVE_RETRY_AFTER_SECONDS);
    }

    /**
     * Releases the slots and budget holds taken for jobs that were not created after all. One failing does not keep
     * the other; what cannot be released is logged (a slot is mended by a later recount, a hold is not).
     */
    void release(String tenantId, TenantLimits limits, int slots, List<Job> held) {
        if (limits.capsActiveJobs() && slots > 0) {
            try {
                counters.releaseActive(tenantId, slots);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "tenant " + tenantId + ": " + slots + " active-job slots not released", e);
            }
        }
        if (limits.hasBudget() && !held.isEmpty()) {
            try {
                usage.release(tenantId, UsageCharge.monthOf(held.get(0)), BudgetHold.of(held));
            } catch (RuntimeException e) {
                LOG.log(
                        Level.WARNING,
                        "tenant " + tenantId + ": budget hold of " + held.size() + " jobs not released",
                        e);
            }
        }
    }

    private static Instant startOfNextMonth(Instant now) {
        return YearMonth.from(now.atOffset(ZoneOffset.UTC))
                .plusMonths(1)
                .atDay(1)
                .atStartOfDay()
                .toInstant(ZoneOffset.UTC);
    }
}
