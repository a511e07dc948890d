package dev.bedrockjobs.local.emulators.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** The InvokeModel request and response bodies of one provider family. */
interface ModelProtocol {

    /**
     * Validates a request body the way Bedrock does for this family.
     *
     * @throws BedrockError a ValidationException for a body the real service would refuse
     */
    ModelRequest parse(String modelId, JsonNode body);

    /** The response body, shaped exactly like the family's real one. */
    ObjectNode render(String modelId, ModelRequest request, Completion completion, long latencyMillis);

    /**
     * The chunk bodies InvokeModelWithResponseStream sends for the same answer, shaped like the family's real ones,
     * one delta per piece. The caller adds Bedrock's {@code amazon-bedrock-invocationMetrics} to the last one.
     *
     * @param pieces the completion's text, cut as {@link TextPiece#split} cuts it
     */
    List<StreamChunk> stream(String modelId, ModelRequest request, Completion completion, List<TextPiece> pieces);
}
