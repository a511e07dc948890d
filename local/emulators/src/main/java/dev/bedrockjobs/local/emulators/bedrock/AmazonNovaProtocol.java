package dev.bedrockjobs.local.emulators.bedrock;

import static dev.bedrockjobs.local.emulators.bedrock.RequestBodyRules.allowOnly;
import static dev.bedrockjobs.local.emulators.bedrock.RequestBodyRules.integer;
import static dev.bedrockjobs.local.emulators.bedrock.RequestBodyRules.malformed;
import static dev.bedrockjobs.local.emulators.bedrock.RequestBodyRules.number;
import static dev.bedrockjobs.local.emulators.bedrock.RequestBodyRules.requireObject;
import static dev.bedrockjobs.local.emulators.bedrock.RequestBodyRules.requiredArray;
import static dev.bedrockjobs.local.emulators.bedrock.RequestBodyRules.requiredString;
import static dev.bedrockjobs.local.emulators.bedrock.RequestBodyRules.stringArray;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.local.emulators.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Amazon Nova understanding models, InvokeModel "messages-v1" body. The output budget is
 * {@code inferenceConfig.maxTokens}, with {@code topP} and {@code topK}, as the Nova user guide's complete request
 * schema documents them; the snake_case {@code max_new_tokens}, {@code top_p} and {@code top_k} of the guide's first
 * edition are accepted too, since much public code still sends them.
 */
final class AmazonNovaProtocol implements ModelProtocol {

    static final String SCHEMA_VERSION = "messages-v1";
    static final int MAX_NEW_TOKENS = 10_000;
    static final int DEFAULT_NEW_TOKENS = 5_000;

    private static final Set<String> FIELDS =
            Set.of("schemaVersion", "system", "messages", "inferenceConfig", "toolConfig");
    private static final Set<String> INFERENCE_FIELDS = Set.of(
            "max_new_tokens",
            "maxTokens",
            "temperature",
            "top_p",
            "topP",
            "top_k",
            "topK",
            "stopSequences",
            "reasoningConfig");
    private static final int TOKENS_PER_MESSAGE = 3;
    private static final int TOKENS_PER_REQUEST = 5;

    @Override
    public ModelRequest parse(String modelId, JsonNode body) {
        requireObject(body, "#");
        allowOnly(body, "#", FIELDS);
        JsonNode schemaVersion = body.get("schemaVersion");
        if (schemaVersion != null && !SCHEMA_VERSION.equals(schemaVersion.asText())) {
            throw malformed("#/schemaVersion: " + schemaVersion.asText() + " is not a valid enum value");
        }
        int maxTokens = DEFAULT_NEW_TOKENS;
        JsonNode inference = body.get("inferenceConfig");
        if (inference != null) {
            requireObject(inference, "#/inferenceConfig");
            allowOnly(inference, "#/inferenceConfig", INFERENCE_FIELDS);
            String budgetField = inference.has("max_new_tokens") ? "max_new_tokens" : "maxTokens";
            maxTokens = integer(inference, "#/inferenceConfig", budgetField, 1, MAX_NEW_TOKENS, DEFAULT_NEW_TOKENS);
            number(inference, "#/inferenceConfig", "temperature", 0, 1);
            number(inference, "#/inferenceConfig", "top_p", 0, 1);
            number(inference, "#/inferenceConfig", "topP", 0, 1);
            integer(inference, "#/inferenceConfig", "top_k", 0, 128, 0);
            integer(inference, "#/inferenceConfig", "topK", 0, 128, 0);
            stringArray(inference, "#/inferenceConfig", "stopSequences");
        }

        StringBuilder prompt = new StringBuilder();
        int overhead = TOKENS_PER_REQUEST;
        JsonNode system = body.get("system");
        if (system != null) {
            JsonNode blocks = requiredArray(body, "#", "system", 0);
            for (int i = 0; i < blocks.size(); i++) {
                prompt.append(textBlock(blocks.get(i), "#/system/" + i)).append("\n\n");
                overhead += TOKENS_PER_MESSAGE;
            }
        }
        JsonNode messages = requiredArray(body, "#", "messages", 1);
        for (int i = 0; i < messages.size(); i++) {
            String pointer = "#/messages/" + i;
            JsonNode message = messages.get(i);
            requireObject(message, pointer);
            allowOnly(message, pointer, Set.of("role", "content"));
            String role = requiredString(message, pointer, "role");
            if (!role.equals("user") && !role.equals("assistant")) {
                throw malformed(pointer + "/role: " + role + " is not a valid enum value");
            }
            JsonNode content = requiredArray(message, pointer, "content", 1);
            for (int j = 0; j < content.size(); j++) {
                prompt.append(textBlock(content.get(j), pointer + "/content/" + j));
                if (j < content.size() - 1) {
                    prompt.append('\n');
                }
            }
            if (i < messages.size() - 1) {
                prompt.append("\n\n");
            }
            overhead += TOKENS_PER_MESSAGE;
        }
        String promptText = prompt.toString();
        return new ModelRequest(promptText, maxTokens, TokenEstimator.tokens(promptText) + overhead);
    }

