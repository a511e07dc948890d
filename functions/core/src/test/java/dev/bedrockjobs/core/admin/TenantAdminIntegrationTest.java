package dev.bedrockjobs.core.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bedrockjobs.core.adapter.DynamoApiKeys;
import dev.bedrockjobs.core.adapter.DynamoTenantLimitOverrides;
import dev.bedrockjobs.core.adapter.DynamoTenants;
import dev.bedrockjobs.core.admin.TenantAdmin.Limit;
import dev.bedrockjobs.core.domain.TenantLimits;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A tenant's own limits set, cleared and read back through the tenant item in dynalite. */
class TenantAdminIntegrationTest {
    private DynamoTenants tenants;
    private DynamoTenantLimitOverrides overrides;
    private TenantAdmin admin;

    @BeforeEach
    void tenantWithAKey() {
        String table = SharedEmulators.newJobsTable("tenantadmin");
        tenants = new DynamoTenants(SharedEmulators.dynamoClient(), table);
        overrides = new DynamoTenantLimitOverrides(SharedEmulators.dynamoClient(), table);
        admin = new TenantAdmin(tenants, overrides);
        new KeyAdmin(new DynamoApiKeys(SharedEmulators.dynamoClient(), table), tenants, Clock.systemUTC())
                .create("acme", "ci");
    }

    @Test
    void setChangesOnlyTheGivenLimitsAndClearGoesBackToTheDefault() {
        assertEquals(TenantLimits.Overrides.NONE, admin.overrides("acme").orElseThrow());

        admin.change(
                "acme",
                Map.of(
                        Limit.RATE_LIMIT,
                        5L,
                        Limit.MONTHLY_COST_BUDGET_USD,
                        new BigDecimal("12.50"),
                        Limit.CACHE_RESPONSES,
                        true),
                Set.of());
        var after = admin.change("acme", Map.of(Limit.MAX_ACTIVE_JOBS, 0L), Set.of(Limit.CACHE_RESPONSES))
                .orElseThrow();
        var expected = new TenantLimits.Overrides(5L, 0L, null, new BigDecimal("12.5"), null);
        assertEquals(expected, after);
        assertEquals(expected, overrides.findLimitOverrides("acme"), "what the submit function reads");

        var defaults = new TenantLimits(10, 100, 1_000, BigDecimal.ONE, true);
        assertEquals(
                new TenantLimits(5, 0, 1_000, new BigDecimal("12.5"), true),
                defaults.with(overrides.findLimitOverrides("acme")));
        assertEquals("acme", tenants.findTenant("acme").orElseThrow().name(), "the item keeps its other attributes");
    }

    @Test
    void aTenantThatDoesNotExistGetsNoLimitsAndNoItem() {
        assertTrue(admin.overrides("nobody").isEmpty());
        assertTrue(
                admin.change("nobody", Map.of(Limit.RATE_LIMIT, 1L), Set.of()).isEmpty());
        assertTrue(tenants.findTenant("nobody").isEmpty(), "setting limits does not create a tenant");
    }

    @Test
    void badValuesAreRefusedBeforeAnythingIsWritten() {
        admin.change("acme", Map.of(Limit.RATE_LIMIT, 5L), Set.of());
        for (Map<Limit, Object> bad : List.<Map<Limit, Object>>of(
                Map.of(Limit.MAX_ACTIVE_JOBS, 1L, Limit.RATE_LIMIT, -1L),
                Map.of(Limit.RATE_LIMIT, 100_001L),
                Map.of(Limit.MONTHLY_COST_BUDGET_USD, new BigDecimal("-0.01")),
                Map.of(Limit.MONTHLY_COST_BUDGET_USD, new BigDecimal("0.0000001")),
                Map.of(Limit.CACHE_RESPONSES, "yes"))) {
            assertThrows(IllegalArgumentException.class, () -> admin.change("acme", bad, Set.of()), bad.toString());
        }
        assertThrows(
                IllegalArgumentException.class,
                () -> admin.change("acme", Map.of(Limit.RATE_LIMIT, 1L), EnumSet.of(Limit.RATE_LIMIT)));
        assertThrows(IllegalArgumentException.class, () -> admin.change("acme", Map.of(), Set.of()));
        assertThrows(IllegalArgumentException.class, () -> admin.overrides("not a tenant id"));
        assertEquals(new TenantLimits.Overrides(5L, null, null, null, null), overrides.findLimitOverrides("acme"));
    }

    @Test
    void limitsAreNamedByOptionOrAttribute() {
        assertEquals(Limit.RATE_LIMIT, Limit.named("rate-limit"));
        assertEquals(Limit.RATE_LIMIT, Limit.named("rateLimitPerSecond"));
        assertThrows(IllegalArgumentException.class, () -> Limit.named("rate"));
    }
}
