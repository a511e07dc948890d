package dev.bedrockjobs.local.emulators.bedrock;

import static dev.bedrockjobs.local.emulators.bedrock.RequestBodyRules.allowOnly;
import static dev.bedrockjobs.local.emulators.bedrock.RequestBodyRules.integer;
import static dev.bedrockjobs.local.emulators.bedrock.RequestBodyRules.malformed;
import static dev.bedrockjobs.local.emulators.bedrock.RequestBodyRules.number;
import static dev.bedrockjobs.local.emulators.bedrock.RequestBodyRules.requireObject;
import static dev.bedrockjobs.local.emulators.bedrock.RequestBodyRules.requiredString;
import static dev.bedrockjobs.local.emulators.bedrock.RequestBodyRules.stringArray;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.local.emulators.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Mistral text completion ({@code <s>[INST] ... [/INST]} prompt): Mistral 7B, Mixtral, Small, Large. The body has
 * no usage field, as on the real service; token counts reach the caller through the response headers only.
 */
final class MistralTextProtocol implements ModelProtocol {

    static final int MAX_TOKENS = 8_192;
    static final int DEFAULT_MAX_TOKENS = 512;

    private static final Set<String> FIELDS = Set.of("prompt", "max_tokens", "stop", "temperature", "top_p", "top_k");

    @Override
    public ModelRequest parse(String modelId, JsonNode body) {
        requireObject(body, "#");
        if (body.has("messages")) {
            throw BedrockError.validation(
                    "The local Bedrock simulator speaks the Mistral text-completion body ({prompt, max_tokens}) only.");
        }
        allowOnly(body, "#", FIELDS);
        String prompt = requiredString(body, "#", "prompt");
        if (prompt.isEmpty()) {
            throw malformed("#/prompt: expected minLength: 1, actual: 0");
        }
        int maxTokens = integer(body, "#", "max_tokens", 1, MAX_TOKENS, DEFAULT_MAX_TOKENS);
        number(body, "#", "temperature", 0, 1);
        number(body, "#", "top_p", 0, 1);
        integer(body, "#", "top_k", 1, 200, 1);
        stringArray(body, "#", "stop");
        return new ModelRequest(prompt, maxTokens, TokenEstimator.tokens(prompt));
    }

    @Override
    public ObjectNode render(String modelId, ModelRequest request, Completion completion, long latencyMillis) {
        ObjectNode body = Json.object();
        body.putArray("outputs")
                .addObject()
                .put("text", completion.text())
                .put("stop_reason", completion.truncated() ? "length" : "stop");
        return body;
    }

    /** One {@code outputs} chunk per piece, {@code stop_reason} null until the last; no usage, as in the body. */
    @Override
    public List<StreamChunk> stream(
            String modelId, ModelRequest request, Completion completion, List<TextPiece> pieces) {
        List<StreamChunk> chunks = new ArrayList<>();
        for (int i = 0; i < pieces.size(); i++) {
            TextPiece piece = pieces.get(i);
            ObjectNode body = Json.object();
            ObjectNode output = body.putArray("outputs").addObject().put("text", piece.text());
            if (i == pieces.size() - 1) {
                output.put("stop_reason", completion.truncated() ? "length" : "stop");
            } else {
                output.putNull("stop_reason");
            }
            chunks.add(new StreamChunk(body, piece.tokens()));
        }
        return chunks;
    }
}
