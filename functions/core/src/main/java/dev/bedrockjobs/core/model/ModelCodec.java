package dev.bedrockjobs.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Builds one family's InvokeModel request body and reads its response body. Implementations are stateless. */
public interface ModelCodec {

    ModelFamily family();

    ObjectNode requestBody(ModelRequest request);

    /**
     * Reads text, stop reason and token usage.
     *
     * @throws ModelReplyException when the body is not shaped as the family documents
     */
    ModelReply readReply(JsonNode responseBody);

    /**
     * As {@link #readReply(JsonNode)}, with the request at hand for families whose body reports no usage and whose
     * input tokens must therefore be estimated from the prompt. Callers that have the request should prefer this.
     */
    default ModelReply readReply(JsonNode responseBody, ModelRequest request) {
        return readReply(responseBody);
    }

    /** A decoder for one answer of this family read as it streams (InvokeModelWithResponseStream). */
    StreamDecoder streamDecoder();
}
