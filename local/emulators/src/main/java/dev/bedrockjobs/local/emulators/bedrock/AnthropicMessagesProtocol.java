package dev.bedrockjobs.local.emulators.bedrock;

import static dev.bedrockjobs.local.emulators.bedrock.RequestBodyRules.allowOnly;
import static dev.bedrockjobs.local.emulators.bedrock.RequestBodyRules.integer;
import static dev.bedrockjobs.local.emulators.bedrock.RequestBodyRules.malformed;
import static dev.bedrockjobs.local.emulators.bedrock.RequestBodyRules.number;
import static dev.bedrockjobs.local.emulators.bedrock.RequestBodyRules.requireObject;
import static dev.bedrockjobs.local.emulators.bedrock.RequestBodyRules.requiredArray;
import static dev.bedrockjobs.local.emulators.bedrock.RequestBodyRules.requiredInteger;
import static dev.bedrockjobs.local.emulators.bedrock.RequestBodyRules.requiredString;
import static dev.bedrockjobs.local.emulators.bedrock.RequestBodyRules.stringArray;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.local.emulators.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/** Anthropic Claude, Messages API body ({@code anthropic_version: bedrock-2023-05-31}). */
final class AnthropicMessagesProtocol implements ModelProtocol {

    static final String VERSION = "bedrock-2023-05-31";
    /** The largest output budget of the current Claude models (Sonnet 4.5, Haiku 4.5). */
    static final int MAX_OUTPUT_TOKENS = 64_000;

    private static final Set<String> FIELDS = Set.of(
            "anthropic_version",
            "anthropic_beta",
            "max_tokens",
            "system",
            "messages",
            "temperature",
            "top_p",
            "top_k",
            "stop_sequences",
            "tools",
            "tool_choice",
            "thinking");
    private static final Pattern VERSION_SUFFIX = Pattern.compile("-v\\d+(:\\d+)?$");
    // Each message and the system prompt carry a few tokens of role markup around their text.
    private static final int TOKENS_PER_MESSAGE = 4;
    private static final int TOKENS_PER_REQUEST = 8;

    @Override
    public ModelRequest parse(String modelId, JsonNode body) {
        requireObject(body, "#");
        allowOnly(body, "#", FIELDS);
        String version = requiredString(body, "#", "anthropic_version");
        if (!VERSION.equals(version)) {
            throw malformed("#/anthropic_version: " + version + " is not a valid enum value");
        }
        int maxTokens = requiredInteger(body, "#", "max_tokens", 1, MAX_OUTPUT_TOKENS);
        number(body, "#", "temperature", 0, 1);
        number(body, "#", "top_p", 0, 1);
        integer(body, "#", "top_k", 0, 500, 0);
        stringArray(body, "#", "stop_sequences");
        if (body.hasNonNull("temperature") && body.hasNonNull("top_p") && isClaude45(modelId)) {
            throw BedrockError.validation(
                    "`temperature` and `top_p` cannot both be specified for this model. Please use only one.");
        }

        StringBuilder prompt = new StringBuilder();
        int overhead = TOKENS_PER_REQUEST;
        JsonNode system = body.get("system");
        if (system != null && !system.isNull()) {
            prompt.append(text(system, "#/system")).append("\n\n");
            overhead += TOKENS_PER_MESSAGE;
        }
        JsonNode messages = requiredArray(body, "#", "messages", 1);
        String previousRole = null;
        for (int i = 0; i < messages.size(); i++) {
            String pointer = "#/messages/" + i;
            JsonNode message = messages.get(i);
            requireObject(message, pointer);
            allowOnly(message, pointer, Set.of("role", "content"));
            String role = requiredString(message, pointer, "role");
            if (!role.equals("user") && !role.equals("assistant")) {
                throw malformed(pointer + "/role: " + role + " is not a valid enum value");
            }
            if (previousRole == null && !role.equals("user")) {
                throw BedrockError.validation("messages: first message must use the \"user\" role");
            }
            if (role.equals(previousRole)) {
                throw BedrockError.validation("messages: roles must alternate between \"user\" and \"assistant\", "
                        + "but found multiple \"" + role + "\" roles in a row");
            }
            previousRole = role;
            prompt.append(text(RequestBodyRules.required(message, pointer, "content"), pointer + "/content"));
            if (i < messages.size() - 1) {
                prompt.append("\n\n");
            }
            overhead += TOKENS_PER_MESSAGE;
        }
        String promptText = prompt.toString();
        return new ModelRequest(promptText, maxTokens, TokenEstimator.tokens(promptText) + overhead);
    }

