package dev.bedrockjobs.core.adapter;

import dev.bedrockjobs.core.domain.Ids;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.TenantLimits;
import dev.bedrockjobs.core.domain.Tenant;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Limit counters, tenant limit overrides and the response cache against dynalite. */
class DynamoLimitCountersIntegrationTest {
    private static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");
    private DynamoLimitCounters counters;
    private DynamoTenantStore tenants;
    private DynamoResponseCache cache;
    private String table;

    @BeforeEach
    void fresh() {
        table = SharedEmulators.newJobsTable("limits");
        counters = new DynamoLimitCounters(SharedEmulators.dynamoClient(), table);
        tenants = new DynamoTenantStore(SharedEmulators.dynamoClient(), table);
        cache = new DynamoResponseCache(SharedEmulators.dynamoClient(), table);
    }

    @Test
    void eachSecondAdmitsItsQuotaPerTenant() {
        assertTrue(counters.tryCountRequest("t", 100, 2));
        assertTrue(counters.tryCountRequest("t", 100, 2));
        assertFalse(counters.tryCountRequest("t", 100, 2));
        assertTrue(counters.tryCountRequest("u", 100, 2), "another tenant has its own count");
        assertTrue(counters.tryCountRequest("t", 101, 2), "the next second starts again");
    }

    @Test
    void theActiveSetHoldsAtMostTheCapAndRepeatsAreHarmless() {
        assertTrue(counters.tryReserveActive("t", List.of("j1", "j2"), 3));
        assertFalse(counters.tryReserveActive("t", List.of("j3", "j4"), 3), "a batch counts as its items");
        assertTrue(counters.tryReserveActive("t", List.of("j3"), 3));
        assertFalse(counters.tryReserveActive("t", List.of("j4"), 3));
        assertFalse(counters.tryReserveActive("t", List.of("a", "b", "c", "d"), 3), "more than the cap never fits");
        counters.releaseActive("t", List.of("j1"));
        counters.releaseActive("t", List.of("j1")); // a redelivered outcome releases again: no effect
        counters.releaseActive("u", List.of("j2")); // another tenant's set is not touched
        assertTrue(counters.tryReserveActive("t", List.of("j4"), 3));
        assertFalse(counters.tryReserveActive("t", List.of("j5"), 3));
        counters.releaseActive("nobody", List.of("x")); // no set: nothing happens, nothing is created
    }

    @Test
    void mendingTakesOutFinishedJobsAndIdsWhoseSubmitStopped() {
        DynamoJobStore jobs = new DynamoJobStore(SharedEmulators.dynamoClient(), table, java.time.Duration.ofDays(1));
        Job queued = Job.builder().id(Ids.newJobId(NOW)).tenantId("t").tier("fast").modelId("m").prompt("p")
                .maxTokens(10).createdAt(NOW).build();
        Job canceled = queued.toBuilder().id(Ids.newJobId(NOW)).build();
        assertTrue(jobs.create(queued));
        assertTrue(jobs.create(canceled));
        assertTrue(jobs.cancelQueued(canceled.id(), NOW).isPresent());
        String stopped = Ids.newJobId(NOW.minusSeconds(120));
        String inFlight = Ids.newJobId(NOW);
        assertTrue(counters.tryReserveActive("t", List.of(queued.id(), canceled.id(), stopped, inFlight), 4));
        assertEquals(2, counters.releaseStale("t", NOW.minusSeconds(60)));
        assertTrue(counters.tryReserveActive("t", List.of("a", "b"), 4), "two slots free again");
        assertFalse(counters.tryReserveActive("t", List.of("c"), 4), "the queued job and the in-flight id remain");
        assertEquals(0, counters.releaseStale("nobody", NOW));
    }

    @Test
    void aTenantsOwnLimitsAreReadBackAndCanBeCleared() {
        assertTrue(tenants.createTenant(new Tenant("t", "T", "whsec_x", false, NOW)));
        assertEquals(TenantLimits.Overrides.NONE, tenants.findLimitOverrides("t"));
        TenantLimits.Overrides set = new TenantLimits.Overrides(5L, 10L, 1000L, new BigDecimal("2.5"), true);
        tenants.setLimitOverrides("t", set);
        assertEquals(set, tenants.findLimitOverrides("t"));
        assertEquals("T", tenants.findTenant("t").orElseThrow().name(), "the tenant itself is untouched");
        tenants.setLimitOverrides("t", new TenantLimits.Overrides(null, 0L, null, null, null));
        assertEquals(new TenantLimits.Overrides(null, 0L, null, null, null), tenants.findLimitOverrides("t"));
        assertEquals(TenantLimits.Overrides.NONE, tenants.findLimitOverrides("missing"));
    }

    @Test
    void aCachedAnswerServesOnlyItsTenantAndOnlyUntilItExpires() {
        cache.put("k", "t", new Job.Result("answer", "end_turn"), NOW.plusSeconds(60));
        assertEquals("answer", cache.find("k", "t", NOW).orElseThrow().text());
        assertTrue(cache.find("k", "u", NOW).isEmpty());
        assertTrue(cache.find("k", "t", NOW.plusSeconds(60)).isEmpty(), "expired, though still stored");
        assertTrue(cache.find("other", "t", NOW).isEmpty());
    }
}
