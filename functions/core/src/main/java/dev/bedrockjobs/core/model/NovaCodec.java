package dev.bedrockjobs.core.model;

import static dev.bedrockjobs.core.model.ReplyFields.answerText;
import static dev.bedrockjobs.core.model.ReplyFields.optionalText;
import static dev.bedrockjobs.core.model.ReplyFields.requireObject;
import static dev.bedrockjobs.core.model.ReplyFields.requireTokenCount;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.domain.Json;
import java.util.Map;

/**
 * Amazon Nova (v1 understanding models) through the messages-v1 InvokeModel schema, as
 * https://docs.aws.amazon.com/nova/latest/userguide/complete-request-schema.html documents it.
 */
public final class NovaCodec extends FamilyCodec {
    NovaCodec() {
        super(
                ModelFamily.NOVA,
                messagesStopReasons(Map.of(
                        "content_filtered", StopReason.CONTENT_FILTERED,
                        "guardrail_intervened", StopReason.CONTENT_FILTERED)));
    }

    @Override
    public ObjectNode requestBody(ModelRequest request) {
        ObjectNode body = Json.object();
        body.put("schemaVersion", "messages-v1");
        if (request.system() != null) {
            body.putArray("system").addObject().put("text", request.system());
        }
        userContent(body).addObject().put("text", request.prompt());
        // the Nova user guide's complete request schema names it maxTokens; its first edition's max_new_tokens is
        // no longer documented
        ObjectNode inferenceConfig = body.putObject("inferenceConfig");
        inferenceConfig.put("maxTokens", request.maxTokens());
        request.putTemperature(inferenceConfig);
        return body;
    }

    @Override
    public ModelReply readReply(JsonNode responseBody) {
        JsonNode body = requireObject(responseBody, family());
        // reasoningContent, toolUse and image blocks carry no answer text
        String text = answerText(body, "/output/message/content", block -> block.has("text"), family());
        String rawStopReason = optionalText(body, "/stopReason", family());
        return new ModelReply(
                text,
                stopReason(rawStopReason),
                rawStopReason,
                requireTokenCount(body, "/usage/inputTokens", family()),
                requireTokenCount(body, "/usage/outputTokens", family()),
                false);
    }

    /**
     * Nova's streaming events: {@code contentBlockDelta} with the text of a piece, {@code messageStop} with the stop
     * reason, {@code metadata} with the usage.
     */
    @Override
    public StreamDecoder streamDecoder() {
        return new StreamDecoder(this, false) {
            @Override
            String read(JsonNode chunk) {
                if (chunk.has("contentBlockDelta")) {
                    return chunk.path("contentBlockDelta")
                            .path("delta")
                            .path("text")
                            .textValue();
                }
                if (chunk.has("messageStop")) {
                    stopReason(chunk.path("messageStop").path("stopReason").textValue());
                }
                if (chunk.has("metadata")) {
                    inputTokens(chunk.path("metadata").path("usage").path("inputTokens"));
                    outputTokens(chunk.path("metadata").path("usage").path("outputTokens"));
                }
                return null;
            }
        };
    }
}
