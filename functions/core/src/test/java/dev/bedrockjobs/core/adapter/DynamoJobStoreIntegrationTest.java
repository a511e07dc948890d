package dev.bedrockjobs.core.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bedrockjobs.core.domain.Ids;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.domain.ValidationException;
import dev.bedrockjobs.core.port.JobStore;
import dev.bedrockjobs.core.port.Page;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The DynamoDB adapter against dynalite, on a table created from template.yaml. */
class DynamoJobStoreIntegrationTest {
    private static DynamoJobStore store;
    private static DynamoDbClient dynamo;
    private static String table;
    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

    @BeforeAll
    static void table() {
        dynamo = SharedEmulators.dynamoClient();
        table = SharedEmulators.newJobsTable("store");
        store = new DynamoJobStore(dynamo, table, Duration.ofDays(30));
    }

    private static Job queued(String tenant, Instant createdAt) {
        return Job.builder()
                .id(Ids.newJobId(createdAt))
                .tenantId(tenant)
                .request(r -> r.tier("fast")
                        .modelId("us.anthropic.claude-haiku-4-5-20251001-v1:0")
                        .prompt("p")
                        .system("s")
                        .maxTokens(64)
                        .temperature(0.5)
                        .metadata(Map.of("k", "v")))
                .progress(pr -> pr.createdAt(createdAt))
                .build();
    }

    @Test
    void createIsWriteOnceAndReadsBack() {
        Job job = queued("t-create", T0);
        assertTrue(store.create(job));
        assertFalse(store.create(job.toBuilder().request(r -> r.prompt("other")).build()));
        Job read = store.get(job.id()).orElseThrow();
        assertEquals(job.request().prompt(), read.request().prompt());
        assertEquals(JobStatus.QUEUED, read.progress().status());
        assertEquals(Map.of("k", "v"), read.request().metadata());
        assertEquals(0.5, read.request().temperature());
        assertEquals(T0, read.progress().createdAt());
        assertTrue(store.getOwned("t-create", job.id()).isPresent());
        assertTrue(store.getOwned("someone-else", job.id()).isEmpty());
        assertTrue(store.get(Ids.newJobId(T0)).isEmpty());
    }

