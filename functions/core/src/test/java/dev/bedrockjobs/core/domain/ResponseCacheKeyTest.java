package dev.bedrockjobs.core.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ResponseCacheKeyTest {
    private static JobRequest request(
            String prompt, String system, int maxTokens, Double temperature, Map<String, String> metadata) {
        return new JobRequest(prompt, system, "fast", maxTokens, temperature, metadata, null, null, true, null, false);
    }

    private final JobRequest base = request("Review this", "You review code", 512, 0.2, Map.of());
    private final String key = ResponseCacheKey.of("t", "model-a", base);

    @Test
    void everythingThatShapesTheAnswerChangesTheKey() {
        assertNotEquals(key, ResponseCacheKey.of("u", "model-a", base), "never shared across tenants");
        assertNotEquals(key, ResponseCacheKey.of("t", "model-b", base));
        assertNotEquals(
                key,
                ResponseCacheKey.of("t", "model-a", request("Review that", "You review code", 512, 0.2, Map.of())));
        assertNotEquals(key, ResponseCacheKey.of("t", "model-a", request("Review this", null, 512, 0.2, Map.of())));
        assertNotEquals(
                key,
                ResponseCacheKey.of("t", "model-a", request("Review this", "You review code", 513, 0.2, Map.of())));
        assertNotEquals(
                key,
                ResponseCacheKey.of("t", "model-a", request("Review this", "You review code", 512, null, Map.of())));
    }

    @Test
    void whatDoesNotShapeTheAnswerLeavesTheKeyAlone() {
        JobRequest tagged = new JobRequest(
                "Review this",
                "You review code",
                "fast",
                512,
                0.2,
                Map.of("repo", "x"),
                "https://example.com/hook",
                "key-1",
                null,
                Lane.BULK,
                true);
        assertEquals(key, ResponseCacheKey.of("t", "model-a", tagged));
        assertEquals(64, key.length());
    }

    @Test
    void fieldsCannotBleedIntoEachOther() {
        assertNotEquals(
                ResponseCacheKey.of("t", "m", request("b", "a", 1, null, Map.of())),
                ResponseCacheKey.of("t", "m", request("ab", "", 1, null, Map.of())));
        assertNotEquals(ResponseCacheKey.of("t#m", "x", base), ResponseCacheKey.of("t", "m#x", base));
    }
}
