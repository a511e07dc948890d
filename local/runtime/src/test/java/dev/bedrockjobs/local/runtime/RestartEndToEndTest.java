package dev.bedrockjobs.local.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.local.emulators.RepoRoot;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs outlive the command: three stacks in turn on one data folder. The middle one runs with its event source
 * mappings disabled (as {@code Enabled: false} would in AWS), which is what keeps a job honestly queued: nothing
 * consumes the queue, so it can be canceled while queued, and another is still queued when the stack stops.
 */
class RestartEndToEndTest {
    private static final Duration FINISH = Duration.ofSeconds(60);

    @TempDir
    Path data;

    private LocalStack start(boolean eventSources) {
        return LocalStack.start(LocalOptions.builder(RepoRoot.require())
                .port(0)
                .dataDirectory(data)
                .eventSourcesEnabled(eventSources)
                .build());
    }

    @Test
    void finishedJobsStayReadableAndQueuedJobsFinishAfterARestart() throws InterruptedException {
        String devKey;
        String finishedId;
        JsonNode finished;
        try (LocalStack first = start(true)) {
            devKey = first.devApiKey();
            ApiClient api = new ApiClient(first.apiUrl(), devKey);
            finishedId = api.submit("Review before the restart").path("id").asText();
            finished = api.awaitTerminal(finishedId, FINISH);
            assertEquals("succeeded", finished.path("status").asText(), finished.toString());
        }

        String queuedId;
        String canceledId;
        try (LocalStack paused = start(false)) {
            assertEquals(devKey, paused.devApiKey(), "the dev key is kept in the data folder");
            ApiClient api = new ApiClient(paused.apiUrl(), devKey);
            assertEquals(finished, ApiClient.json(api.get("/v1/jobs/" + finishedId)));

            queuedId = api.submit("Review queued across the restart").path("id").asText();
            canceledId = api.submit("Review canceled while queued").path("id").asText();
            HttpResponse<String> cancel = api.delete("/v1/jobs/" + canceledId);
            assertEquals(202, cancel.statusCode(), cancel.body());
            assertEquals("canceled", ApiClient.json(cancel).path("status").asText());
            assertEquals(409, api.delete("/v1/jobs/" + canceledId).statusCode(), "terminal jobs cannot be canceled");
            assertEquals(409, api.delete("/v1/jobs/" + finishedId).statusCode());
            HttpResponse<String> stillQueued = api.get("/v1/jobs/" + queuedId + "?wait=2");
            assertEquals("queued", ApiClient.json(stillQueued).path("status").asText(), stillQueued.body());
        }

        try (LocalStack second = start(true)) {
            ApiClient api = new ApiClient(second.apiUrl(), second.devApiKey());
            JsonNode requeued = api.awaitTerminal(queuedId, FINISH);
            assertEquals("succeeded", requeued.path("status").asText(), requeued.toString());
            assertEquals(finished, ApiClient.json(api.get("/v1/jobs/" + finishedId)));
            second.awaitRedrive(Duration.ofSeconds(10));
            assertEquals(
                    "canceled",
                    ApiClient.json(api.get("/v1/jobs/" + canceledId))
                            .path("status")
                            .asText(),
                    "a canceled job stays canceled, re-driven or not");
        }
    }
}
