package dev.bedrockjobs.core.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.port.JobMetrics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EmfJobMetricsTest {
    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final EmfJobMetrics metrics = new EmfJobMetrics(
            "BedrockJobs",
            "bedrock-jobs",
            new PrintStream(bytes, true, StandardCharsets.UTF_8),
            Clock.fixed(T0, ZoneOffset.UTC));

    private List<JsonNode> lines() {
        List<JsonNode> out = new ArrayList<>();
        for (String line : bytes.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                out.add(Json.parse(line));
            }
        }
        return out;
    }

    private static Job finished() {
        return Job.builder()
                .id("job_01KB2M7Q9ZT3W6X8Y0A1B2C3D4")
                .tenantId("tenant-a")
                .request(rq -> rq.batchId(null)
                        .tier("standard")
                        .modelId("us.anthropic.claude-sonnet-4-5-20250929-v1:0")
                        .prompt("SECRET PROMPT TEXT")
                        .system("SECRET SYSTEM")
                        .maxTokens(512)
                        .metadata(Map.of("k", "SECRET META")))
                .progress(p -> p.status(JobStatus.SUCCEEDED)
                        .createdAt(T0)
                        .startedAt(T0.plusMillis(250))
                        .finishedAt(T0.plusMillis(4250))
                        .attempts(2)
                        .result(new Job.Result("SECRET ANSWER", "end_turn")))
                .accounting(ac -> ac.usage(new Job.Usage(3000, 2000)).costUsd(new BigDecimal("0.0429")))
                .build();
    }

    @Test
    void aFinishedJobIsOneEmfRecordWithTokensCostLatencyAndQueueAgeByTierAndModel() {
        metrics.jobFinished(finished());
        List<JsonNode> lines = lines();
        assertEquals(1, lines.size());
        JsonNode r = lines.get(0);
        JsonNode directive = r.path("_aws").path("CloudWatchMetrics").get(0);
        assertEquals(T0.toEpochMilli(), r.path("_aws").path("Timestamp").asLong());
        assertEquals("BedrockJobs", directive.path("Namespace").asText());
        assertEquals(
                "[[\"Service\",\"Tier\",\"Model\"],[\"Service\"]]",
                directive.path("Dimensions").toString());
        List<String> names = new ArrayList<>();
        directive.path("Metrics").forEach(m -> names.add(m.path("Name").asText()));
        assertEquals(
                List.of(
                        "JobsSucceeded",
                        "Attempts",
                        "InputTokens",
                        "OutputTokens",
                        "CostUsd",
                        "QueueAge",
                        "ModelLatency"),
                names);
        // every metric and dimension named in the directive has its value at the top level, as EMF requires
        names.forEach(n -> assertTrue(r.has(n), n));
        for (String d : List.of("Service", "Tier", "Model")) {
            assertTrue(r.path(d).isTextual(), d);
        }
        assertEquals(1, r.path("JobsSucceeded").asLong());
        assertEquals(3000, r.path("InputTokens").asLong());
        assertEquals(2000, r.path("OutputTokens").asLong());
        assertEquals(0.0429, r.path("CostUsd").asDouble(), 1e-9);
        assertEquals(250, r.path("QueueAge").asLong());
        assertEquals(4000, r.path("ModelLatency").asLong());
        assertEquals(2, r.path("Attempts").asLong());
        assertEquals("job_01KB2M7Q9ZT3W6X8Y0A1B2C3D4", r.path("jobId").asText());
        assertEquals("tenant-a", r.path("tenantId").asText());
    }

    @Test
    void promptsResultsAndMetadataNeverReachTheRecord() {
        metrics.jobSubmitted(finished());
        metrics.jobFinished(finished());
        assertFalse(bytes.toString(StandardCharsets.UTF_8).contains("SECRET"), bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void failuresCarryTheirCodeAndWebhookAttemptsCountDeliveredOrNot() {
        metrics.jobFinished(finished().toBuilder()
                .progress(p -> p.status(JobStatus.FAILED).result(null).error(new Job.Error("retries_exhausted", "x")))
                .accounting(ac -> ac.usage(null).costUsd(null))
                .build());
        metrics.webhookAttempt("job.succeeded", true, 120);
        metrics.webhookAttempt("job.succeeded", false, 3000);
        List<JsonNode> lines = lines();
        assertEquals(1, lines.get(0).path("JobsFailed").asLong());
        assertEquals("retries_exhausted", lines.get(0).path("errorCode").asText());
        assertFalse(lines.get(0).has("InputTokens"));
        assertEquals(1, lines.get(1).path("WebhookDeliveries").asLong());
        assertEquals(1, lines.get(2).path("WebhookFailures").asLong());
        assertEquals(
                "[[\"Service\"]]",
                lines.get(2)
                        .path("_aws")
                        .path("CloudWatchMetrics")
                        .get(0)
                        .path("Dimensions")
                        .toString());
    }

    @Test
    void noNamespaceOrDisabledMeansNoMetrics() {
        assertSame(JobMetrics.NONE, EmfJobMetrics.fromEnvironment(Map.of()));
        assertSame(
                JobMetrics.NONE,
                EmfJobMetrics.fromEnvironment(
                        Map.of(EmfJobMetrics.NAMESPACE, "BedrockJobs", EmfJobMetrics.DISABLED, "true")));
        assertTrue(
                EmfJobMetrics.fromEnvironment(Map.of(EmfJobMetrics.NAMESPACE, "BedrockJobs")) instanceof EmfJobMetrics);
    }
}
