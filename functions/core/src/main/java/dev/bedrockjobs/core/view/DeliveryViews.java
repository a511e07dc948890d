package dev.bedrockjobs.core.view;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.domain.DeliveryAttempt;
import dev.bedrockjobs.core.domain.Json;
import java.util.List;

/** What {@code GET /v1/jobs/{id}/webhook-deliveries} shows of the delivery log: {@code {items: [...]}}. */
public final class DeliveryViews {
    private DeliveryViews() {}

    public static ObjectNode list(List<DeliveryAttempt> attempts) {
        ObjectNode n = Json.object();
        ArrayNode items = n.putArray("items");
        attempts.forEach(a -> items.add(view(a)));
        return n;
    }

    public static ObjectNode view(DeliveryAttempt a) {
        ObjectNode n = Json.object();
        n.put("eventId", a.eventId());
        n.put("eventType", a.eventType());
        n.put("attempt", a.attempt());
        n.put("at", a.at().toString());
        n.put("url", a.url());
        n.put("outcome", a.outcome().wire());
        if (a.httpStatus() == null) {
            n.putNull("httpStatus");
        } else {
            n.put("httpStatus", a.httpStatus());
        }
        n.put("durationMs", a.durationMs());
        if (a.error() != null) {
            n.put("error", a.error());
        }
        if (a.retryAfterSeconds() != null) {
            n.put("retryAfterSeconds", a.retryAfterSeconds());
        }
        if (a.nextAttemptAt() != null) {
            n.put("nextAttemptAt", a.nextAttemptAt().toString());
        }
        return n;
    }
}
