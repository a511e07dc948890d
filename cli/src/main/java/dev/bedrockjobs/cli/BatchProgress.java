package dev.bedrockjobs.cli;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a batch view says about progress.
 *
 * @param done       the batch's {@code done} flag: every item is terminal
 * @param etaSeconds the service's estimate of the seconds left, null when it has none
 */
record BatchProgress(
        String id,
        String status,
        long total,
        long queued,
        long running,
        long succeeded,
        long failed,
        long canceled,
        long inputTokens,
        long outputTokens,
        double costUsd,
        boolean done,
        Long etaSeconds) {

    static BatchProgress of(JsonNode view) {
        JsonNode done = view.get("done");
        JsonNode eta = view.get("etaSeconds");
        String status = Json.text(view, "status");
        return new BatchProgress(
                Json.text(view, "id"),
                status,
                Json.count(view, "counts", "total"),
                Json.count(view, "counts", "queued"),
                Json.count(view, "counts", "running"),
                Json.count(view, "counts", "succeeded"),
                Json.count(view, "counts", "failed"),
                Json.count(view, "counts", "canceled"),
                Json.count(view, "usage", "inputTokens"),
                Json.count(view, "usage", "outputTokens"),
                Json.usd(view),
                (done != null && done.isBoolean()) ? done.booleanValue() : status != null && !"running".equals(status),
                eta != null && eta.canConvertToLong() ? eta.longValue() : null);
    }

    /** Items in a terminal state. */
    long finished() {
        return succeeded + failed + canceled;
    }
}
