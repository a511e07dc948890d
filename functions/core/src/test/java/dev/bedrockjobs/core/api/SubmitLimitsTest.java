package dev.bedrockjobs.core.api;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bedrockjobs.core.domain.BudgetHold;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.LimitExceeded;
import dev.bedrockjobs.core.domain.MonthlyUsage;
import dev.bedrockjobs.core.domain.TenantLimits;
import dev.bedrockjobs.core.model.Pricing;
import dev.bedrockjobs.core.port.LimitCounters;
import dev.bedrockjobs.core.port.TenantLimitOverrides;
import dev.bedrockjobs.core.port.UsageMeter;
import dev.bedrockjobs.local.emulators.fixture.MovableClock;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The limit rules on their own: what is refused, with which problem and Retry-After, and that a limit left unset
 * makes no call at all (the submit path's cost when nothing is configured).
 */
class SubmitLimitsTest {
    private static final String HAIKU = "us.anthropic.claude-haiku-4-5-20251001-v1:0";

    private final MovableClock clock = new MovableClock(Instant.parse("2026-11-30T23:59:00Z"));
    private final List<String> calls = new ArrayList<>();
    private final Map<String, TenantLimits.Overrides> overrides = new HashMap<>();
    private final Map<String, Integer> perSecond = new HashMap<>();
    private long active;
    /** Slots counted that no job will ever give back (a submit stopped after reserving), as a recount finds them. */
    private long leaked;
    /** Counted usage, as the month's item holds it; committed adds the holds of jobs not counted yet. */
    private UsageMeter.Spent spent = UsageMeter.Spent.NOTHING;

    private final TenantLimitOverrides tenants = new TenantLimitOverrides() {
        @Override
        public void setLimitOverrides(String id, TenantLimits.Overrides o) {
            overrides.put(id, o);
        }

        @Override
        public TenantLimits.Overrides findLimitOverrides(String id) {
            calls.add("tenant");
            return overrides.getOrDefault(id, TenantLimits.Overrides.NONE);
        }
    };

    private final LimitCounters counters = new LimitCounters() {
        @Override
        public boolean tryCountRequest(String tenantId, long second, long max) {
            calls.add("rate");
            int n = perSecond.merge(tenantId + "@" + second, 1, Integer::sum);
            return n <= max;
        }

        @Override
        public boolean tryReserveActive(String tenantId, int jobs, long max, Instant at) {
            calls.add("reserve");
            if (active + jobs > max) {
                return false;
            }
            active += jobs;
            return true;
        }

        @Override
        public void releaseActive(String tenantId, int jobs) {
            calls.add("release");
            active -= jobs;
        }

        @Override
        public void releaseSlot(String tenantId, String jobId) {
            throw new UnsupportedOperationException("finished jobs give back their slots elsewhere");
        }

        @Override
        public boolean tryStartWait(String tenantId, int max, Instant at, Instant leaseUntil) {
            throw new UnsupportedOperationException("long polls are the status function's");
        }

        @Override
        public void endWait(String tenantId) {
            throw new UnsupportedOperationException("long polls are the status function's");
        }

        @Override
        public long recount(String tenantId, Instant at, Duration quietFor, Duration every) {
            calls.add("recount");
            assertEquals(clock.instant(), at);
            assertEquals(SubmitLimits.MEND_QUIET, quietFor);
            assertEquals(SubmitLimits.MEND_INTERVAL, every);
            long freed = leaked;
            active -= leaked;
            leaked = 0;
            return freed;
        }
    };

    private final UsageMeter usage = new UsageMeter() {
        @Override
        public Unit open() {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean hold(String t, YearMonth m, BudgetHold hold, long tokenBudget, BigDecimal usdBudget) {
            calls.add("hold " + m);
            if ((tokenBudget > 0 && spent.committedTokens() + hold.tokens() > tokenBudget)
                    || (usdBudget.signum() > 0
                            && spent.committedUsd().add(hold.usd()).compareTo(usdBudget) > 0)) {
                return false;
            }
            spent = new UsageMeter.Spent(
                    spent.tokens(),
                    spent.costUsd(),
                    spent.committedTokens() + hold.tokens(),
                    spent.committedUsd().add(hold.usd()));
            return true;
        }

        @Override
        public void release(String t, YearMonth m, BudgetHold hold) {
            spent = new UsageMeter.Spent(
                    spent.tokens(),
                    spent.costUsd(),
                    spent.committedTokens() - hold.tokens(),
                    spent.committedUsd().subtract(hold.usd()));
        }

        @Override
        public MonthlyUsage report(String t, YearMonth m) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Spent spent(String tenantId, YearMonth month) {
            calls.add("spent " + month);
            return spent;
        }
    };

    private SubmitLimits limits(TenantLimits defaults) {
        return new SubmitLimits(tenants, defaults, counters, usage, Pricing.load(), clock, Duration.ofSeconds(30));
    }

    private Job job(String prompt, int maxTokens) {
        return Job.builder()
                .id("job_x")
                .tenantId("t")
                .request(r -> r.tier("fast").modelId(HAIKU).prompt(prompt).maxTokens(maxTokens))
                .progress(pr -> pr.createdAt(clock.instant()))
                .build();
    }

    private List<Job> held(SubmitLimits l, TenantLimits t, Job... jobs) {
        return java.util.Arrays.stream(jobs).map(j -> l.withBudgetHold(t, j)).toList();
    }

    private static void assertRefused(Executable taking, String code, long retryAfterSeconds) {
        LimitExceeded refused = assertThrows(LimitExceeded.class, taking);
        assertEquals(code, refused.code());
        assertEquals(retryAfterSeconds, refused.retryAfterSeconds());
    }

    @Test
    void withNoLimitConfiguredNothingIsCalledButTheTenantsOwnSettingsOnceInAWhile() {
        SubmitLimits l = limits(TenantLimits.UNLIMITED);
        for (int i = 0; i < 100; i++) {
            TenantLimits t = l.limitsOf("t");
            l.countRequest("t", t);
            List<Job> jobs = held(l, t, job("p", 8000));
            assertEquals(0, jobs.get(0).accounting().reservedTokens(), "no budget, nothing to hold");
            l.holdBudget("t", t, jobs);
            l.reserveActive("t", t, 1);
            l.release("t", t, 1, List.of());
        }
        assertEquals(List.of("tenant"), calls);
        clock.advance(Duration.ofSeconds(30));
        l.limitsOf("t");
        assertEquals(List.of("tenant", "tenant"), calls, "read again once the settings are 30 s old");
    }

    @Test
    void theRateIsCountedPerSecond() {
        SubmitLimits l = limits(new TenantLimits(2, 0, 0, null, false));
        TenantLimits t = l.limitsOf("t");
        l.countRequest("t", t);
        l.countRequest("t", t);
        assertRefused(() -> l.countRequest("t", t), LimitExceeded.RATE_LIMITED, 1);
        clock.advance(Duration.ofSeconds(1));
        l.countRequest("t", t);
    }

    @Test
    void theActiveCapCountsABatchAsItsItems() {
        SubmitLimits l = limits(new TenantLimits(0, 3, 0, null, false));
        TenantLimits t = l.limitsOf("t");
        l.reserveActive("t", t, 2);
        assertRefused(() -> l.reserveActive("t", t, 2), LimitExceeded.TOO_MANY_ACTIVE_JOBS, 5);
        l.release("t", t, 1, List.of());
        l.reserveActive("t", t, 2);
    }

    @Test
    void aTokenBudgetRefusesWhatCouldPassItAndNamesTheNextMonth() {
        SubmitLimits l = limits(new TenantLimits(0, 0, 10_000, null, false));
        TenantLimits t = l.limitsOf("t");
        spent = new UsageMeter.Spent(8_000, BigDecimal.ZERO);
        // 12 bytes of prompt and a messages template of 16 are at most 28 tokens; with every output token
        // allowed: 2028 > 2000 left
        assertRefused(
                () -> l.holdBudget("t", t, held(l, t, job("twelve chars", 2000))), LimitExceeded.BUDGET_EXCEEDED, 60);
        assertRefused(
                () -> l.holdBudget("t", t, held(l, t, job("twelve chars", 1000), job("twelve chars", 1000))),
                LimitExceeded.BUDGET_EXCEEDED,
                60);
        assertEquals(8_000, spent.committedTokens(), "a refusal holds nothing");
        assertTrue(calls.contains("hold 2026-11"), calls.toString());
        List<Job> accepted = held(l, t, job("twelve chars", 972));
        assertEquals(1000, accepted.get(0).accounting().reservedTokens());
        l.holdBudget("t", t, accepted);
        // that job is not finished, but what it may use is held: the next submit finds 1,000 tokens left, not 2,000
        assertRefused(
                () -> l.holdBudget("t", t, held(l, t, job("twelve chars", 972), job("twelve chars", 972))),
                LimitExceeded.BUDGET_EXCEEDED,
                60);
        l.release("t", t, 0, accepted); // its submit stopped before writing it
        l.holdBudget("t", t, held(l, t, job("twelve chars", 972), job("twelve chars", 972)));
        assertEquals(10_000, spent.committedTokens());
    }

    @Test
    void aCostBudgetUsesTheModelsPrice() {
        SubmitLimits l = limits(new TenantLimits(0, 0, 0, new BigDecimal("1.00"), false));
        TenantLimits t = l.limitsOf("t");
        spent = new UsageMeter.Spent(0, new BigDecimal("0.99"));
        BigDecimal most = Pricing.load().mostFor(HAIKU, "p", null, 8000).usd();
        assertTrue(most.compareTo(new BigDecimal("0.01")) > 0, "8000 output tokens cost more than a cent: " + most);
        assertRefused(() -> l.holdBudget("t", t, held(l, t, job("p", 8000))), LimitExceeded.BUDGET_EXCEEDED, 60);
        l.holdBudget("t", t, held(l, t, job("p", 1)));
    }

    @Test
    void aTenantsOwnSettingOverridesTheDefault() {
        overrides.put("vip", new TenantLimits.Overrides(null, 0L, null, null, true));
        overrides.put("small", new TenantLimits.Overrides(null, null, 1L, null, null));
        SubmitLimits l = limits(new TenantLimits(0, 1, 0, null, false));
        TenantLimits vip = l.limitsOf("vip");
        assertTrue(vip.cacheResponses());
        assertDoesNotThrow(() -> l.reserveActive("vip", vip, 3), "0 lifts the cap for this tenant");
        TenantLimits small = l.limitsOf("small");
        assertRefused(
                () -> l.holdBudget("small", small, held(l, small, job("p", 1))), LimitExceeded.BUDGET_EXCEEDED, 60);
    }

    @Test
    void slotsThatNobodyWillGiveBackAreRecountedAtTheCapWithTheQuietPeriodAndIntervalOfTheTable() {
        SubmitLimits l = limits(new TenantLimits(0, 2, 0, null, false));
        TenantLimits t = l.limitsOf("t");
        l.reserveActive("t", t, 2);
        leaked = 1;
        assertDoesNotThrow(() -> l.reserveActive("t", t, 1), "the lost slot was taken back");
        assertRefused(() -> l.reserveActive("t", t, 1), LimitExceeded.TOO_MANY_ACTIVE_JOBS, 5);
        assertEquals(
                List.of("reserve", "reserve", "recount", "reserve", "reserve", "recount"),
                calls.stream()
                        .filter(c -> c.equals("reserve") || c.equals("recount"))
                        .toList(),
                "a refusal asks the counters, which keep the quiet period and the interval in the table");
    }

    @Test
    void anAdmissionGivesBackOnCloseWhatNoStoredJobCarries() {
        SubmitLimits l = limits(new TenantLimits(0, 3, 10_000, null, false));
        Job first = job("twelve chars", 972).toBuilder().id("job_1").build();
        Job second = job("twelve chars", 972).toBuilder().id("job_2").build();
        try (Admission a = l.admit("t")) {
            List<Job> taken = a.take(List.of(first, second));
            assertTrue(taken.stream().allMatch(j -> j.accounting().holdsActiveSlot()));
            assertEquals(2, active);
            assertEquals(2_000, spent.committedTokens());
        }
        assertEquals(0, active, "nothing was stored: every slot back");
        assertEquals(0, spent.committedTokens(), "and every hold");

        try (Admission a = l.admit("t")) {
            a.take(List.of(first, second));
            a.commit(List.of(first));
        }
        assertEquals(1, active, "the stored job keeps its slot");
        assertEquals(1_000, spent.committedTokens(), "and its hold");

        try (Admission a = l.admit("t")) {
            a.take(List.of(second));
            a.commit();
        }
        assertEquals(2, active);
        assertEquals(2_000, spent.committedTokens());
    }

    @Test
    void anAdmissionRefusedItsSlotsGivesBackTheHoldItTookFirst() {
        SubmitLimits l = limits(new TenantLimits(0, 1, 10_000, null, false));
        assertRefused(
                () -> {
                    try (Admission a = l.admit("t")) {
                        a.take(List.of(
                                job("twelve chars", 972).toBuilder().id("job_1").build(),
                                job("twelve chars", 972).toBuilder().id("job_2").build()));
                    }
                },
                LimitExceeded.TOO_MANY_ACTIVE_JOBS,
                5);
        assertEquals(0, active);
        assertEquals(0, spent.committedTokens(), "the hold taken before the slots were refused is back");
    }
}
