package dev.bedrockjobs.core.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bedrockjobs.core.domain.Ids;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Limit counters and the response cache against dynalite. */
class DynamoLimitCountersIntegrationTest {
    private static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");
    private static final Duration QUIET = Duration.ofMinutes(1);
    private static final Duration EVERY = Duration.ofMinutes(1);
    private DynamoLimitCounters counters;
    private DynamoResponseCache cache;
    private String table;

    @BeforeEach
    void fresh() {
        table = SharedEmulators.newJobsTable("limits");
        counters = new DynamoLimitCounters(SharedEmulators.dynamoClient(), table);
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
        assertTrue(counters.tryReserveActive("t", 2, 3, NOW));
        assertFalse(counters.tryReserveActive("t", 2, 3, NOW), "a batch counts as its items");
        assertTrue(counters.tryReserveActive("t", 1, 3, NOW));
        assertFalse(counters.tryReserveActive("t", 1, 3, NOW));
        assertFalse(counters.tryReserveActive("u", 4, 3, NOW), "more than the cap never fits");
        assertTrue(counters.tryReserveActive("u", 3, 3, NOW), "another tenant has its own count");
        counters.releaseActive("t", 1);
        assertTrue(counters.tryReserveActive("t", 1, 3, NOW));
        counters.releaseActive("nobody", 1); // never below zero, nothing created
        assertTrue(counters.tryReserveActive("nobody", 1, 1, NOW));
    }

    private Job holdingSlot(DynamoJobStore jobs) {
        Job j = Job.builder()
                .id(Ids.newJobId(NOW))
                .tenantId("t")
                .request(r -> r.tier("fast").modelId("m").prompt("p").maxTokens(10))
                .progress(pr -> pr.createdAt(NOW))
                .accounting(ac -> ac.holdsActiveSlot(true))
                .build();
        assertTrue(counters.tryReserveActive("t", 1, 3, NOW));
        assertTrue(jobs.create(j));
        return j;
    }

    @Test
    void aFinishedJobGivesItsSlotBackOnceAndARecountMendsWhatWasLost() {
        DynamoJobStore jobs = new DynamoJobStore(SharedEmulators.dynamoClient(), table, Duration.ofDays(1));
        Job first = holdingSlot(jobs);
        Job second = holdingSlot(jobs);
        holdingSlot(jobs);
        assertFalse(counters.tryReserveActive("t", 1, 3, NOW), "three of three");
        assertTrue(jobs.cancelQueued(first.id(), NOW).isPresent());
        for (int i = 0; i < 3; i++) {
            counters.releaseSlot("t", first.id()); // the cancel, then redeliveries of the same outcome
        }
        assertTrue(counters.tryReserveActive("t", 1, 3, NOW), "one slot back, not three");
        assertFalse(counters.tryReserveActive("t", 1, 3, NOW));

        // That last reservation's submit stopped before writing its job; and a worker stopped between marking the
        // second job's slot as given back and giving it back.
        assertTrue(jobs.cancelQueued(second.id(), NOW).isPresent());
        SharedEmulators.dynamoClient()
                .updateItem(u -> u.tableName(table)
                        .key(JobItems.key(second.id()))
                        .updateExpression("SET slotReleased = :t")
                        .expressionAttributeValues(Map.of(":t", AttributeValue.fromBool(true))));
        counters.releaseSlot("t", second.id());
        assertFalse(counters.tryReserveActive("t", 1, 3, NOW), "both slots are lost until a recount");
        assertEquals(
                0,
                counters.recount("t", NOW.plusSeconds(59), QUIET, EVERY),
                "the last reservation is too recent: its job may not be written yet");
        Instant quiet = NOW.plus(QUIET);
        assertEquals(2, counters.recount("t", quiet, QUIET, EVERY), "one unfinished job holds a slot");
        assertTrue(counters.tryReserveActive("t", 2, 3, quiet));
        assertFalse(counters.tryReserveActive("t", 1, 3, quiet));
        assertEquals(0, counters.recount("nobody", quiet, QUIET, EVERY));
    }

    @Test
    void aRecountNeverErasesASlotReservedForAJobNotWrittenYetAndRunsOncePerIntervalAcrossInstances() {
        DynamoJobStore jobs = new DynamoJobStore(SharedEmulators.dynamoClient(), table, Duration.ofDays(1));
        holdingSlot(jobs);
        Instant later = NOW.plus(QUIET).plusSeconds(1);
        assertTrue(counters.tryReserveActive("t", 2, 3, later), "a batch of two, its jobs not written yet");
        assertEquals(0, counters.recount("t", later.plusSeconds(1), QUIET, EVERY));
        assertFalse(counters.tryReserveActive("t", 1, 3, later.plusSeconds(1)), "the batch's slots are still held");

        // Once quiet, a lost slot is found; another instance right after does not recount again.
        Instant quiet = later.plus(QUIET);
        DynamoLimitCounters otherInstance = new DynamoLimitCounters(SharedEmulators.dynamoClient(), table);
        assertEquals(2, counters.recount("t", quiet, QUIET, EVERY), "the batch was never written");
        assertTrue(counters.tryReserveActive("t", 2, 3, quiet));
        assertEquals(
                0,
                otherInstance.recount("t", quiet.plus(QUIET), QUIET, EVERY.multipliedBy(3)),
                "recounted within the interval, by whichever instance");
    }

    @Test
    void aTenantsLongPollsAreCountedUpToTheBoundAndCountsNeverEndedAreForgottenOnceTheirLeasesRunOut() {
        Instant lease = NOW.plusSeconds(30);
        assertTrue(counters.tryStartWait("t", 2, NOW, lease));
        assertTrue(counters.tryStartWait("t", 2, NOW, lease));
        assertFalse(counters.tryStartWait("t", 2, NOW.plusSeconds(1), lease.plusSeconds(1)), "two of two open");
        assertTrue(counters.tryStartWait("u", 2, NOW, lease), "another tenant has its own bound");
        counters.endWait("t");
        assertTrue(counters.tryStartWait("t", 2, NOW.plusSeconds(2), lease.plusSeconds(2)), "one ended, one more");
        assertFalse(
                counters.tryStartWait("t", 2, NOW.plusSeconds(31), lease.plusSeconds(31)),
                "the latest lease has not run out yet");
        // none of the two open ever ends (their function timed out): once the latest lease is over, they are forgotten
        Instant later = lease.plusSeconds(3);
        assertTrue(counters.tryStartWait("t", 2, later, later.plusSeconds(30)));
        assertTrue(counters.tryStartWait("t", 2, later, later.plusSeconds(30)));
        assertFalse(counters.tryStartWait("t", 2, later, later.plusSeconds(30)));
        for (int i = 0; i < 4; i++) {
            counters.endWait("t"); // more ends than starts counted: never below zero
        }
        assertTrue(counters.tryStartWait("t", 2, later, later.plusSeconds(30)));
        assertTrue(counters.tryStartWait("t", 2, later, later.plusSeconds(30)));
        assertFalse(counters.tryStartWait("t", 2, later, later.plusSeconds(30)));
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
