package dev.bedrockjobs.core.api;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.core.adapter.DynamoBatchStore;
import dev.bedrockjobs.core.adapter.DynamoLaneStats;
import dev.bedrockjobs.core.domain.Batch;
import dev.bedrockjobs.core.domain.Ids;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.domain.Lane;
import dev.bedrockjobs.core.port.LaneStats;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A queued job's and a batch's ETA against dynalite, from finishes recorded as workers record them: the ETA follows
 * the pace of the last seconds, and a lane's idle time between arrivals is not taken for slowness.
 */
class QueueEstimatesIntegrationTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private final String table = SharedEmulators.newJobsTable("eta");
    private final DynamoLaneStats stats = new DynamoLaneStats(SharedEmulators.dynamoClient(), table);

    /** The ETA of a job that takes the lane's next ticket, with the queue's counts as given. */
    private JsonNode queued(Lane lane, Instant now, long waiting, long inFlight, long slots) {
        long ticket = stats.takeTickets(lane, 1);
        Job job = Job.builder()
                .id(Ids.newJobId(now))
                .tenantId("t")
                .request(r ->
                        r.tier("fast").modelId("m").prompt("p").maxTokens(10).lane(lane))
                .progress(p -> p.createdAt(now).ticket(ticket))
                .build();
        QueueEstimates e = new QueueEstimates(
                stats,
                l -> new LaneStats.Depth.Counts(waiting, inFlight),
                Map.of(lane, slots),
                Clock.fixed(now, ZoneOffset.UTC));
        return e.forJob(job).orElseThrow();
    }

    /** Every half second from {@code from} for {@code seconds}, {@code perWrite} jobs that each took a second. */
    private void drain(Lane lane, Instant from, int seconds, int perWrite) {
        drain(lane, from, seconds, perWrite, Duration.ofSeconds(1));
    }

    private void drain(Lane lane, Instant from, int seconds, int perWrite, Duration work) {
        for (int k = 1; k <= seconds * 2; k++) {
            Instant at = from.plusMillis(500L * k);
            stats.finished(lane, perWrite, at.minus(work), at);
        }
    }

    @Test
    void aQuietLanesEtaIsTheTimeOfAJobNotTheGapBetweenArrivals() {
        for (int s = 0; s < 60; s += 20) { // a job every 20 s, each done in 1.1 s
            Instant done = T0.plusSeconds(s + 1);
            stats.finished(Lane.INTERACTIVE, 1, done.minusMillis(1100), done);
        }
        JsonNode q = queued(Lane.INTERACTIVE, T0.plusSeconds(55), 1, 0, 20);
        assertTrue(q.path("etaSeconds").asLong(-1) >= 1 && q.path("etaSeconds").asLong() <= 3, q.toString());
    }

    @Test
    void aPaceThatDoublesMidDrainGivesAnEtaFromTheNewPace() {
        drain(Lane.BULK, T0, 40, 5); // 10 jobs a second
        drain(Lane.BULK, T0.plusSeconds(40), 20, 10); // then 20
        // 600 ahead and 20 being worked on: 31 s at the new pace, 46 s at the last minute's average
        JsonNode q = queued(Lane.BULK, T0.plusSeconds(60), 620, 20, 30);
        long eta = q.path("etaSeconds").asLong(-1);
        assertTrue(eta >= 28 && eta <= 35, q.toString());
    }

    @Test
    void aLaneThatJustBeganDrainingIsPacedFromItsFirstFinishNotFromItsFirstModelCall() {
        // idle, then 2 s model calls from T0: the first finish at T0 + 2.5 s, 10 jobs a second from then on
        drain(Lane.BULK, T0.plusSeconds(2), 6, 5, Duration.ofSeconds(2));
        // 230 to go: 23 s at 10 a second, 29 s if the 2 s before the first finish counted as pace
        JsonNode q = queued(Lane.BULK, T0.plusSeconds(8), 230, 30, 30);
        long eta = q.path("etaSeconds").asLong(-1);
        assertTrue(eta >= 21 && eta <= 25, q.toString());
    }

    @Test
    void aDrainThatResumesAfterAPauseIsPacedOnlyFromWhatFinishedSinceItResumed() {
        drain(Lane.BULK, T0, 30, 5); // 10 a second, then nothing worked on for 2.5 s, then 10 a second again
        drain(Lane.BULK, T0.plusSeconds(33), 4, 5);
        // 230 to go: 23 s at 10 a second; 12 s if what finished before the pause counted over the time since
        JsonNode q = queued(Lane.BULK, T0.plusSeconds(37), 230, 30, 30);
        long eta = q.path("etaSeconds").asLong(-1);
        assertTrue(eta >= 18 && eta <= 25, q.toString());
    }

    @Test
    void aLaneWithNothingFinishedLatelyShowsNoEta() {
        drain(Lane.BULK, T0, 10, 5);
        JsonNode q = queued(Lane.BULK, T0.plusSeconds(60), 100, 30, 30);
        assertTrue(q.path("etaSeconds").isNull(), q.toString());
    }

    @Test
    void aBatchsEtaFollowsItsOwnRecentPace() {
        DynamoBatchStore batches = new DynamoBatchStore(SharedEmulators.dynamoClient(), table, Duration.ofDays(1));
        String id = Ids.newBatchId(T0);
        batches.create(Batch.accepted(id, "t", T0, 1000, null, null, "h"));
        // 400 items at 10 a second, then 200 at 20 a second, each started a second before it finished
        for (int i = 0; i < 600; i++) {
            Instant done =
                    i < 400 ? T0.plusMillis(100L * (i + 1)) : T0.plusSeconds(40).plusMillis(50L * (i - 399));
            int item = i;
            Job job = Job.builder()
                    .id(Ids.jobIdInBatch(id, item))
                    .tenantId("t")
                    .request(r -> r.tier("fast")
                            .modelId("m")
                            .prompt("p")
                            .maxTokens(10)
                            .batchId(id)
                            .itemIndex(item))
                    .progress(pr -> pr.createdAt(T0)
                            .status(JobStatus.SUCCEEDED)
                            .startedAt(done.minusSeconds(1))
                            .finishedAt(done))
                    .build();
            batches.recordFinished(job, done);
        }
        Batch b = batches.get(id).orElseThrow();
        // 400 left: 20 s at the new pace, 34 s at its pace since the first finish
        Long eta = QueueEstimates.batchEtaSeconds(b, T0.plusSeconds(50));
        assertTrue(eta != null && eta >= 18 && eta <= 24, "eta " + eta);
        assertNull(QueueEstimates.batchEtaSeconds(b, T0.plusSeconds(120)), "nothing finished in the last 30 s");
    }
}
