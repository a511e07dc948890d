package dev.bedrockjobs.core.domain;

import java.util.Map;

/**
 * A validated request for one model call, with defaults already applied (tier, max tokens). Batch items and single
 * jobs share it.
 */
public record JobRequest(
        String prompt,
        String system,
        String tier,
        int maxTokens,
        Double temperature,
        Map<String, String> metadata,
        String webhookUrl,
        String idempotencyKey) {

    public JobRequest {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }
}
