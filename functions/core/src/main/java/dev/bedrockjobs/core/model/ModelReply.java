package dev.bedrockjobs.core.model;

import java.util.Objects;

/**
 * A model's answer read from an InvokeModel response body.
 *
 * @param text            generated text, possibly empty
 * @param stopReason      normalized stop reason
 * @param rawStopReason   the provider's own stop reason, null when the body had none
 * @param inputTokens     prompt tokens
 * @param outputTokens    generated tokens
 * @param tokensEstimated true when the body carries no usage and the counts were estimated from text length
 */
public record ModelReply(
        String text,
        StopReason stopReason,
        String rawStopReason,
        long inputTokens,
        long outputTokens,
        boolean tokensEstimated) {

    public ModelReply {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(stopReason, "stopReason");
        if (inputTokens < 0 || outputTokens < 0) {
            throw new IllegalArgumentException("token counts must not be negative");
        }
    }

    public boolean truncated() {
        return stopReason == StopReason.MAX_TOKENS;
    }
}
