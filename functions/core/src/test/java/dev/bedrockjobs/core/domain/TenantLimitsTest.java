package dev.bedrockjobs.core.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TenantLimitsTest {

    @Test
    void missingOrEmptyOrZeroSettingsAreUnlimited() {
        assertEquals(TenantLimits.UNLIMITED, TenantLimits.fromEnvironment(Map.of()));
        TenantLimits zero = TenantLimits.fromEnvironment(Map.of(
                TenantLimits.RATE_LIMIT_PER_SECOND,
                "",
                TenantLimits.MAX_ACTIVE_JOBS,
                "0",
                TenantLimits.MONTHLY_TOKEN_BUDGET,
                " ",
                TenantLimits.MONTHLY_COST_BUDGET_USD,
                "0",
                TenantLimits.RESPONSE_CACHE_DEFAULT,
                "false"));
        assertFalse(zero.limitsRate());
        assertFalse(zero.capsActiveJobs());
        assertFalse(zero.hasBudget());
        assertFalse(zero.cacheResponses());
    }

    @Test
    void theTemplatesValuesAreRead() {
        TenantLimits l = TenantLimits.fromEnvironment(Map.of(
                TenantLimits.RATE_LIMIT_PER_SECOND,
                "20",
                TenantLimits.MAX_ACTIVE_JOBS,
                "500",
                TenantLimits.MONTHLY_TOKEN_BUDGET,
                "1000000",
                TenantLimits.MONTHLY_COST_BUDGET_USD,
                "250.5",
                TenantLimits.RESPONSE_CACHE_DEFAULT,
                "true"));
        assertEquals(new TenantLimits(20, 500, 1_000_000, new BigDecimal("250.5"), true), l);
        assertTrue(l.limitsRate() && l.capsActiveJobs() && l.hasBudget());
        assertTrue(new TenantLimits(0, 0, 0, new BigDecimal("0.01"), false).hasBudget(), "a cost budget alone");
    }

    @Test
    void aTenantsOwnSettingsWinAndItsZeroLiftsALimit() {
        TenantLimits defaults = new TenantLimits(10, 100, 5000, new BigDecimal("5"), false);
        assertEquals(defaults, defaults.with(TenantLimits.Overrides.NONE));
        TenantLimits mine = defaults.with(new TenantLimits.Overrides(null, 0L, 99L, null, true));
        assertEquals(new TenantLimits(10, 0, 99, new BigDecimal("5"), true), mine);
        assertFalse(mine.capsActiveJobs());
    }

    @Test
    void badSettingsFailAtStartRatherThanLiftingALimit() {
        assertThrows(
                IllegalArgumentException.class,
                () -> TenantLimits.fromEnvironment(Map.of(TenantLimits.MAX_ACTIVE_JOBS, "ten")));
        assertThrows(
                IllegalArgumentException.class,
                () -> TenantLimits.fromEnvironment(Map.of(TenantLimits.MONTHLY_COST_BUDGET_USD, "$5")));
        assertThrows(
                IllegalArgumentException.class,
                () -> TenantLimits.fromEnvironment(Map.of(TenantLimits.RATE_LIMIT_PER_SECOND, "-1")));
    }
}
