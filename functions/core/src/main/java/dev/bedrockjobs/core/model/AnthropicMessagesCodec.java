package dev.bedrockjobs.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.domain.Json;

import static dev.bedrockjobs.core.model.ReplyFields.optionalText;
import static dev.bedrockjobs.core.model.ReplyFields.requireArray;
import static dev.bedrockjobs.core.model.ReplyFields.requireObject;
import static dev.bedrockjobs.core.model.ReplyFields.requireText;
import static dev.bedrockjobs.core.model.ReplyFields.requireTokenCount;

/** Anthropic Claude through the Messages API body that Bedrock InvokeModel accepts. */
public final class AnthropicMessagesCodec implements ModelCodec {

    static final String ANTHROPIC_VERSION = "bedrock-2023-05-31";

    AnthropicMessagesCodec() {
    }

    @Override
    public ModelFamily family() {
        return ModelFamily.ANTHROPIC;
    }

    @Override
    public ObjectNode requestBody(ModelRequest request) {
        ObjectNode body = Json.object();
        body.put("anthropic_version", ANTHROPIC_VERSION);
        body.put("max_tokens", request.maxTokens());
        if (request.system() != null) {
            body.put("system", request.system());
        }
        ObjectNode message = body.putArray("messages").addObject();
        message.put("role", "user");
        message.putArray("content").addObject()
                .put("type", "text")
                .put("text", request.prompt());
        if (request.temperature() != null) {
            body.put("temperature", request.temperature());
        }
        return body;
    }

    @Override
    public ModelReply readReply(JsonNode responseBody) {
        JsonNode body = requireObject(responseBody, family());
        JsonNode content = requireArray(body, "/content", family());
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < content.size(); i++) {
            // tool_use and thinking blocks carry no answer text
            if ("text".equals(content.get(i).path("type").asText())) {
                text.append(requireText(body, "/content/" + i + "/text", family()));
            }
        }
        String rawStopReason = optionalText(body, "/stop_reason", family());
        return new ModelReply(
                text.toString(),
                normalize(rawStopReason),
                rawStopReason,
                requireTokenCount(body, "/usage/input_tokens", family()),
                requireTokenCount(body, "/usage/output_tokens", family()),
                false);
    }

    private static StopReason normalize(String rawStopReason) {
        if (rawStopReason == null) {
            return StopReason.OTHER;
        }
        return switch (rawStopReason) {
            case "end_turn" -> StopReason.END_TURN;
            // both cut the answer short for lack of room
            case "max_tokens", "model_context_window_exceeded" -> StopReason.MAX_TOKENS;
            case "stop_sequence" -> StopReason.STOP_SEQUENCE;
            // Claude's safety classifiers stopped the answer
            case "refusal" -> StopReason.CONTENT_FILTERED;
            default -> StopReason.OTHER;
        };
    }
}
