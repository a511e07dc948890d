package dev.bedrockjobs.local.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bedrockjobs.local.runtime.bench.ChaosDriver;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short variant of {@code bench/chaos/run} that CI runs: a few hundred jobs and two batches, a fifth of model
 * calls throttled, a twentieth of the functions' DynamoDB and SQS calls failing, the webhook receiver down for a
 * while and one restart mid-run; then every invariant of the driver must hold.
 */
class ChaosEndToEndTest {
    /**
     * Short model-call backoff, so that every call in progress at the restart ends within the stack's stop grace:
     * one still running would keep its claim for the worker's lease (330 s), far past this test's budget. The
     * bench runs keep the template's policy and drain past the lease.
     */
    private static final java.util.Map<String, String> FAST_RETRIES =
            java.util.Map.of("ThrottleIntervalSeconds", "1", "BackoffRate", "1", "MaxDelaySeconds", "1");

    @TempDir
    Path data;

    @Test
    void nothingIsLostDuplicatedOrLeftBehindAcrossARestartUnderFaults() throws Exception {
        long seed = Long.getLong("chaos.seed", System.nanoTime());
        // No failing AWS calls here (FaultInjectionEndToEndTest covers them): a call that fails past the SDK's
        // retries leaves its job to the lease or the queue's visibility timeout, minutes past this test's drain.
        ChaosDriver.Summary s = ChaosDriver.run(new ChaosDriver.Settings(
                260, 2, 20, 1, 0.2, 0, 0, 0.3, 3, 16, Duration.ofMinutes(2), data, seed, FAST_RETRIES));
        System.out.println(s.line() + " (seed " + seed + ")");
        assertEquals(300, s.submitted());
        String report = s.line() + "\n" + String.join("\n", s.problems());
        assertEquals(0, s.lost(), report);
        assertEquals(0, s.duplicated(), report);
        assertEquals(0, s.stuck(), report);
        assertEquals(0, s.webhookMissing(), report);
        assertEquals(0, s.batchMismatch(), report);
        assertEquals(0, s.usageMismatch(), report);
        // Not asserted here: a message still in flight once every job is finished and every event delivered. Under
        // these faults a redundant copy (a job message refused while another delivery held the job, a re-announced
        // event) can wait out the queue's visibility timeout, 30 minutes for jobs, past this test's two-minute
        // drain; when it returns it finds its job finished. bench/chaos/run waits for it and counts it.
        assertEquals(1, s.restarts());
    }
}
