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
        n.put("status", j.status().wire());
        n.put("model", j.tier());
        n.put("priority", j.lane().wire());
        n.put("createdAt", j.createdAt().toString());
        if (j.startedAt() != null) {
            n.put("startedAt", j.startedAt().toString());
        }
        if (j.finishedAt() != null) {
            n.put("finishedAt", j.finishedAt().toString());
        }
        n.put("attempts", j.attempts());
        if (j.batchId() != null) {
            n.put("batchId", j.batchId());
            if (j.customId() != null) {
                n.put("customId", j.customId());
            }
        }
        if (!j.metadata().isEmpty()) {
            ObjectNode md = n.putObject("metadata");
            j.metadata().forEach(md::put);
        }
        if (j.cancelRequested() && !j.status().isTerminal()) {
            n.put("cancelRequested", true);
        }
        if (j.cached()) {
            n.put("cached", true); // answered from the response cache: no model call, no usage
        }
        if (j.result() != null) {
            n.putObject("result")
                    .put("text", j.result().text())
                    .put("stopReason", j.result().stopReason());
        }
        if (j.usage() != null) {
            n.putObject("usage")
                    .put("inputTokens", j.usage().inputTokens())
                    .put("outputTokens", j.usage().outputTokens());
        }
        if (j.costUsd() != null) {
            n.putObject("cost").put("usd", j.costUsd());
        }
        if (j.error() != null) {
            n.putObject("error")
                    .put("code", j.error().code())
                    .put("message", j.error().message());
        }
        if (j.webhookUrl() != null) {
            // Delivery counts are added by the status route; the view itself is also a webhook's data and must not
            // change between attempts of one event.
            n.putObject("webhook").put("url", j.webhookUrl());
        }
        return n;
    }

    /** The terminal event of a job that asked for a webhook: its data is the job view. */
    public static WebhookEvent webhookEvent(Job job) {
        if (job.webhookUrl() == null) {
            throw new IllegalArgumentException("job " + job.id() + " has no webhook URL");
        }
        Instant at = job.finishedAt() != null ? job.finishedAt() : Instant.now();
        return WebhookEvent.of(WebhookEvent.Type.forJob(job.status()), job.tenantId(), job.webhookUrl(), at, view(job));
    }
}
