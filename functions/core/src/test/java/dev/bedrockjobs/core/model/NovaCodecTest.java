package dev.bedrockjobs.core.model;

import static dev.bedrockjobs.core.model.ModelFixtures.DOCUMENTED_REQUEST;
import static dev.bedrockjobs.core.model.ModelFixtures.documentedWithout;
import static dev.bedrockjobs.core.model.ModelFixtures.fieldNames;
import static dev.bedrockjobs.core.model.ModelFixtures.json;
import static dev.bedrockjobs.local.emulators.fixture.DocumentedBodies.undocumentedFields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.local.emulators.fixture.DocumentedBodies;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class NovaCodecTest {

    private static final String REQUEST = "amazon-nova/request.json";

    private final ModelCodec codec = ModelCodecs.forModel("us.amazon.nova-pro-v1:0");

    @Test
    void buildsMessagesV1RequestWithSystemAndTemperature() {
        JsonNode body = codec.requestBody(new ModelRequest("What is a queue?", "Answer in one sentence.", 700, 0.3));

        assertEquals(List.of("schemaVersion", "system", "messages", "inferenceConfig"), fieldNames(body));
        assertEquals("messages-v1", body.get("schemaVersion").textValue());
        JsonNode system = body.get("system");
        assertEquals(1, system.size());
        assertEquals(List.of("text"), fieldNames(system.get(0)));
        assertEquals("Answer in one sentence.", system.get(0).get("text").textValue());
        JsonNode messages = body.get("messages");
        assertEquals(1, messages.size());
        assertEquals("user", messages.get(0).get("role").textValue());
        JsonNode content = messages.get(0).get("content");
        assertEquals(1, content.size());
        assertEquals(List.of("text"), fieldNames(content.get(0)));
        assertEquals("What is a queue?", content.get(0).get("text").textValue());
        JsonNode inferenceConfig = body.get("inferenceConfig");
        assertEquals(List.of("maxTokens", "temperature"), fieldNames(inferenceConfig));
        assertEquals(700, inferenceConfig.get("maxTokens").intValue());
        assertEquals(0.3, inferenceConfig.get("temperature").doubleValue());
    }

    @Test
    void leavesOutSystemAndTemperatureWhenUnset() {
        JsonNode body = codec.requestBody(ModelRequest.of("What is a queue?", 64));

        assertEquals(List.of("schemaVersion", "messages", "inferenceConfig"), fieldNames(body));
        assertEquals(List.of("maxTokens"), fieldNames(body.get("inferenceConfig")));
    }

    @Test
    void buildsTheDocumentedRequest() {
        assertEquals(
                documentedWithout(
                        REQUEST, "/inferenceConfig/topP", "/inferenceConfig/topK", "/inferenceConfig/stopSequences"),
                codec.requestBody(DOCUMENTED_REQUEST));
    }

    @ParameterizedTest
    @MethodSource("dev.bedrockjobs.core.model.ModelFixtures#requests")
    void sendsOnlyDocumentedFieldsAndEveryRequiredOne(ModelRequest request) {
        JsonNode body = codec.requestBody(request);

        assertEquals(List.of(), undocumentedFields(DocumentedBodies.read(REQUEST), body));
        assertTrue(body.has("messages"));
    }

    @Test
    void readsDocumentedResponse() {
        ModelReply reply = codec.readReply(DocumentedBodies.read("amazon-nova/response.json"));

        assertEquals("A queue lets the sender move on before the receiver is ready.", reply.text());
        assertEquals(StopReason.END_TURN, reply.stopReason());
        assertEquals("end_turn", reply.rawStopReason());
        assertEquals(14, reply.inputTokens());
        assertEquals(15, reply.outputTokens());
        assertFalse(reply.tokensEstimated());
    }

    @Test
    void readsDocumentedStopByMaxTokens() {
        ModelReply reply = codec.readReply(DocumentedBodies.read("amazon-nova/response-max-tokens.json"));

        assertEquals("A queue lets the sender move on", reply.text());
        assertEquals(StopReason.MAX_TOKENS, reply.stopReason());
        assertEquals("max_tokens", reply.rawStopReason());
        assertEquals(14, reply.inputTokens());
        assertEquals(8, reply.outputTokens());
    }

    @Test
    void skipsBlocksThatAreNotText() {
        ModelReply reply = codec.readReply(json("""
                {"output":{"message":{"role":"assistant","content":[
                   {"reasoningContent":{"reasoningText":{"text":"[REDACTED]"}}},{"text":"42"}]}},
                 "stopReason":"end_turn","usage":{"inputTokens":3,"outputTokens":1,"totalTokens":4}}"""));

        assertEquals("42", reply.text());
    }

    @ParameterizedTest
    @CsvSource({
        "end_turn, END_TURN",
        "max_tokens, MAX_TOKENS",
        "stop_sequence, STOP_SEQUENCE",
        "content_filtered, CONTENT_FILTERED",
        "guardrail_intervened, CONTENT_FILTERED",
        "tool_use, OTHER",
        "malformed_model_output, OTHER",
    })
    void normalizesStopReasons(String raw, StopReason expected) {
        ModelReply reply = codec.readReply(json("""
                {"output":{"message":{"role":"assistant","content":[]}},"stopReason":"%s",
                 "usage":{"inputTokens":3,"outputTokens":0}}""".formatted(raw)));

        assertEquals(expected, reply.stopReason());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{}",
                "{\"output\":{},\"stopReason\":\"end_turn\",\"usage\":{\"inputTokens\":1,\"outputTokens\":1}}",
                "{\"output\":{\"message\":{\"content\":[{\"text\":[]}]}},\"usage\":{\"inputTokens\":1,\"outputTokens\":1}}",
                "{\"output\":{\"message\":{\"content\":[]}},\"stopReason\":\"end_turn\"}",
                "{\"output\":{\"message\":{\"content\":[]}},\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}",
            })
    void rejectsMalformedBodies(String body) {
        ModelReplyException e = assertThrows(ModelReplyException.class, () -> codec.readReply(json(body)));

        assertTrue(e.getMessage().startsWith("Amazon Nova response: "), e.getMessage());
    }
}
