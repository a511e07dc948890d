package dev.bedrockjobs.local.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.local.emulators.RepoRoot;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run with a twentieth of the functions' DynamoDB and SQS calls failing (before being sent, or after being applied)
 * and a fifth of model calls throttled still accepts every job with a 202 (a create applied on an attempt whose answer
 * was lost is recognised as the submitter's own) and finishes every job, and the faults really happened. (At a far
 * higher rate some calls fail past the SDK's retries: such a job waits for the reconciler or a redelivery, minutes.)
 */
class FaultInjectionEndToEndTest {
    @TempDir
    Path data;

    private static HttpResponse<String> untilNot500(java.util.function.Supplier<HttpResponse<String>> call) {
        HttpResponse<String> r = call.get();
        for (int i = 0; i < 5 && r.statusCode() == 500; i++) {
            r = call.get();
        }
        return r;
    }

    @Test
    void jobsFinishOnceUnderFailingAwsCallsAndThrottling() {
        String before = AwsCallFaults.counts();
        try (LocalStack stack = LocalStack.start(LocalOptions.builder(RepoRoot.require())
                .port(0)
                .dataDirectory(data)
                .throttleRate(0.2)
                .awsFailureRate(0.05)
                .build())) {
            ApiClient api = new ApiClient(stack.apiUrl(), stack.devApiKey());
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                String body = "{\"prompt\": \"Review item " + i + "\", \"model\": \"fast\"}";
                // a call whose DynamoDB or SQS calls keep failing past the SDK's retries answers 500, safe to retry
                HttpResponse<String> r = untilNot500(() -> api.postJson("/v1/jobs", body));
                assertEquals(202, r.statusCode(), r.body());
                ids.add(ApiClient.json(r).path("id").asText());
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            for (String id : ids) {
                JsonNode job;
                do {
                    HttpResponse<String> r = untilNot500(() -> api.get("/v1/jobs/" + id + "?wait=5"));
                    assertEquals(200, r.statusCode(), r.body());
                    job = ApiClient.json(r);
                } while (!ApiClient.TERMINAL.contains(job.path("status").asText()) && System.nanoTime() < deadline);
                assertEquals("succeeded", job.path("status").asText(), job.toString());
                assertTrue(job.path("usage").path("outputTokens").asLong() > 0, job.toString());
            }
        }
        String after = AwsCallFaults.counts();
        assertTrue(!before.equals(after), "no fault was injected: " + after);
        System.out.println("FaultInjectionEndToEndTest: " + after);
    }
}
