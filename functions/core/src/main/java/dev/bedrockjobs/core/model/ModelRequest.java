package dev.bedrockjobs.core.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * What a job asks of a model, independent of the provider family that will answer it.
 *
 * @param prompt      the user's prompt, required and not blank
 * @param system      optional system instructions; blank is treated as absent
 * @param maxTokens   upper bound on generated tokens, at least 1
 * @param temperature optional sampling temperature in [0, 1], the range every supported family accepts
 */
public record ModelRequest(String prompt, String system, int maxTokens, Double temperature) {

    public ModelRequest {
        Objects.requireNonNull(prompt, "prompt");
        if (prompt.isBlank()) {
            throw new IllegalArgumentException("prompt must not be blank");
        }
        if (system != null && system.isBlank()) {
            system = null;
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be at least 1, was " + maxTokens);
        }
        if (temperature != null && !(temperature >= 0.0 && temperature <= 1.0)) {
            throw new IllegalArgumentException("temperature must be between 0 and 1, was " + temperature);
        }
    }

    public static ModelRequest of(String prompt, int maxTokens) {
        return new ModelRequest(prompt, null, maxTokens, null);
    }

    /** Sets {@code temperature} on a request body, or leaves it out so that the family's default applies. */
    void putTemperature(ObjectNode target) {
        if (temperature != null) {
            target.put("temperature", temperature);
        }
    }
}
