package dev.bedrockjobs.local.runtime.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bedrockjobs.lambda.Components;
import dev.bedrockjobs.local.runtime.LocalStack;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * Each function's first real-shaped event (the samples under {@code events/}), pointed at what exists in a running
 * local stack: the dev tenant and its API key instead of the sample's, a job of the stack's own instead of the sample
 * job, a local webhook receiver instead of the sample URL. For the tools that run a function's bundle in a JVM of its
 * own on its first event: the cold-start benchmark and the bundle check.
 */
final class FirstEvents {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SAMPLE_JOB = "job_01JDQ8Z6V3N4T5R6S7P8Q9W0XY";
    private static final String SAMPLE_TENANT = "tenant-a";
    private static final String SAMPLE_KEY = "bjk_exampleexampleexampleexampleexampleexamplee";
    private static final String SAMPLE_WEBHOOK_URL = "https://hooks.example.com/bedrock-jobs";

    /** Sample event by function logical id; {@code events/} has no webhook message, the handler's test has one. */
    private static final Map<String, String> SAMPLES = Map.of(
            "AuthorizerFunction", "events/authorizer-request.json",
            "SubmitFunction", "events/submit-job.json",
            "StatusFunction", "events/get-job.json",
            "WorkerFunction", "events/worker-sqs.json",
            "WebhookFunction", "functions/webhook/src/test/resources/events/webhook-sqs.json",
            "ReconcilerFunction", "events/reconciler-scheduled.json",
            "StreamFunction", "events/stream-task.json");
    /** The worker's claim the streaming task's sample event names as its writer. */
    static final String SAMPLE_WRITER = "wrt_example_fencing_token";

    private final Path root;
    private final LocalStack stack;
    private final String webhookUrl;
    private final HttpClient http = HttpClient.newHttpClient();

    /** @param webhookUrl where the webhook function's event sends its delivery */
    FirstEvents(Path root, LocalStack stack, String webhookUrl) {
        this.root = root;
        this.stack = stack;
        this.webhookUrl = webhookUrl;
    }

    /**
     * Writes the function's sample event into {@code folder}, pointed at the stack and at {@code jobId} (the job a
     * status request reads, a worker message carries).
     *
     * @throws IllegalArgumentException when there is no sample event for the function
     */
    Path write(String logicalId, String jobId, Path folder) throws IOException {
        String sample = SAMPLES.get(logicalId);
        if (sample == null) {
            throw new IllegalArgumentException(
                    "no first event for " + logicalId + "; events are known for " + SAMPLES.keySet());
        }
        String text = Files.readString(root.resolve(sample))
                .replace(SAMPLE_JOB, jobId)
                .replace(SAMPLE_TENANT, "dev")
                .replace(SAMPLE_KEY, stack.devApiKey())
                .replace(SAMPLE_WEBHOOK_URL, webhookUrl);
        Path file = folder.resolve(logicalId + "-event.json");
        Files.writeString(file, text);
        return file;
    }

    /**
     * Claims a queued job as the worker does before it starts the state machine, under the writer the streaming
     * task's sample event names, so that the task finds the job running under its claim.
     */
    void claimForStreaming(String jobId) {
        Instant now = Instant.now();
        if (new Components(stack.function("WorkerFunction").environment())
                .jobStore()
                .claim(jobId, SAMPLE_WRITER, now, now.plusSeconds(300))
                .isEmpty()) {
            throw new IllegalStateException("job " + jobId + " could not be claimed");
        }
    }

    /**
     * Submits a job as the dev tenant through the stack's API and returns its id. With the stack's event sources
     * off it stays queued until a worker invocation takes it.
     */
    String submitJob() throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(stack.apiUrl() + "/v1/jobs"))
                .header("Authorization", "Bearer " + stack.devApiKey())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"Review: int f() { return 1/0; }\", "
                        + "\"model\": \"fast\", \"maxTokens\": 256}"))
                .build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            throw new IllegalStateException("submit answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body()).path("id").asText();
    }

    /** A job as the dev tenant reads it through the stack's API. */
    JsonNode job(String jobId) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(stack.apiUrl() + "/v1/jobs/" + jobId))
                .header("Authorization", "Bearer " + stack.devApiKey())
                .GET()
                .build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET /v1/jobs/" + jobId + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }
}
