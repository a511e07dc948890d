package dev.bedrockjobs.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.domain.Json;

import static dev.bedrockjobs.core.model.ReplyFields.optionalText;
import static dev.bedrockjobs.core.model.ReplyFields.requireArray;
import static dev.bedrockjobs.core.model.ReplyFields.requireObject;
import static dev.bedrockjobs.core.model.ReplyFields.requireText;
import static dev.bedrockjobs.core.model.ReplyFields.requireTokenCount;

/**
 * Amazon Nova (v1 understanding models) through the messages-v1 InvokeModel schema, as
 * https://docs.aws.amazon.com/nova/latest/userguide/complete-request-schema.html documents it.
 */
public final class NovaCodec implements ModelCodec {

    static final String SCHEMA_VERSION = "messages-v1";

    NovaCodec() {
    }

    @Override
    public ModelFamily family() {
        return ModelFamily.NOVA;
    }

    @Override
    public ObjectNode requestBody(ModelRequest request) {
        ObjectNode body = Json.object();
        body.put("schemaVersion", SCHEMA_VERSION);
        if (request.system() != null) {
            body.putArray("system").addObject().put("text", request.system());
        }
        ObjectNode message = body.putArray("messages").addObject();
        message.put("role", "user");
        message.putArray("content").addObject().put("text", request.prompt());
        // the Nova user guide's complete request schema names it maxTokens; its first edition's max_new_tokens is
        // no longer documented
        ObjectNode inferenceConfig = body.putObject("inferenceConfig");
        inferenceConfig.put("maxTokens", request.maxTokens());
        if (request.temperature() != null) {
            inferenceConfig.put("temperature", request.temperature());
        }
        return body;
    }

    @Override
    public ModelReply readReply(JsonNode responseBody) {
        JsonNode body = requireObject(responseBody, family());
        JsonNode content = requireArray(body, "/output/message/content", family());
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < content.size(); i++) {
            // reasoningContent, toolUse and image blocks carry no answer text
            if (content.get(i).has("text")) {
                text.append(requireText(body, "/output/message/content/" + i + "/text", family()));
            }
        }
        String rawStopReason = optionalText(body, "/stopReason", family());
        return new ModelReply(
                text.toString(),
                normalize(rawStopReason),
                rawStopReason,
                requireTokenCount(body, "/usage/inputTokens", family()),
                requireTokenCount(body, "/usage/outputTokens", family()),
                false);
    }

    private static StopReason normalize(String rawStopReason) {
        if (rawStopReason == null) {
            return StopReason.OTHER;
        }
        return switch (rawStopReason) {
            case "end_turn" -> StopReason.END_TURN;
            case "max_tokens" -> StopReason.MAX_TOKENS;
            case "stop_sequence" -> StopReason.STOP_SEQUENCE;
            case "content_filtered", "guardrail_intervened" -> StopReason.CONTENT_FILTERED;
            default -> StopReason.OTHER;
        };
    }
}
