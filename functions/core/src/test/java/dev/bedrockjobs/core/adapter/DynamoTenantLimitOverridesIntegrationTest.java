package dev.bedrockjobs.core.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bedrockjobs.core.domain.Tenant;
import dev.bedrockjobs.core.domain.TenantLimits;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A tenant's own limits, attributes of the tenant item, against dynalite. */
class DynamoTenantLimitOverridesIntegrationTest {
    private DynamoTenants tenants;
    private DynamoTenantLimitOverrides overrides;

    @BeforeEach
    void fresh() {
        String table = SharedEmulators.newJobsTable("overrides");
        tenants = new DynamoTenants(SharedEmulators.dynamoClient(), table);
        overrides = new DynamoTenantLimitOverrides(SharedEmulators.dynamoClient(), table);
    }

    @Test
    void aTenantsOwnLimitsAreReadBackAndCanBeCleared() {
        assertTrue(tenants.createTenant(new Tenant("t", "T", "whsec_x", false, Instant.parse("2026-11-27T10:00:00Z"))));
        assertEquals(TenantLimits.Overrides.NONE, overrides.findLimitOverrides("t"));
        TenantLimits.Overrides set = new TenantLimits.Overrides(5L, 10L, 1000L, new BigDecimal("2.5"), true);
        overrides.setLimitOverrides("t", set);
        assertEquals(set, overrides.findLimitOverrides("t"));
        assertEquals("T", tenants.findTenant("t").orElseThrow().name(), "the tenant itself is untouched");
        overrides.setLimitOverrides("t", new TenantLimits.Overrides(null, 0L, null, null, null));
        assertEquals(new TenantLimits.Overrides(null, 0L, null, null, null), overrides.findLimitOverrides("t"));
        assertEquals(TenantLimits.Overrides.NONE, overrides.findLimitOverrides("missing"));
    }
}
