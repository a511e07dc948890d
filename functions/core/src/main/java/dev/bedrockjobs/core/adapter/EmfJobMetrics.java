package dev.bedrockjobs.core.adapter;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.port.JobMetrics;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link JobMetrics} as CloudWatch embedded metric format (EMF): one JSON line on standard output per fact, which
 * Lambda sends to CloudWatch Logs and CloudWatch turns into metrics, with no API call and no permission. Job metrics
 * carry the dimensions {@code [Service, Tier, Model]} and {@code [Service]} (totals for alarms); the job, batch and
 * tenant ids ride along as properties, searchable in Logs Insights without becoming dimensions.
 *
 * <p>Configured with Powertools' variable names, so a later move to Powertools' own EMF logger keeps the template:
 * {@code POWERTOOLS_METRICS_NAMESPACE} (no namespace, no metrics), {@code POWERTOOLS_SERVICE_NAME} and
 * {@code POWERTOOLS_METRICS_DISABLED}.
 */
public final class EmfJobMetrics implements JobMetrics {
    public static final String NAMESPACE = "POWERTOOLS_METRICS_NAMESPACE";
    public static final String SERVICE = "POWERTOOLS_SERVICE_NAME";
    public static final String DISABLED = "POWERTOOLS_METRICS_DISABLED";

    private static final List<List<String>> JOB_DIMENSIONS =
            List.of(List.of("Service", "Tier", "Model"), List.of("Service"));
    private static final List<List<String>> SERVICE_DIMENSION = List.of(List.of("Service"));

    private final String namespace;
    private final String service;
    private final PrintStream out;
    private final Clock clock;

    public EmfJobMetrics(String namespace, String service, PrintStream out, Clock clock) {
        this.namespace = namespace;
        this.service = service;
        this.out = out;
        this.clock = clock;
    }

    /** EMF on standard output when a namespace is set and metrics are not disabled; otherwise {@link #NONE}. */
    public static JobMetrics fromEnvironment(Map<String, String> env) {
        String namespace = env.get(NAMESPACE);
        if (namespace == null || namespace.isBlank() || Boolean.parseBoolean(env.get(DISABLED))) {
            return NONE;
        }
        String service = env.get(SERVICE);
        return new EmfJobMetrics(
                namespace.strip(),
                service == null || service.isBlank() ? "bedrock-jobs" : service,
                System.out,
                Clock.systemUTC());
    }

    private record Metric(String name, String unit, Number value) {}

    @Override
    public void jobSubmitted(Job job) {
        emit(JOB_DIMENSIONS, jobDimensions(job), List.of(new Metric("JobsSubmitted", "Count", 1)), ids(job));
    }

    @Override
    public void jobFinished(Job job) {
        String counter = switch (job.progress().status()) {
            case SUCCEEDED -> "JobsSucceeded";
            case FAILED -> "JobsFailed";
            case CANCELED -> "JobsCanceled";
            default -> null;
        };
        if (counter == null) {
            return;
        }
        List<Metric> metrics = new java.util.ArrayList<>();
        metrics.add(new Metric(counter, "Count", 1));
        metrics.add(new Metric("Attempts", "Count", job.progress().attempts()));
        if (job.accounting().usage() != null) {
            metrics.add(
                    new Metric("InputTokens", "Count", job.accounting().usage().inputTokens()));
            metrics.add(
                    new Metric("OutputTokens", "Count", job.accounting().usage().outputTokens()));
        }
        if (job.accounting().costUsd() != null) {
            metrics.add(new Metric("CostUsd", "None", job.accounting().costUsd().doubleValue()));
        }
        if (job.progress().createdAt() != null && job.progress().startedAt() != null) {
            metrics.add(new Metric(
                    "QueueAge",
                    "Milliseconds",
                    Math.max(
                            0,
                            Duration.between(
                                            job.progress().createdAt(),
                                            job.progress().startedAt())
                                    .toMillis())));
        }
        if (job.progress().status() != JobStatus.CANCELED
                && job.progress().startedAt() != null
                && job.progress().finishedAt() != null) {
            // claim to finish: the model call with its retries, as the worker waited for it
            metrics.add(new Metric(
                    "ModelLatency",
                    "Milliseconds",
                    Math.max(
                            0,
                            Duration.between(
                                            job.progress().startedAt(),
                                            job.progress().finishedAt())
                                    .toMillis())));
        }
        Map<String, String> properties = ids(job);
        if (job.progress().error() != null) {
            properties.put("errorCode", job.progress().error().code());
        }
        emit(JOB_DIMENSIONS, jobDimensions(job), metrics, properties);
    }

    @Override
    public void webhookAttempt(String eventType, boolean delivered, long durationMs) {
        emit(
                SERVICE_DIMENSION,
                Map.of(),
                List.of(
                        new Metric(delivered ? "WebhookDeliveries" : "WebhookFailures", "Count", 1),
                        new Metric("WebhookLatency", "Milliseconds", durationMs)),
                Map.of("eventType", eventType));
    }

    private static Map<String, String> jobDimensions(Job job) {
        return Map.of(
                "Tier",
                String.valueOf(job.request().tier()),
                "Model",
                String.valueOf(job.request().modelId()));
    }

    /** Correlation ids only: never the prompt, the system prompt, the result or the metadata. */
    private static Map<String, String> ids(Job job) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("jobId", job.id());
        p.put("tenantId", job.tenantId());
        if (job.request().batchId() != null) {
            p.put("batchId", job.request().batchId());
        }
        return p;
    }

    private void emit(
            List<List<String>> dimensionSets,
            Map<String, String> dimensions,
            List<Metric> metrics,
            Map<String, String> properties) {
        ObjectNode root = Json.object();
        ObjectNode aws = root.putObject("_aws");
        aws.put("Timestamp", clock.millis());
        ObjectNode directive = aws.putArray("CloudWatchMetrics").addObject();
        directive.put("Namespace", namespace);
        ArrayNode sets = directive.putArray("Dimensions");
        dimensionSets.forEach(set -> set.forEach(sets.addArray()::add));
        ArrayNode definitions = directive.putArray("Metrics");
        for (Metric m : metrics) {
            definitions.addObject().put("Name", m.name()).put("Unit", m.unit());
        }
        root.put("Service", service);
        dimensions.forEach(root::put);
        properties.forEach(root::put);
        for (Metric m : metrics) {
            if (m.value() instanceof Double d) {
                root.put(m.name(), d);
            } else {
                root.put(m.name(), m.value().longValue());
            }
        }
        String line = Json.write(root);
        synchronized (out) {
            out.println(line);
        }
    }
}
