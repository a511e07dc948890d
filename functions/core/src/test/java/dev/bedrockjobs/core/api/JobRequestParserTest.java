package dev.bedrockjobs.core.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bedrockjobs.core.domain.FieldError;
import dev.bedrockjobs.core.domain.JobRequest;
import dev.bedrockjobs.core.domain.RequestLimits;
import dev.bedrockjobs.core.domain.ValidationException;
import dev.bedrockjobs.core.model.ModelCatalog;
import dev.bedrockjobs.core.webhook.WebhookUrlPolicy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobRequestParserTest {
    private final JobRequestParser parser =
            new JobRequestParser(ModelCatalog.from(Map.of()), RequestLimits.DEFAULT, new WebhookUrlPolicy(false));

    private List<String> fieldsOf(String body) {
        ValidationException e = assertThrows(ValidationException.class, () -> parser.parseJob(body, null));
        return e.errors().stream().map(FieldError::field).toList();
    }

    @Test
    void minimalRequestGetsDefaults() {
        JobRequest r = parser.parseJob("{\"prompt\":\"hello\"}", null);
        assertEquals("hello", r.prompt());
        assertEquals("standard", r.tier());
        assertEquals(1024, r.maxTokens());
        assertNull(r.temperature());
        assertNull(r.idempotencyKey());
        assertTrue(r.metadata().isEmpty());
    }

    @Test
    void everyFieldIsRead() {
        JobRequest r = parser.parseJob("""
                {"prompt":"p","system":"s","model":"fast","maxTokens":100,"temperature":0.3,
                 "metadata":{"repo":"payments"},"webhook":{"url":"https://hooks.example.com/x"},
                 "idempotencyKey":"k-1"}""", null);
        assertEquals("s", r.system());
        assertEquals("fast", r.tier());
        assertEquals(100, r.maxTokens());
        assertEquals(0.3, r.temperature());
        assertEquals(Map.of("repo", "payments"), r.metadata());
        assertEquals("https://hooks.example.com/x", r.webhookUrl());
        assertEquals("k-1", r.idempotencyKey());
    }

    @Test
    void everyBadFieldIsReportedAtOnce() {
        List<String> fields = fieldsOf("""
                {"prompt":"  ","model":"huge","maxTokens":"many","temperature":3,"temprature":0.2}""");
        assertEquals(List.of("temprature", "prompt", "model", "maxTokens", "temperature"), fields);
    }

    @Test
    void malformedJsonAndNonObjectsAreRefused() {
        assertEquals(List.of("body"), fieldsOf("{\"prompt\": \"x\""));
        assertEquals(List.of("body"), fieldsOf("[1,2]"));
        assertEquals(List.of("body"), fieldsOf(""));
        assertEquals(List.of("body"), fieldsOf("{\"prompt\":\"a\",\"prompt\":\"b\"}"));
        assertEquals(List.of("body"), fieldsOf("{\"prompt\":\"a\"} trailing"));
    }

    @Test
    void wrongTypesAreRefused() {
        assertEquals(List.of("prompt"), fieldsOf("{\"prompt\":42}"));
        assertEquals(List.of("maxTokens"), fieldsOf("{\"prompt\":\"x\",\"maxTokens\":1.5}"));
        assertEquals(List.of("maxTokens"), fieldsOf("{\"prompt\":\"x\",\"maxTokens\":100000}"));
        assertEquals(List.of("maxTokens"), fieldsOf("{\"prompt\":\"x\",\"maxTokens\":0}"));
        assertEquals(List.of("metadata"), fieldsOf("{\"prompt\":\"x\",\"metadata\":[\"a\"]}"));
        assertEquals(List.of("metadata.n"), fieldsOf("{\"prompt\":\"x\",\"metadata\":{\"n\":1}}"));
        assertEquals(List.of("webhook"), fieldsOf("{\"prompt\":\"x\",\"webhook\":\"https://a.example\"}"));
    }

    @Test
    void oversizedPromptAndMetadataAreRefused() {
        String big = "x".repeat(RequestLimits.DEFAULT.maxPromptBytes() + 1);
        assertEquals(List.of("prompt"), fieldsOf("{\"prompt\":\"" + big + "\"}"));
        StringBuilder md = new StringBuilder("{");
        for (int i = 0; i < 17; i++) {
            md.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
        }
        assertEquals(List.of("metadata"), fieldsOf("{\"prompt\":\"x\",\"metadata\":" + md + "}}"));
        assertEquals(
                List.of("metadata." + "k".repeat(65)),
                fieldsOf("{\"prompt\":\"x\",\"metadata\":{\"" + "k".repeat(65) + "\":\"v\"}}"));
        assertEquals(
                List.of("metadata.k"), fieldsOf("{\"prompt\":\"x\",\"metadata\":{\"k\":\"" + "v".repeat(513) + "\"}}"));
    }

    @Test
    void idempotencyKeyComesFromBodyOrHeaderButMustAgree() {
        assertEquals("h", parser.parseJob("{\"prompt\":\"x\"}", "h").idempotencyKey());
        assertEquals(
                "h",
                parser.parseJob("{\"prompt\":\"x\",\"idempotencyKey\":\"h\"}", "h")
                        .idempotencyKey());
        ValidationException e = assertThrows(
                ValidationException.class, () -> parser.parseJob("{\"prompt\":\"x\",\"idempotencyKey\":\"a\"}", "b"));
        assertEquals("idempotencyKey", e.errors().get(0).field());
        e = assertThrows(ValidationException.class, () -> parser.parseJob("{\"prompt\":\"x\"}", "has space"));
        assertEquals("Idempotency-Key", e.errors().get(0).field());
    }

    @Test
    void webhookMustBeHttpsAndPublic() {
        assertEquals(List.of("webhook.url"), fieldsOf("{\"prompt\":\"x\",\"webhook\":{\"url\":\"http://a.example\"}}"));
        assertEquals(
                List.of("webhook.url"),
                fieldsOf("{\"prompt\":\"x\",\"webhook\":{\"url\":\"https://169.254.169.254/latest\"}}"));
        assertEquals(
                List.of("webhook.extra"),
                fieldsOf("{\"prompt\":\"x\",\"webhook\":{\"url\":\"https://a.example\",\"extra\":1}}"));
    }

    @Test
    void fingerprintIgnoresTheKeyAndSpellingOfDefaults() {
        String a = JobRequestParser.fingerprint(parser.parseJob("{\"prompt\":\"x\",\"idempotencyKey\":\"1\"}", null));
        String b = JobRequestParser.fingerprint(parser.parseJob("{\"model\":\"standard\",\"prompt\":\"x\"}", null));
        String c = JobRequestParser.fingerprint(parser.parseJob("{\"prompt\":\"y\"}", null));
        assertEquals(a, b);
        assertNotEquals(a, c);
    }

    @Test
    void cacheIsAnOptionalBooleanAndPartOfTheFingerprint() {
        assertEquals(null, parser.parseJob("{\"prompt\":\"x\"}", null).cache());
        assertEquals(
                true, parser.parseJob("{\"prompt\":\"x\",\"cache\":true}", null).cache());
        assertEquals(
                false,
                parser.parseJob("{\"prompt\":\"x\",\"cache\":false}", null).cache());
        assertEquals(List.of("cache"), fieldsOf("{\"prompt\":\"x\",\"cache\":\"yes\"}"));
        String plain = JobRequestParser.fingerprint(parser.parseJob("{\"prompt\":\"x\"}", null));
        String cached = JobRequestParser.fingerprint(parser.parseJob("{\"prompt\":\"x\",\"cache\":true}", null));
        assertNotEquals(plain, cached, "the same key with and without cache is a different request");
    }
}