    private static String textBlock(JsonNode block, String pointer) {
        requireObject(block, pointer);
        if (!block.has("text")) {
            throw BedrockError.validation("The local Bedrock simulator accepts text content only; found "
                    + block.fieldNames().next() + " at " + pointer);
        }
        allowOnly(block, pointer, Set.of("text", "cachePoint"));
        return requiredString(block, pointer, "text");
    }

    @Override
    public ObjectNode render(String modelId, ModelRequest request, Completion completion, long latencyMillis) {
        ObjectNode body = Json.object();
        ObjectNode message = body.putObject("output").putObject("message");
        message.put("role", "assistant");
        message.putArray("content").addObject().put("text", completion.text());
        body.put("stopReason", completion.truncated() ? "max_tokens" : "end_turn");
        ObjectNode usage = body.putObject("usage");
        usage.put("inputTokens", request.inputTokens());
        usage.put("outputTokens", completion.outputTokens());
        usage.put("totalTokens", request.inputTokens() + completion.outputTokens());
        body.putObject("metrics").put("latencyMs", latencyMillis);
        return body;
    }

    /**
     * Nova's Invoke API streaming events, named as in its Converse stream: {@code messageStart}, a
     * {@code contentBlockDelta} per piece, {@code contentBlockStop}, {@code messageStop} with the stop reason, and
     * {@code metadata} with the usage.
     */
    @Override
    public List<StreamChunk> stream(
            String modelId, ModelRequest request, Completion completion, List<TextPiece> pieces) {
        List<StreamChunk> chunks = new ArrayList<>();
        ObjectNode start = Json.object();
        start.putObject("messageStart").put("role", "assistant");
        chunks.add(new StreamChunk(start, 0));
        for (TextPiece piece : pieces) {
            ObjectNode delta = Json.object();
            ObjectNode blockDelta = delta.putObject("contentBlockDelta");
            blockDelta.putObject("delta").put("text", piece.text());
            blockDelta.put("contentBlockIndex", 0);
            chunks.add(new StreamChunk(delta, piece.tokens()));
        }
        ObjectNode blockStop = Json.object();
        blockStop.putObject("contentBlockStop").put("contentBlockIndex", 0);
        chunks.add(new StreamChunk(blockStop, 0));
        ObjectNode stop = Json.object();
        stop.putObject("messageStop").put("stopReason", completion.truncated() ? "max_tokens" : "end_turn");
        chunks.add(new StreamChunk(stop, 0));
        ObjectNode metadata = Json.object();
        metadata.putObject("metadata")
                .putObject("usage")
                .put("inputTokens", request.inputTokens())
                .put("outputTokens", completion.outputTokens());
        chunks.add(new StreamChunk(metadata, 0));
        return chunks;
    }
}
