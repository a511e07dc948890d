package dev.bedrockjobs.local.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.core.adapter.DynamoJobStore;
import dev.bedrockjobs.core.adapter.EmfJobMetrics;
import dev.bedrockjobs.core.adapter.SqsJobQueue;
import dev.bedrockjobs.core.api.ApiRequest;
import dev.bedrockjobs.core.domain.Ids;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.port.JobQueue;
import dev.bedrockjobs.lambda.Components;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import dev.bedrockjobs.reconciler.ReconcilerRoot;
import dev.bedrockjobs.status.StatusRoot;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every function's job store reports the writes that end a job, whichever function makes them: the services are
 * built as the handlers build them (the composition roots and {@link Components}), with metrics on, and their EMF records read from standard output.
 */
class WiringMetricsIntegrationTest {
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private PrintStream original;
    private String table;
    private Map<String, String> env;
    private DynamoJobStore jobs;

    @BeforeEach
    void metricsOnAndStandardOutputCaptured() {
        table = SharedEmulators.newJobsTable("wiring-metrics");
        env = new HashMap<>(
                SharedEmulators.functionEnvironment(table, SharedEmulators.newQueue("wiring-metrics", Map.of())));
        env.put(EmfJobMetrics.NAMESPACE, "BedrockJobs");
        jobs = new DynamoJobStore(SharedEmulators.dynamoClient(), table, Duration.ofDays(1));
        original = System.out;
        // before the services are built: EMF metrics keep the stream they were made with
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void standardOutputBack() {
        System.setOut(original);
    }

    private Job queuedJob() {
        Instant now = Instant.now();
        Job job = Job.builder()
                .id(Ids.newJobId(now))
                .tenantId("tenant-a")
                .request(r -> r.tier("fast")
                        .modelId("us.anthropic.claude-haiku-4-5-20251001-v1:0")
                        .prompt("p")
                        .maxTokens(64))
                .progress(pr -> pr.createdAt(now))
                .build();
        jobs.create(job);
        return job;
    }

    /** The EMF records written for a job. */
    private List<JsonNode> recordsOf(String jobId) {
        List<JsonNode> out = new ArrayList<>();
        for (String line : stdout.toString(StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("{") && line.contains("\"_aws\"")) {
                JsonNode record = Json.parse(line);
                if (jobId.equals(record.path("jobId").asText())) {
                    out.add(record);
                }
            }
        }
        return out;
    }

    @Test
    void aJobCanceledThroughTheStatusFunctionIsCountedAsCanceled() {
        Job job = queuedJob();
        var status = StatusRoot.of(env).routes();

        var response = status.apply(new ApiRequest(
                "DELETE /v1/jobs/{id}", Map.of("id", job.id()), null, null, null, job.tenantId(), "req-1"));

        assertEquals(202, response.status(), response.body());
        List<JsonNode> records = recordsOf(job.id());
        assertEquals(1, records.size(), stdout.toString(StandardCharsets.UTF_8));
        assertEquals(1, records.get(0).path("JobsCanceled").asLong());
    }

    @Test
    void aJobTheReconcilerFailsFromTheDeadLetterQueueIsCountedAsFailed() {
        Job job = queuedJob();
        String dlqUrl = SharedEmulators.newQueue("wiring-metrics-dlq", Map.of());
        env.put(Components.JOBS_DLQ_URL, dlqUrl);
        new SqsJobQueue(SharedEmulators.sqsClient(), dlqUrl).send(new JobQueue.JobMessage(job.id(), job.tenantId()));

        var report = ReconcilerRoot.reconciler(env).run();

        assertEquals(1, report.deadLettered());
        assertEquals(
                JobStatus.FAILED, jobs.get(job.id()).orElseThrow().progress().status());
        List<JsonNode> records = recordsOf(job.id());
        assertEquals(1, records.size(), stdout.toString(StandardCharsets.UTF_8));
        assertEquals(1, records.get(0).path("JobsFailed").asLong());
    }
}
