package dev.bedrockjobs.local.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.local.emulators.RepoRoot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Half the model calls throttled: the state machine's retry policy (from template.yaml) carries every job to
 * success, and the extra attempts show in the job view.
 *
 * <p>The throttle retrier is tightened through template parameters, as a deployment would with
 * {@code --parameter-overrides}: shorter delays keep the test quick, and the most attempts the template allows make
 * exhausting them negligible (0.5^21 per job, about 1 in 170,000 runs of twelve jobs); with 12 attempts, 0.5^13 per
 * job came to 1 in 680 runs, and a CI run met it.
 */
class ThrottlingEndToEndTest {
    private static final int JOBS = 12;

    @TempDir
    static Path data;

    private static LocalStack stack;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        stack = LocalStack.start(LocalOptions.builder(RepoRoot.require())
                .port(0)
                .dataDirectory(data)
                .throttleRate(0.5)
                .parameter("ThrottleIntervalSeconds", "1")
                .parameter("MaxDelaySeconds", "2")
                .parameter("ThrottleMaxAttempts", "20")
                .build());
        api = new ApiClient(stack.apiUrl(), stack.devApiKey());
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void throttledCallsAreRetriedUntilEveryJobSucceeds() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) {
            ids.add(api.submit("Review under throttling " + i).path("id").asText());
        }
        List<JsonNode> done = api.awaitAll(ids, Duration.ofMinutes(2));
        int attempts = 0;
        for (JsonNode job : done) {
            assertEquals("succeeded", job.path("status").asText(), job.toString());
            assertTrue(job.path("attempts").asInt() >= 1, job.toString());
            attempts += job.path("attempts").asInt();
        }
        // With half the calls throttled, all twelve passing at the first try has odds of 1 in 4096.
        assertTrue(attempts > JOBS, "some job needed more than one attempt: " + done);
    }
}
