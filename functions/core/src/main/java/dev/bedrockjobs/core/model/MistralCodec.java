package dev.bedrockjobs.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.domain.Json;

import static dev.bedrockjobs.core.model.ReplyFields.estimateTokens;
import static dev.bedrockjobs.core.model.ReplyFields.optionalText;
import static dev.bedrockjobs.core.model.ReplyFields.requireArray;
import static dev.bedrockjobs.core.model.ReplyFields.requireObject;
import static dev.bedrockjobs.core.model.ReplyFields.requireText;

/**
 * Mistral text completion (Mistral 7B, Mixtral 8x7B, Mistral Large 24.02, Mistral Small). Its response body reports
 * no token usage, so counts are estimated and flagged as such.
 */
public final class MistralCodec implements ModelCodec {

    MistralCodec() {
    }

    @Override
    public ModelFamily family() {
        return ModelFamily.MISTRAL;
    }

    @Override
    public ObjectNode requestBody(ModelRequest request) {
        ObjectNode body = Json.object();
        body.put("prompt", instructionPrompt(request));
        body.put("max_tokens", request.maxTokens());
        if (request.temperature() != null) {
            body.put("temperature", request.temperature());
        }
        return body;
    }

    /** The instruct format has no system role, so system text leads the instruction. */
    static String instructionPrompt(ModelRequest request) {
        String instruction = request.system() == null
                ? request.prompt()
                : request.system() + "\n\n" + request.prompt();
        return "<s>[INST] " + instruction + " [/INST]";
    }

    /** Input tokens cannot be known from the body alone and are reported as 0; prefer the overload with the request. */
    @Override
    public ModelReply readReply(JsonNode responseBody) {
        return read(responseBody, 0);
    }

    @Override
    public ModelReply readReply(JsonNode responseBody, ModelRequest request) {
        return read(responseBody, estimateTokens(instructionPrompt(request)));
    }

    private ModelReply read(JsonNode responseBody, long estimatedInputTokens) {
        JsonNode body = requireObject(responseBody, family());
        if (requireArray(body, "/outputs", family()).isEmpty()) {
            throw new ModelReplyException(family().displayName() + " response: /outputs must not be empty");
        }
        String text = requireText(body, "/outputs/0/text", family());
        String rawStopReason = optionalText(body, "/outputs/0/stop_reason", family());
        return new ModelReply(
                // completions begin with the space that follows [/INST]
                text.stripLeading(),
                normalize(rawStopReason),
                rawStopReason,
                estimatedInputTokens,
                estimateTokens(text),
                true);
    }

    private static StopReason normalize(String rawStopReason) {
        if (rawStopReason == null) {
            return StopReason.OTHER;
        }
        return switch (rawStopReason) {
            // also reported when a caller's stop sequence matched; this codec sends none
            case "stop" -> StopReason.END_TURN;
            case "length" -> StopReason.MAX_TOKENS;
            default -> StopReason.OTHER;
        };
    }
}
