package dev.bedrockjobs.local.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.local.emulators.RepoRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run with a fifth of the functions' DynamoDB and SQS calls failing (before being sent, or after being applied)
 * and a fifth of model calls throttled still accepts every job with a 202 (a create applied on an attempt whose answer
 * was lost is recognised as the submitter's own) and finishes every job, and the faults really happened.
 */
class FaultInjectionEndToEndTest {
    @TempDir
    Path data;

    @Test
    void jobsFinishOnceUnderFailingAwsCallsAndThrottling() {
        String before = AwsCallFaults.counts();
        try (LocalStack stack = LocalStack.start(LocalOptions.builder(RepoRoot.require()).port(0).dataDirectory(data)
                .throttleRate(0.2).awsFailureRate(0.2).build())) {
            ApiClient api = new ApiClient(stack.apiUrl(), stack.devApiKey());
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> r = api.postJson("/v1/jobs", "{\"prompt\": \"Review item " + i
                        + "\", \"model\": \"fast\"}");
                // a submit whose calls keep failing past the SDK's retries answers 500 and is safe to retry
                if (r.statusCode() == 500) {
                    r = api.postJson("/v1/jobs", "{\"prompt\": \"Review item " + i + "\", \"model\": \"fast\"}");
                }
                assertEquals(202, r.statusCode(), r.body());
                ids.add(ApiClient.json(r).path("id").asText());
            }
            for (JsonNode job : api.awaitAll(ids, Duration.ofSeconds(90))) {
                assertEquals("succeeded", job.path("status").asText(), job.toString());
                assertTrue(job.path("usage").path("outputTokens").asLong() > 0, job.toString());
            }
        }
        String after = AwsCallFaults.counts();
        assertTrue(!before.equals(after), "no fault was injected: " + after);
        System.out.println("FaultInjectionEndToEndTest: " + after);
    }
}
