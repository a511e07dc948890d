package dev.bedrockjobs.core.adapter;

import dev.bedrockjobs.core.domain.Ids;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.TenantLimits;
import dev.bedrockjobs.core.domain.Tenant;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

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
    void theActiveCountStaysWithinTheCap() {
        assertTrue(counters.tryReserveActive("t", 2, 3));
        assertFalse(counters.tryReserveActive("t", 2, 3), "a batch counts as its items");
        assertTrue(counters.tryReserveActive("t", 1, 3));
        assertFalse(counters.tryReserveActive("t", 1, 3));
        assertFalse(counters.tryReserveActive("u", 4, 3), "more than the cap never fits");
        assertTrue(counters.tryReserveActive("u", 3, 3), "another tenant has its own count");
        counters.releaseActive("t", 1);
        assertTrue(counters.tryReserveActive("t", 1, 3));
        counters.releaseActive("nobody", 1); // never below zero, nothing created
        assertTrue(counters.tryReserveActive("nobody", 1, 1));
    }

    private Job holdingSlot(DynamoJobStore jobs) {
        Job j = Job.builder().id(Ids.newJobId(NOW)).tenantId("t").tier("fast").modelId("m").prompt("p")
                .maxTokens(10).createdAt(NOW).holdsActiveSlot(true).build();
        assertTrue(counters.tryReserveActive("t", 1, 3));
        assertTrue(jobs.create(j));
        return j;
    }

    @Test
    void aFinishedJobGivesItsSlotBackOnceAndARecountMendsWhatWasLost() {
        DynamoJobStore jobs = new DynamoJobStore(SharedEmulators.dynamoClient(), table, Duration.ofDays(1));
        Job first = holdingSlot(jobs);
        Job second = holdingSlot(jobs);
        holdingSlot(jobs);
        assertFalse(counters.tryReserveActive("t", 1, 3), "three of three");
        assertTrue(jobs.cancelQueued(first.id(), NOW).isPresent());
        for (int i = 0; i < 3; i++) {
            counters.releaseSlot("t", first.id()); // the cancel, then redeliveries of the same outcome
        }
        assertTrue(counters.tryReserveActive("t", 1, 3), "one slot back, not three");
        assertFalse(counters.tryReserveActive("t", 1, 3));

        // That last reservation's submit stopped before writing its job; and a worker stopped between marking the
        // second job's slot as given back and giving it back.
        assertTrue(jobs.cancelQueued(second.id(), NOW).isPresent());
        SharedEmulators.dynamoClient().updateItem(u -> u.tableName(table).key(JobItems.key(second.id()))
                .updateExpression("SET slotReleased = :t")
                .expressionAttributeValues(Map.of(":t", AttributeValue.fromBool(true))));
        counters.releaseSlot("t", second.id());
        assertFalse(counters.tryReserveActive("t", 1, 3), "both slots are lost until a recount");
        assertEquals(2, counters.recount("t"), "one unfinished job holds a slot");
        assertEquals(0, counters.recount("t"));
        assertTrue(counters.tryReserveActive("t", 2, 3));
        assertFalse(counters.tryReserveActive("t", 1, 3));
        assertEquals(0, counters.recount("nobody"));
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