    /** A content value: a plain string or an array of {@code {"type": "text", "text": ...}} blocks. */
    private static String text(JsonNode content, String pointer) {
        if (content.isTextual()) {
            return content.textValue();
        }
        if (!content.isArray()) {
            throw malformed(pointer + ": expected type: JSONArray, found: " + content.getNodeType());
        }
        StringBuilder text = new StringBuilder();
        for (int j = 0; j < content.size(); j++) {
            String blockPointer = pointer + "/" + j;
            JsonNode block = content.get(j);
            requireObject(block, blockPointer);
            String type = requiredString(block, blockPointer, "type");
            if (!type.equals("text")) {
                throw BedrockError.validation("The local Bedrock simulator accepts text content blocks only; found a '"
                        + type + "' block at " + blockPointer);
            }
            allowOnly(block, blockPointer, Set.of("type", "text", "cache_control"));
            if (text.length() > 0) {
                text.append('\n');
            }
            text.append(requiredString(block, blockPointer, "text"));
        }
        return text.toString();
    }

    private static boolean isClaude45(String modelId) {
        return modelId.contains("sonnet-4-5") || modelId.contains("haiku-4-5") || modelId.contains("opus-4-5");
    }

    @Override
    public ObjectNode render(String modelId, ModelRequest request, Completion completion, long latencyMillis) {
        ObjectNode body = Json.object();
        body.put("id", messageId());
        body.put("type", "message");
        body.put("role", "assistant");
        body.put("model", modelName(modelId));
        body.putArray("content").addObject().put("type", "text").put("text", completion.text());
        body.put("stop_reason", completion.truncated() ? "max_tokens" : "end_turn");
        body.putNull("stop_sequence");
        // the usage the Bedrock page documents; callers must not come to depend on more than that
        ObjectNode usage = body.putObject("usage");
        usage.put("input_tokens", request.inputTokens());
        usage.put("output_tokens", completion.outputTokens());
        return body;
    }

    /**
     * The Messages streaming events: {@code message_start} (the message without content, usage so far),
     * {@code content_block_start}, a {@code content_block_delta} with a {@code text_delta} per piece,
     * {@code content_block_stop}, {@code message_delta} (stop reason and the output usage) and {@code message_stop}.
     */
    @Override
    public List<StreamChunk> stream(
            String modelId, ModelRequest request, Completion completion, List<TextPiece> pieces) {
        List<StreamChunk> chunks = new ArrayList<>();
        ObjectNode start = Json.object().put("type", "message_start");
        ObjectNode message = start.putObject("message");
        message.put("id", messageId());
        message.put("type", "message");
        message.put("role", "assistant");
        message.put("model", modelName(modelId));
        message.putArray("content");
        message.putNull("stop_reason");
        message.putNull("stop_sequence");
        message.putObject("usage").put("input_tokens", request.inputTokens()).put("output_tokens", 1);
        chunks.add(new StreamChunk(start, 0));

        ObjectNode blockStart = Json.object().put("type", "content_block_start").put("index", 0);
        blockStart.putObject("content_block").put("type", "text").put("text", "");
        chunks.add(new StreamChunk(blockStart, 0));
        for (TextPiece piece : pieces) {
            ObjectNode delta = Json.object().put("type", "content_block_delta").put("index", 0);
            delta.putObject("delta").put("type", "text_delta").put("text", piece.text());
            chunks.add(new StreamChunk(delta, piece.tokens()));
        }
        chunks.add(
                new StreamChunk(Json.object().put("type", "content_block_stop").put("index", 0), 0));

        ObjectNode messageDelta = Json.object().put("type", "message_delta");
        messageDelta
                .putObject("delta")
                .put("stop_reason", completion.truncated() ? "max_tokens" : "end_turn")
                .putNull("stop_sequence");
        messageDelta.putObject("usage").put("output_tokens", completion.outputTokens());
        chunks.add(new StreamChunk(messageDelta, 0));
        chunks.add(new StreamChunk(Json.object().put("type", "message_stop"), 0));
        return chunks;
    }

    private static String messageId() {
        return "msg_bdrk_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
    }

    /** {@code us.anthropic.claude-sonnet-4-5-20250929-v1:0} answers as model {@code claude-sonnet-4-5-20250929}. */
    static String modelName(String modelId) {
        String name = modelId.substring(modelId.indexOf("anthropic.") + "anthropic.".length());
        return VERSION_SUFFIX.matcher(name).replaceFirst("");
    }
}
