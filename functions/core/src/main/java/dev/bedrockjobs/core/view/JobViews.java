package dev.bedrockjobs.core.view;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.domain.WebhookEvent;
import java.time.Instant;

/** The contract's job view: what clients see of a job (never the prompt, the fencing token or the lease). */
public final class JobViews {
    private JobViews() {}

    public static ObjectNode view(Job j) {
        ObjectNode n = Json.object();
        n.put("id", j.id());
        n.put("status", j.progress().status().wire());
        n.put("model", j.request().tier());
        n.put("priority", j.request().lane().wire());
        if (j.request().stream()) {
            n.put("stream", true); // its answer can be read as it is written: GET /v1/jobs/{id}/output
        }
        n.put("createdAt", j.progress().createdAt().toString());
        if (j.progress().startedAt() != null) {
            n.put("startedAt", j.progress().startedAt().toString());
        }
        if (j.progress().finishedAt() != null) {
            n.put("finishedAt", j.progress().finishedAt().toString());
        }
        n.put("attempts", j.progress().attempts());
        if (j.request().batchId() != null) {
            n.put("batchId", j.request().batchId());
            if (j.request().customId() != null) {
                n.put("customId", j.request().customId());
            }
        }
        if (!j.request().metadata().isEmpty()) {
            ObjectNode md = n.putObject("metadata");
            j.request().metadata().forEach(md::put);
        }
        if (j.progress().cancelRequested() && !j.progress().status().isTerminal()) {
            n.put("cancelRequested", true);
        }
        if (j.accounting().cached()) {
            n.put("cached", true); // answered from the response cache: no model call, no usage
        }
        if (j.progress().result() != null) {
            n.putObject("result")
                    .put("text", j.progress().result().text())
                    .put("stopReason", j.progress().result().stopReason());
        }
        putUsageCostAndError(n, j);
        if (j.request().webhookUrl() != null) {
            // Delivery counts are added by the status route; the view itself is also a webhook's data and must not
            // change between attempts of one event.
            n.putObject("webhook").put("url", j.request().webhookUrl());
        }
        return n;
    }

    /** How a job ended, for the last server-sent event of its answer: its status, usage, cost and error. */
    public static ObjectNode outcome(Job j) {
        ObjectNode n = Json.object();
        n.put("jobId", j.id());
        n.put("status", j.progress().status().wire());
        putUsageCostAndError(n, j);
        return n;
    }

    /** What a job used, cost and why it failed, in the job view's words; the batch results lines use the same. */
    static void putUsageCostAndError(ObjectNode n, Job j) {
        if (j.accounting().usage() != null) {
            n.putObject("usage")
                    .put("inputTokens", j.accounting().usage().inputTokens())
                    .put("outputTokens", j.accounting().usage().outputTokens());
        }
        if (j.accounting().costUsd() != null) {
            n.putObject("cost").put("usd", j.accounting().costUsd());
        }
        if (j.progress().error() != null) {
            n.putObject("error")
                    .put("code", j.progress().error().code())
                    .put("message", j.progress().error().message());
        }
    }

    /** The terminal event of a job that asked for a webhook: its data is the job view. */
    public static WebhookEvent webhookEvent(Job job) {
        if (job.request().webhookUrl() == null) {
            throw new IllegalArgumentException("job " + job.id() + " has no webhook URL");
        }
        Instant at = job.progress().finishedAt() != null ? job.progress().finishedAt() : Instant.now();
        return WebhookEvent.of(
                WebhookEvent.Type.forJob(job.progress().status()),
                job.tenantId(),
                job.request().webhookUrl(),
                at,
                view(job));
    }
}
