package dev.bedrockjobs.local.emulators.bedrock;

import static dev.bedrockjobs.local.emulators.bedrock.RequestBodyRules.allowOnly;
import static dev.bedrockjobs.local.emulators.bedrock.RequestBodyRules.integer;
import static dev.bedrockjobs.local.emulators.bedrock.RequestBodyRules.malformed;
import static dev.bedrockjobs.local.emulators.bedrock.RequestBodyRules.number;
import static dev.bedrockjobs.local.emulators.bedrock.RequestBodyRules.requireObject;
import static dev.bedrockjobs.local.emulators.bedrock.RequestBodyRules.requiredString;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.local.emulators.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Meta Llama 3.x / 4 text generation: {@code {prompt, max_gen_len?, temperature?, top_p?}} where the prompt already
 * carries Meta's chat template, so its special tokens count towards the input as they do on the real model.
 */
final class MetaLlamaProtocol implements ModelProtocol {

    static final int MAX_GEN_LEN = 2048;
    static final int DEFAULT_GEN_LEN = 512;

    private static final Set<String> FIELDS = Set.of("prompt", "max_gen_len", "temperature", "top_p", "images");

    @Override
    public ModelRequest parse(String modelId, JsonNode body) {
        requireObject(body, "#");
        allowOnly(body, "#", FIELDS);
        if (body.has("images")) {
            throw BedrockError.validation("The local Bedrock simulator accepts text prompts only; remove 'images'.");
        }
        String prompt = requiredString(body, "#", "prompt");
        if (prompt.isEmpty()) {
            throw malformed("#/prompt: expected minLength: 1, actual: 0");
        }
        int maxGenLen = integer(body, "#", "max_gen_len", 1, MAX_GEN_LEN, DEFAULT_GEN_LEN);
        number(body, "#", "temperature", 0, 1);
        number(body, "#", "top_p", 0, 1);
        return new ModelRequest(prompt, maxGenLen, TokenEstimator.tokens(prompt));
    }

    @Override
    public ObjectNode render(String modelId, ModelRequest request, Completion completion, long latencyMillis) {
        ObjectNode body = Json.object();
        body.put("generation", completion.text());
        body.put("prompt_token_count", request.inputTokens());
        body.put("generation_token_count", completion.outputTokens());
        body.put("stop_reason", completion.truncated() ? "length" : "stop");
        return body;
    }

    /**
     * One chunk per piece, each in the shape of the whole answer: {@code prompt_token_count} on the first only (null
     * after), {@code generation_token_count} running, {@code stop_reason} null until the last.
     */
    @Override
    public List<StreamChunk> stream(
            String modelId, ModelRequest request, Completion completion, List<TextPiece> pieces) {
        List<StreamChunk> chunks = new ArrayList<>();
        for (int i = 0; i < pieces.size(); i++) {
            TextPiece piece = pieces.get(i);
            ObjectNode body = Json.object().put("generation", piece.text());
            if (i == 0) {
                body.put("prompt_token_count", request.inputTokens());
            } else {
                body.putNull("prompt_token_count");
            }
            body.put("generation_token_count", piece.tokensSoFar());
            if (i == pieces.size() - 1) {
                body.put("stop_reason", completion.truncated() ? "length" : "stop");
            } else {
                body.putNull("stop_reason");
            }
            chunks.add(new StreamChunk(body, piece.tokens()));
        }
        return chunks;
    }
}
