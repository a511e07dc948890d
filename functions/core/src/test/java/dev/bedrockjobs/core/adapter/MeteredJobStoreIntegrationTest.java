package dev.bedrockjobs.core.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.port.JobMetrics;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Metrics follow the writes that succeeded, against dynalite: a repeated create or finish counts once. */
class MeteredJobStoreIntegrationTest {
    private final List<String> recorded = new ArrayList<>();
    private final JobMetrics recording = new JobMetrics() {
        @Override
        public void jobSubmitted(Job job) {
            recorded.add("submitted " + job.id());
        }

        @Override
        public void jobFinished(Job job) {
            recorded.add(job.progress().status().wire() + " " + job.id());
        }

        @Override
        public void webhookAttempt(String eventType, boolean delivered, long durationMs) {
            recorded.add("webhook " + delivered);
        }
    };

    @Test
    void aJobIsCountedOnceWhenStoredAndOnceWhenFinishedHoweverOftenTheWritesAreRepeated() {
        String table = SharedEmulators.newJobsTable("metered");
        MeteredJobStore store = new MeteredJobStore(
                new DynamoJobStore(SharedEmulators.dynamoClient(), table, Duration.ofDays(1)), recording);
        Instant now = Instant.parse("2026-11-27T10:00:00Z");
        Job job = Job.builder()
                .id("job_01KB2M7Q9ZT3W6X8Y0A1B2C3D4")
                .tenantId("tenant-a")
                .request(r -> r.tier("fast")
                        .modelId("us.anthropic.claude-haiku-4-5-20251001-v1:0")
                        .prompt("p")
                        .maxTokens(64))
                .progress(pr -> pr.status(JobStatus.QUEUED).createdAt(now).attempts(0))
                .build();
        assertTrue(store.create(job));
        assertFalse(store.create(job));
        Job claimed = store.claim(job.id(), "token-1", now, now.plusSeconds(60)).orElseThrow();
        Job done = claimed.toBuilder()
                .progress(pr -> pr.status(JobStatus.SUCCEEDED)
                        .finishedAt(now.plusSeconds(2))
                        .attempts(1))
                .accounting(ac -> ac.usage(new Job.Usage(10, 5)))
                .build();
        assertTrue(store.finish(done));
        assertFalse(store.finish(done));
        assertEquals(List.of("submitted " + job.id(), "succeeded " + job.id()), recorded);
    }
}
