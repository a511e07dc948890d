package dev.bedrockjobs.core.model;

import static dev.bedrockjobs.core.model.ReplyFields.answerText;
import static dev.bedrockjobs.core.model.ReplyFields.optionalText;
import static dev.bedrockjobs.core.model.ReplyFields.requireObject;
import static dev.bedrockjobs.core.model.ReplyFields.requireTokenCount;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.domain.Json;
import java.util.Map;

/** Anthropic Claude through the Messages API body that Bedrock InvokeModel accepts. */
public final class AnthropicMessagesCodec extends FamilyCodec {
    AnthropicMessagesCodec() {
        // model_context_window_exceeded cuts the answer short for lack of room as max_tokens does; refusal is
        // Claude's safety classifiers stopping it
        super(
                ModelFamily.ANTHROPIC,
                messagesStopReasons(Map.of(
                        "model_context_window_exceeded", StopReason.MAX_TOKENS,
                        "refusal", StopReason.CONTENT_FILTERED)));
    }

    @Override
    public ObjectNode requestBody(ModelRequest request) {
        ObjectNode body = Json.object();
        body.put("anthropic_version", "bedrock-2023-05-31");
        body.put("max_tokens", request.maxTokens());
        if (request.system() != null) {
            body.put("system", request.system());
        }
        userContent(body).addObject().put("type", "text").put("text", request.prompt());
        request.putTemperature(body);
        return body;
    }

    @Override
    public ModelReply readReply(JsonNode responseBody) {
        JsonNode body = requireObject(responseBody, family());
        // tool_use and thinking blocks carry no answer text
        String text = answerText(
                body, "/content", block -> "text".equals(block.path("type").asText()), family());
        String rawStopReason = optionalText(body, "/stop_reason", family());
        return new ModelReply(
                text,
                stopReason(rawStopReason),
                rawStopReason,
                requireTokenCount(body, "/usage/input_tokens", family()),
                requireTokenCount(body, "/usage/output_tokens", family()),
                false);
    }

    /**
     * The Messages streaming events: {@code message_start} (input tokens), a {@code content_block_delta} with a
     * {@code text_delta} per piece of a text block, and {@code message_delta} (stop reason, output tokens).
     */
    @Override
    public StreamDecoder streamDecoder() {
        return new StreamDecoder(this, false) {
            @Override
            String read(JsonNode chunk) {
                switch (chunk.path("type").asText()) {
                    case "message_start" ->
                        inputTokens(chunk.path("message").path("usage").path("input_tokens"));
                    case "content_block_delta" -> {
                        JsonNode delta = chunk.path("delta");
                        // thinking and tool input deltas carry no answer text
                        return "text_delta".equals(delta.path("type").asText())
                                ? delta.path("text").asText()
                                : null;
                    }
                    case "message_delta" -> {
                        stopReason(chunk.path("delta").path("stop_reason").textValue());
                        outputTokens(chunk.path("usage").path("output_tokens"));
                    }
                    default -> {}
                }
                return null;
            }
        };
    }
}
