package dev.bedrockjobs.core.model;

import static dev.bedrockjobs.core.model.ReplyFields.optionalText;
import static dev.bedrockjobs.core.model.ReplyFields.requireObject;
import static dev.bedrockjobs.core.model.ReplyFields.requireText;
import static dev.bedrockjobs.core.model.ReplyFields.requireTokenCount;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/** Meta Llama 3.x and 4 Instruct: a single prompt string in Llama 3's chat template. */
public final class MetaLlamaCodec extends FamilyCodec {
    MetaLlamaCodec() {
        super(
                ModelFamily.META,
                Map.of(
                        "stop", StopReason.END_TURN,
                        "length", StopReason.MAX_TOKENS));
    }

    @Override
    public ObjectNode requestBody(ModelRequest request) {
        return promptBody(chatPrompt(request), "max_gen_len", request);
    }

    static String chatPrompt(ModelRequest request) {
        StringBuilder prompt = new StringBuilder("<|begin_of_text|>");
        if (request.system() != null) {
            appendTurn(prompt, "system", request.system());
        }
        appendTurn(prompt, "user", request.prompt());
        return prompt.append("<|start_header_id|>assistant<|end_header_id|>").toString();
    }

    private static void appendTurn(StringBuilder prompt, String role, String text) {
        prompt.append("<|start_header_id|>")
                .append(role)
                .append("<|end_header_id|>\n\n")
                .append(text)
                .append("<|eot_id|>");
    }

    @Override
    public ModelReply readReply(JsonNode responseBody) {
        JsonNode body = requireObject(responseBody, family());
        String generation = requireText(body, "/generation", family());
        String rawStopReason = optionalText(body, "/stop_reason", family());
        return new ModelReply(
                // the template leaves the blank line after the assistant header to the model
                generation.stripLeading(),
                stopReason(rawStopReason),
                rawStopReason,
                requireTokenCount(body, "/prompt_token_count", family()),
                requireTokenCount(body, "/generation_token_count", family()),
                false);
    }

    /**
     * Llama's streamed chunks: each a {@code generation} piece with the running {@code generation_token_count}; the
     * first carries {@code prompt_token_count}, the last a {@code stop_reason}.
     */
    @Override
    public StreamDecoder streamDecoder() {
        return new StreamDecoder(this, true) {
            @Override
            String read(JsonNode chunk) {
                inputTokens(chunk.path("prompt_token_count"));
                outputTokens(chunk.path("generation_token_count"));
                stopReason(chunk.path("stop_reason").textValue());
                return chunk.path("generation").textValue();
            }
        };
    }
}