    @Test
    void listingIsNewestFirstPagedAndFiltered() {
        String tenant = "t-list";
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            Job j = queued(tenant, T0.plusSeconds(i));
            store.create(j);
            jobs.add(j);
        }
        store.create(queued("t-other", T0.plusSeconds(100)));
        store.cancelQueued(jobs.get(2).id(), T0.plusSeconds(50));
        store.cancelQueued(jobs.get(5).id(), T0.plusSeconds(50));

        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            Page<Job> page = store.listByTenant(tenant, null, 3, cursor);
            page.items().forEach(j -> seen.add(j.id()));
            cursor = page.nextCursor();
        } while (cursor != null);
        List<String> expected = new ArrayList<>(jobs.stream().map(Job::id).toList());
        java.util.Collections.reverse(expected);
        assertEquals(expected, seen);

        Page<Job> canceled = store.listByTenant(tenant, JobStatus.CANCELED, 1, null);
        assertEquals(
                List.of(jobs.get(5).id()),
                canceled.items().stream().map(Job::id).toList());
        Page<Job> rest = store.listByTenant(tenant, JobStatus.CANCELED, 5, canceled.nextCursor());
        assertEquals(
                List.of(jobs.get(2).id()), rest.items().stream().map(Job::id).toList());
        assertNull(rest.nextCursor());
    }

    @Test
    void aCursorIsOnlyGoodForItsOwnTenant() {
        String tenant = "t-cursor";
        for (int i = 0; i < 3; i++) {
            store.create(queued(tenant, T0.plusSeconds(i)));
        }
        String cursor = store.listByTenant(tenant, null, 1, null).nextCursor();
        assertThrows(ValidationException.class, () -> store.listByTenant("t-thief", null, 1, cursor));
        assertThrows(ValidationException.class, () -> store.listByTenant(tenant, null, 1, "not-a-cursor!"));
        assertThrows(ValidationException.class, () -> store.listByTenant(tenant, null, 1, "e30"));
    }

    @Test
    void idempotencyKeysAreReservedOncePerTenant() {
        Instant exp = T0.plus(Duration.ofDays(1));
        assertTrue(store.reserveIdempotencyKey("t-idem", JobStore.KeyScope.JOB, "k", "h1", "job_A", exp)
                .isEmpty());
        var again = store.reserveIdempotencyKey("t-idem", JobStore.KeyScope.JOB, "k", "h2", "job_B", exp);
        assertEquals("job_A", again.orElseThrow().jobId());
        assertEquals("h1", again.orElseThrow().requestHash());
        assertTrue(store.reserveIdempotencyKey("t-idem-2", JobStore.KeyScope.JOB, "k", "h2", "job_C", exp)
                .isEmpty());
    }

    @Test
    void aJobKeyAndABatchKeyThatAreTheSameStringDoNotCollide() {
        Instant exp = T0.plus(Duration.ofDays(1));
        assertTrue(store.reserveIdempotencyKey("t-scope", JobStore.KeyScope.JOB, "batch:x", "h", "job_A", exp)
                .isEmpty());
        assertTrue(
                store.reserveIdempotencyKey("t-scope", JobStore.KeyScope.BATCH, "x", "h", "bat_B", exp)
                        .isEmpty(),
                "the batch key x is not the job key batch:x");
        assertTrue(store.reserveIdempotencyKey("t-scope", JobStore.KeyScope.BATCH, "y", "h", "bat_C", exp)
                .isEmpty());
        assertTrue(
                store.reserveIdempotencyKey("t-scope", JobStore.KeyScope.JOB, "y", "h", "job_D", exp)
                        .isEmpty(),
                "nor the other way round");
    }

    @Test
    void aKeyReservedByAnEarlierVersionStillAnswersForItsOwnScopeOnly() {
        Instant exp = T0.plus(Duration.ofDays(1));
        for (String[] old : new String[][] {{"k", "job_OLD"}, {"batch:k", "bat_OLD"}, {"batch:j", "bat_OTHER"}}) {
            dynamo.putItem(p -> p.tableName(table)
                    .item(Map.of(
                            "pk",
                            AttributeValue.fromS("IDEM#t-legacy#" + old[0]),
                            "sk",
                            AttributeValue.fromS("IDEM"),
                            "jobId",
                            AttributeValue.fromS(old[1]),
                            "requestHash",
                            AttributeValue.fromS("h-old"))));
        }
        assertEquals(
                "job_OLD",
                store.reserveIdempotencyKey("t-legacy", JobStore.KeyScope.JOB, "k", "h-old", "job_NEW", exp)
                        .orElseThrow()
                        .jobId());
        assertEquals(
                "bat_OLD",
                store.reserveIdempotencyKey("t-legacy", JobStore.KeyScope.BATCH, "k", "h-old", "bat_NEW", exp)
                        .orElseThrow()
                        .jobId());
        assertTrue(
                store.reserveIdempotencyKey("t-legacy", JobStore.KeyScope.JOB, "batch:j", "h", "job_NEW", exp)
                        .isEmpty(),
                "a batch's old item does not answer for a job key");
    }

    @Test
    void onlyTheCurrentFencingTokenMayFinish() {
        Job job = queued("t-claim", T0);
        store.create(job);
        Job first = store.claim(job.id(), "token-1", T0, T0.plusSeconds(60)).orElseThrow();
        assertEquals(JobStatus.RUNNING, first.progress().status());
        assertEquals(T0, first.progress().startedAt());
        // A second worker cannot claim while the lease is live, and can after it expires.
        assertTrue(store.claim(job.id(), "token-2", T0.plusSeconds(30), T0.plusSeconds(90))
                .isEmpty());
        Job second = store.claim(job.id(), "token-2", T0.plusSeconds(61), T0.plusSeconds(121))
                .orElseThrow();
        assertEquals("token-2", second.progress().fencingToken());
        assertEquals(T0, second.progress().startedAt(), "startedAt keeps the first claim's time");

        Job late = first.toBuilder()
                .progress(pr -> pr.status(JobStatus.SUCCEEDED)
                        .finishedAt(T0.plusSeconds(70))
                        .attempts(1)
                        .result(new Job.Result("stale", "end_turn")))
                .build();
        assertFalse(store.finish(late), "the first worker lost its claim");
        Job done = second.toBuilder()
                .progress(pr -> pr.status(JobStatus.SUCCEEDED)
                        .finishedAt(T0.plusSeconds(80))
                        .attempts(3)
                        .result(new Job.Result("answer", "end_turn")))
                .accounting(ac -> ac.usage(new Job.Usage(10, 20)).costUsd(new BigDecimal("0.000123")))
                .build();
        assertTrue(store.finish(done));
        // (an SDK retry of a finish whose answer was lost is recognised by its own write id:
        // FaultInjectionEndToEndTest)
        assertFalse(store.finish(done), "a second call is refused, even with the very same outcome");
        assertFalse(
                store.finish(done.toBuilder()
                        .progress(pr -> pr.finishedAt(T0.plusSeconds(81)))
                        .build()),
                "a terminal job is never finished twice");
        Job read = store.get(job.id()).orElseThrow();
        assertEquals("answer", read.progress().result().text());
        assertEquals(new Job.Usage(10, 20), read.accounting().usage());
        assertEquals(new BigDecimal("0.000123"), read.accounting().costUsd());
        assertEquals(3, read.progress().attempts());
        assertNull(read.progress().leaseUntil());
        assertTrue(store.claim(job.id(), "token-3", T0.plusSeconds(999), T0.plusSeconds(2000))
                .isEmpty());
    }

    @Test
    void aCancelRequestedWhileRunningBlocksSuccessButAllowsCancel() {
        Job job = queued("t-cancel", T0);
        store.create(job);
        Job running = store.claim(job.id(), "tok", T0, T0.plusSeconds(60)).orElseThrow();
        assertTrue(store.cancelQueued(job.id(), T0).isEmpty(), "not queued any more");
        assertTrue(store.requestCancel(job.id()));
        assertFalse(store.finish(running.toBuilder()
                .progress(pr -> pr.status(JobStatus.SUCCEEDED).finishedAt(T0))
                .build()));
        assertTrue(store.finish(running.toBuilder()
                .progress(pr -> pr.status(JobStatus.CANCELED).finishedAt(T0))
                .build()));
        assertEquals(
                JobStatus.CANCELED, store.get(job.id()).orElseThrow().progress().status());
        assertFalse(store.requestCancel(job.id()));
    }

    @Test
    void releaseAndUndeliverable() {
        Job job = queued("t-release", T0);
        store.create(job);
        assertTrue(store.claim(job.id(), "tok", T0, T0.plusSeconds(60)).isPresent());
        assertFalse(store.release(job.id(), "other"));
        assertTrue(store.release(job.id(), "tok"));
        assertEquals(
                JobStatus.QUEUED, store.get(job.id()).orElseThrow().progress().status());
        assertTrue(store.failUndeliverable(job.id(), new Job.Error("dead_lettered", "gone"), T0));
        Optional<Job> failed = store.get(job.id());
        assertEquals(JobStatus.FAILED, failed.orElseThrow().progress().status());
        assertEquals("dead_lettered", failed.get().progress().error().code());
        assertFalse(store.failUndeliverable(job.id(), new Job.Error("dead_lettered", "again"), T0));
    }
}
