package dev.bedrockjobs.core.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bedrockjobs.core.domain.BatchRequest;
import dev.bedrockjobs.core.domain.FieldError;
import dev.bedrockjobs.core.domain.Ids;
import dev.bedrockjobs.core.domain.RequestLimits;
import dev.bedrockjobs.core.domain.ValidationException;
import dev.bedrockjobs.core.model.ModelCatalog;
import dev.bedrockjobs.core.webhook.WebhookUrlPolicy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BatchRequestParserTest {
    private final JobRequestParser parser =
            new JobRequestParser(ModelCatalog.from(Map.of()), RequestLimits.DEFAULT, new WebhookUrlPolicy(false));

    private List<String> fieldsOf(String body) {
        return assertThrows(ValidationException.class, () -> parser.parseBatch(body, null)).errors().stream()
                .map(FieldError::field)
                .toList();
    }

    @Test
    void itemsTakeTheDefaultsAndDefaultCustomIdsAreTheirIndex() {
        BatchRequest r = parser.parseBatch("""
                {"defaults": {"system": "Review code.", "model": "fast", "maxTokens": 300},
                 "items": [{"prompt": "a"}, {"customId": "src/Main.java", "prompt": "b", "model": "reasoning",
                            "system": "Be brief."}],
                 "webhook": {"url": "https://hooks.example.com/b"}, "idempotencyKey": "k"}""", null);
        assertEquals(2, r.items().size());
        assertEquals("0", r.items().get(0).customId());
        assertEquals("fast", r.items().get(0).request().tier());
        assertEquals("Review code.", r.items().get(0).request().system());
        assertEquals(300, r.items().get(0).request().maxTokens());
        assertEquals("src/Main.java", r.items().get(1).customId());
        assertEquals("reasoning", r.items().get(1).request().tier());
        assertEquals("Be brief.", r.items().get(1).request().system());
        assertEquals("https://hooks.example.com/b", r.webhookUrl());
        assertEquals("k", r.idempotencyKey());
    }

    @Test
    void theSystemPromptsABatchWouldStoreAreBounded() {
        String system = "s".repeat(RequestLimits.DEFAULT.maxSystemBytes());
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            items.append(i == 0 ? "" : ",").append("{\"prompt\": \"p\"}");
        }
        // a 20 KB default over 1000 items: 20 MB stored from one request of about 40 KB
        assertEquals(
                List.of("defaults.system"),
                fieldsOf("{\"defaults\": {\"system\": \"" + system + "\"}, \"items\": [" + items + "]}"));
        int fits = (int) (JobRequestParser.MAX_BATCH_SYSTEM_BYTES / system.length());
        String some = items.substring(0, fits * "{\"prompt\": \"p\"},".length() - 1);
        assertEquals(
                fits,
                parser.parseBatch("{\"defaults\": {\"system\": \"" + system + "\"}, \"items\": [" + some + "]}", null)
                        .items()
                        .size(),
                "up to the bound it is accepted");
    }

    @Test
    void everyBadItemIsReportedByIndexAndField() {
        List<String> fields = fieldsOf("""
                {"items": [{"prompt": "ok"}, {"prompt": ""}, {"prompt": "x", "model": "huge"}, 7,
                           {"customId": "0", "prompt": "dup"}, {"prompt": "x", "colour": "red"}]}""");
        assertEquals(
                List.of("items[1].prompt", "items[2].model", "items[3]", "items[4].customId", "items[5].colour"),
                fields);
    }

    @Test
    void emptyHugeOrMissingItemListsAreRefused() {
        assertEquals(List.of("items"), fieldsOf("{\"items\": []}"));
        assertEquals(List.of("items"), fieldsOf("{}"));
        StringBuilder many = new StringBuilder("{\"items\": [");
        for (int i = 0; i <= JobRequestParser.MAX_BATCH_ITEMS; i++) {
            many.append(i == 0 ? "" : ",").append("{\"prompt\":\"p\"}");
        }
        assertEquals(List.of("items"), fieldsOf(many + "]}"));
        assertEquals(
                List.of("defaults.color", "defaults.model"),
                fieldsOf("{\"defaults\": {\"model\": \"x\", \"color\": 1}, \"items\": [{\"prompt\": \"p\"}]}"));
    }

    @Test
    void theFingerprintFollowsContentAndOrder() {
        String a = JobRequestParser.fingerprint(
                parser.parseBatch("{\"items\":[{\"prompt\":\"1\"},{\"prompt\":\"2\"}]}", null));
        String b = JobRequestParser.fingerprint(
                parser.parseBatch("{\"items\":[{\"prompt\":\"2\"},{\"prompt\":\"1\"}]}", null));
        String c = JobRequestParser.fingerprint(parser.parseBatch(
                "{\"items\":[{\"prompt\":\"1\"},{\"prompt\":\"2\"}],\"idempotencyKey\":\"z\"}", null));
        assertNotEquals(a, b);
        assertEquals(a, c);
    }

    @Test
    void itemIdsAreStableAndDistinct() {
        String batch = Ids.newBatchId(java.time.Instant.parse("2026-11-27T10:00:00Z"));
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String id = Ids.jobIdInBatch(batch, i);
            assertEquals(true, Ids.isWellFormed(id, "job_"), id);
            assertEquals(id, Ids.jobIdInBatch(batch, i));
            ids.add(id);
        }
        assertEquals(1000, ids.size());
    }
}
