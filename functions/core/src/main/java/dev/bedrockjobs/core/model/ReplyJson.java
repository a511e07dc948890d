package dev.bedrockjobs.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.domain.Json;

/**
 * A {@link ModelReply} as JSON, the way the streaming task hands an answer it read to the worker through the state
 * machine's output: {@code {text, stopReason, rawStopReason, inputTokens, outputTokens, tokensEstimated}}.
 */
public final class ReplyJson {
    private ReplyJson() {}

    public static ObjectNode write(ModelReply reply) {
        ObjectNode n = Json.object();
        n.put("text", reply.text());
        n.put("stopReason", reply.stopReason().value());
        n.put("rawStopReason", reply.rawStopReason());
        n.put("inputTokens", reply.inputTokens());
        n.put("outputTokens", reply.outputTokens());
        n.put("tokensEstimated", reply.tokensEstimated());
        return n;
    }

    /** @throws ModelReplyException when the JSON is not a reply this class wrote */
    public static ModelReply read(JsonNode n) {
        if (n == null || !n.isObject() || !n.path("text").isTextual()) {
            throw new ModelReplyException("streamed answer: not a reply: " + n);
        }
        StopReason stop = StopReason.fromValue(n.path("stopReason").asText(null));
        return new ModelReply(
                n.path("text").textValue(),
                stop,
                n.path("rawStopReason").textValue(),
                n.path("inputTokens").asLong(),
                n.path("outputTokens").asLong(),
                n.path("tokensEstimated").asBoolean());
    }
}
