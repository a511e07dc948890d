package dev.bedrockjobs.core.view;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.domain.Batch;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.Json;
import java.util.List;

/** The contract's batch view, and the one-line-per-item results format. */
public final class BatchViews {
    private BatchViews() {}

    public static ObjectNode view(Batch b, List<Job> jobs, String nextCursor) {
        ObjectNode n = Json.object();
        n.put("id", b.id());
        n.put("status", b.status().wire());
        n.put("createdAt", b.createdAt().toString());
        if (b.finishedAt() != null) {
            n.put("finishedAt", b.finishedAt().toString());
        }
        n.put("done", b.settled());
        ObjectNode counts = n.putObject("counts");
        counts.put("total", b.total());
        counts.put("queued", b.queued());
        counts.put("running", b.running());
        counts.put("succeeded", b.succeeded());
        counts.put("failed", b.failed());
        counts.put("canceled", b.canceled());
        n.putObject("usage").put("inputTokens", b.inputTokens()).put("outputTokens", b.outputTokens());
        n.putObject("cost").put("usd", b.costUsd());
        if (b.webhookUrl() != null) {
            n.putObject("webhook").put("url", b.webhookUrl());
        }
        ArrayNode list = n.putArray("jobs");
        for (Job j : jobs) {
            ObjectNode item = list.addObject()
                    .put("id", j.id())
                    .put("customId", j.request().customId())
                    .put("status", j.progress().status().wire());
            if (j.progress().cancelRequested() && !j.progress().status().isTerminal()) {
                item.put("cancelRequested", true);
            }
        }
        if (nextCursor == null) {
            n.putNull("nextCursor");
        } else {
            n.put("nextCursor", nextCursor);
        }
        return n;
    }

    /** One results line: what a collector needs of an item, failures included with their codes. */
    public static ObjectNode resultLine(Job j) {
        ObjectNode n = Json.object();
        n.put("customId", j.request().customId());
        n.put("jobId", j.id());
        n.put("status", j.progress().status().wire());
        if (j.progress().result() != null) {
            n.put("text", j.progress().result().text());
            n.put("stopReason", j.progress().result().stopReason());
        }
        JobViews.putUsageCostAndError(n, j);
        return n;
    }
}
