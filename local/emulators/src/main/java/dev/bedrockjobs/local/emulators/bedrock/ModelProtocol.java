package dev.bedrockjobs.local.emulators.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

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
}
