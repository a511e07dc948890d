package dev.bedrockjobs.core.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.domain.DeliveryAttempt;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeliveryViewsTest {
    @Test
    void aListOfAttemptsAsTheApiShowsIt() {
        Instant t = Instant.parse("2026-11-27T10:00:00Z");
        DeliveryAttempt failed = new DeliveryAttempt(
                "msg_A",
                "job.succeeded",
                "https://h.example/x",
                1,
                t,
                120,
                null,
                "connection failed: refused",
                DeliveryAttempt.Outcome.RETRY,
                null,
                t.plusSeconds(4));
        DeliveryAttempt ok = new DeliveryAttempt(
                "msg_A",
                "job.succeeded",
                "https://h.example/x",
                2,
                t.plusSeconds(4),
                35,
                200,
                null,
                DeliveryAttempt.Outcome.DELIVERED,
                null,
                null);
        ObjectNode list = DeliveryViews.list(List.of(failed, ok));
        assertEquals(2, list.get("items").size());
        ObjectNode first = (ObjectNode) list.get("items").get(0);
        assertEquals("retry", first.get("outcome").asText());
        assertTrue(first.get("httpStatus").isNull());
        assertEquals("2026-11-27T10:00:04Z", first.get("nextAttemptAt").asText());
        ObjectNode second = (ObjectNode) list.get("items").get(1);
        assertEquals(200, second.get("httpStatus").asInt());
        assertEquals("delivered", second.get("outcome").asText());
        assertFalse(second.has("error"));
        assertEquals(2, second.get("attempt").asInt());
    }
}
