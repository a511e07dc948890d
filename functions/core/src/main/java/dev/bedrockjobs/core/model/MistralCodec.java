package dev.bedrockjobs.core.model;

import static dev.bedrockjobs.core.model.ReplyFields.estimateTokens;
import static dev.bedrockjobs.core.model.ReplyFields.optionalText;
import static dev.bedrockjobs.core.model.ReplyFields.requireArray;
import static dev.bedrockjobs.core.model.ReplyFields.requireObject;
import static dev.bedrockjobs.core.model.ReplyFields.requireText;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * Mistral text completion (Mistral 7B, Mixtral 8x7B, Mistral Large 24.02, Mistral Small). Its response body reports
 * no token usage, so counts are estimated and flagged as such.
 */
public final class MistralCodec extends FamilyCodec {
    MistralCodec() {
        super(
                ModelFamily.MISTRAL,
                Map.of(
                        // "stop" is also reported when a caller's stop sequence matched; this codec sends none.
                        "stop", StopReason.END_TURN,
                        "length", StopReason.MAX_TOKENS));
    }

    @Override
    public ObjectNode requestBody(ModelRequest request) {
        return promptBody(instructionPrompt(request), "max_tokens", request);
    }

    /** The instruct format has no system role, so system text leads the instruction. */
    static String instructionPrompt(ModelRequest request) {
        String instruction = request.system() == null ? request.prompt() : request.system() + "\n\n" + request.prompt();
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
                stopReason(rawStopReason),
                rawStopReason,
                estimatedInputTokens,
                estimateTokens(text),
                true);
    }

    /** Mistral's streamed chunks: {@code outputs[0]} with a piece of text, the last one with its stop reason. */
    @Override
    public StreamDecoder streamDecoder() {
        return new StreamDecoder(this, true) {
            @Override
            String read(JsonNode chunk) {
                JsonNode output = chunk.path("outputs").path(0);
                stopReason(output.path("stop_reason").textValue());
                return output.path("text").textValue();
            }

            @Override
            long estimatedInputTokens(ModelRequest request) {
                return estimateTokens(instructionPrompt(request));
            }
        };
    }
}
