package dev.bedrockjobs.core.domain;

import java.util.Map;

/**
 * A validated request for one model call, with defaults already applied (tier, max tokens). Batch items and single
 * jobs share it. {@code cache} is the request's own choice about the response cache; null leaves it to the tenant.
 * {@code lane} is the queue it asked for; null takes the default of its kind (interactive for a job, bulk for a batch).
 * {@code stream} asks for the answer to be stored piece by piece as the model writes it.
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
        Boolean cache,
        Lane lane,
        boolean stream) {

    public JobRequest {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }
}
