package dev.bedrockjobs.core.domain;

import java.util.Map;

/**
 * A validated request for one model call, with defaults already applied (tier, max tokens). Batch items and single
 * jobs share it. {@code cache} is the request's own choice about the response cache; null leaves it to the tenant.
 */
public record JobRequest(
        String prompt,
        String system,
        String tier,
        int maxTokens,
        Double temperature,
        Map<String, String> metadata,
        String webhookUrl,
        String idempotencyKey,
        Boolean cache) {

    public JobRequest {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }
}
