package dev.bedrockjobs.core.model;

import static dev.bedrockjobs.core.model.ReplyFields.estimateTokens;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One answer read as it streams: each chunk of an InvokeModelWithResponseStream call, in its family's own streaming
 * events, gives the text it adds; at the end, the whole reply. The text is exactly what {@link ModelCodec#readReply}
 * reads from the same answer not streamed, so a streamed job stores the same result; the token counts come from the
 * invocation metrics Bedrock adds to the last chunk of every family, else from the family's own events, else they
 * are estimated and flagged as such. Not thread-safe: one decoder per call, chunks in order.
 */
public abstract class StreamDecoder {
    private final FamilyCodec codec;
    private final boolean stripsLeadingSpace;
    private final StringBuilder text = new StringBuilder();
    /** Everything the model sent, the white space a family's reading drops included: what its estimate counts. */
    private long receivedCodePoints;

    private String rawStopReason;
    private long inputTokens = -1;
    private long outputTokens = -1;
    private boolean metricsSeen;

    /**
     * @param stripsLeadingSpace the family's non-streamed reading drops the white space its answers begin with
     */
    StreamDecoder(FamilyCodec codec, boolean stripsLeadingSpace) {
        this.codec = codec;
        this.stripsLeadingSpace = stripsLeadingSpace;
    }

    /**
     * Reads one chunk.
     *
     * @return the text it adds to the answer, possibly empty
     */
    public final String accept(JsonNode chunk) {
        JsonNode metrics = chunk.path("amazon-bedrock-invocationMetrics");
        if (metrics.isObject()) {
            metricsSeen = true;
            inputTokens = metrics.path("inputTokenCount").asLong(inputTokens);
            outputTokens = metrics.path("outputTokenCount").asLong(outputTokens);
        }
        String delta = read(chunk);
        if (delta == null) {
            return "";
        }
        receivedCodePoints += delta.codePointCount(0, delta.length());
        if (stripsLeadingSpace && text.isEmpty()) {
            delta = delta.stripLeading();
        }
        text.append(delta);
        return delta;
    }

    /** The family's part: the text the chunk adds (null for none), noting any stop reason and counts it carries. */
    abstract String read(JsonNode chunk);

    final void stopReason(String raw) {
        if (raw != null) {
            rawStopReason = raw;
        }
    }

    /** Counts from the family's own events; the invocation metrics, when they come, take precedence. */
    final void inputTokens(JsonNode count) {
        if (!metricsSeen && count.canConvertToLong()) {
            inputTokens = count.asLong();
        }
    }

    final void outputTokens(JsonNode count) {
        if (!metricsSeen && count.canConvertToLong()) {
            outputTokens = count.asLong();
        }
    }

    /** The text so far. */
    public final String text() {
        return text.toString();
    }

    /**
     * The reply as read so far: after the last chunk, the whole answer; after a stream broke off, what came of it
     * (its stop reason {@link StopReason#OTHER} unless the model had sent one).
     *
     * @param request what was asked, for estimating the prompt's tokens when no count came
     */
    public final ModelReply reply(ModelRequest request) {
        String answer = text.toString();
        boolean estimated = inputTokens < 0 || outputTokens < 0;
        return new ModelReply(
                answer,
                codec.stopReason(rawStopReason),
                rawStopReason,
                inputTokens >= 0 ? inputTokens : estimatedInputTokens(request),
                outputTokens >= 0 ? outputTokens : estimateTokens(receivedCodePoints),
                estimated);
    }

    /** When no count came: from the prompt's length, as the family's codec estimates it. */
    long estimatedInputTokens(ModelRequest request) {
        return estimateTokens(request.prompt() + (request.system() == null ? "" : request.system()));
    }
}
