package dev.bedrockjobs.core.model;

import static dev.bedrockjobs.core.model.ModelFixtures.DOCUMENTED_REQUEST;
import static dev.bedrockjobs.core.model.ModelFixtures.documentedWithout;
import static dev.bedrockjobs.core.model.ModelFixtures.fieldNames;
import static dev.bedrockjobs.core.model.ModelFixtures.json;
import static dev.bedrockjobs.local.emulators.fixture.DocumentedBodies.undocumentedFields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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

class AnthropicMessagesCodecTest {

    private static final String REQUEST = "anthropic-claude-messages/request.json";

    private final ModelCodec codec = ModelCodecs.forModel("us.anthropic.claude-sonnet-4-5-20250929-v1:0");

    @Test
    void buildsMessagesRequestWithSystemAndTemperature() {
        JsonNode body = codec.requestBody(new ModelRequest("What is a queue?", "Answer in one sentence.", 512, 0.2));

        assertEquals(List.of("anthropic_version", "max_tokens", "system", "messages", "temperature"), fieldNames(body));
        assertEquals("bedrock-2023-05-31", body.get("anthropic_version").textValue());
        assertEquals(512, body.get("max_tokens").intValue());
        assertEquals("Answer in one sentence.", body.get("system").textValue());
        assertEquals(0.2, body.get("temperature").doubleValue());
        JsonNode messages = body.get("messages");
        assertEquals(1, messages.size());
        assertEquals("user", messages.get(0).get("role").textValue());
        JsonNode content = messages.get(0).get("content");
        assertEquals(1, content.size());
        assertEquals(List.of("type", "text"), fieldNames(content.get(0)));
        assertEquals("text", content.get(0).get("type").textValue());
        assertEquals("What is a queue?", content.get(0).get("text").textValue());
    }

    @Test
    void leavesOutSystemAndTemperatureWhenUnset() {
        JsonNode body = codec.requestBody(ModelRequest.of("What is a queue?", 64));

        assertEquals(List.of("anthropic_version", "max_tokens", "messages"), fieldNames(body));
    }

    @Test
    void buildsTheDocumentedRequest() {
        assertEquals(documentedWithout(REQUEST, "/top_k", "/stop_sequences"), codec.requestBody(DOCUMENTED_REQUEST));
    }

    @ParameterizedTest
    @MethodSource("dev.bedrockjobs.core.model.ModelFixtures#requests")
    void sendsOnlyDocumentedFieldsAndEveryRequiredOne(ModelRequest request) {
        JsonNode body = codec.requestBody(request);

        assertEquals(List.of(), undocumentedFields(DocumentedBodies.read(REQUEST), body));
        assertTrue(fieldNames(body).containsAll(List.of("anthropic_version", "max_tokens", "messages")));
    }

    @Test
    void readsDocumentedResponse() {
        ModelReply reply = codec.readReply(DocumentedBodies.read("anthropic-claude-messages/response.json"));

        assertEquals("A queue lets the sender move on before the receiver is ready.", reply.text());
        assertEquals(StopReason.END_TURN, reply.stopReason());
        assertEquals("end_turn", reply.rawStopReason());
        assertEquals(21, reply.inputTokens());
        assertEquals(15, reply.outputTokens());
        assertFalse(reply.tokensEstimated());
        assertFalse(reply.truncated());
    }

    @Test
    void readsDocumentedStopByMaxTokens() {
        ModelReply reply = codec.readReply(DocumentedBodies.read("anthropic-claude-messages/response-max-tokens.json"));

        assertEquals("A queue lets the sender move on before", reply.text());
        assertEquals(StopReason.MAX_TOKENS, reply.stopReason());
        assertEquals("max_tokens", reply.rawStopReason());
        assertEquals(21, reply.inputTokens());
        assertEquals(8, reply.outputTokens());
        assertTrue(reply.truncated());
    }

    @Test
    void readsUsageBesideCountsTheBedrockPageDoesNotList() {
        // Anthropic's own API adds prompt-caching counts to usage; the simulator leaves them out, AWS may not
        ModelReply reply = codec.readReply(json("""
                {"content":[{"type":"text","text":"42"}],"stop_reason":"end_turn","usage":{"input_tokens":3,
                 "cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}"""));

        assertEquals(3, reply.inputTokens());
        assertEquals(1, reply.outputTokens());
    }

    @Test
    void joinsTextBlocks() {
        ModelReply reply = codec.readReply(json("""
                {"content":[{"type":"text","text":"A queue lets"},{"type":"text","text":" the sender move on"}],
                 "stop_reason":"max_tokens","usage":{"input_tokens":1,"output_tokens":2}}"""));

        assertEquals("A queue lets the sender move on", reply.text());
    }

    @Test
    void skipsBlocksThatAreNotText() {
        ModelReply reply = codec.readReply(json("""
                {"content":[{"type":"thinking","thinking":"hmm"},{"type":"text","text":"42"}],
                 "stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":2}}"""));

        assertEquals("42", reply.text());
    }

    @ParameterizedTest
    @CsvSource({
        "end_turn, END_TURN",
        "max_tokens, MAX_TOKENS",
        "model_context_window_exceeded, MAX_TOKENS",
        "stop_sequence, STOP_SEQUENCE",
        "refusal, CONTENT_FILTERED",
        "tool_use, OTHER",
        "pause_turn, OTHER",
    })
    void normalizesStopReasons(String raw, StopReason expected) {
        ModelReply reply = codec.readReply(json("""
                {"content":[],"stop_reason":"%s","usage":{"input_tokens":1,"output_tokens":0}}""".formatted(raw)));

        assertEquals(expected, reply.stopReason());
        assertEquals(raw, reply.rawStopReason());
    }

    @Test
    void missingStopReasonIsOther() {
        ModelReply reply = codec.readReply(json("""
                {"content":[],"stop_reason":null,"usage":{"input_tokens":1,"output_tokens":0}}"""));

        assertEquals(StopReason.OTHER, reply.stopReason());
        assertNull(reply.rawStopReason());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "[]",
                "\"text\"",
                "{}",
                "{\"content\":\"hello\",\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}",
                "{\"content\":[{\"type\":\"text\",\"text\":7}],\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}",
                "{\"content\":[],\"stop_reason\":\"end_turn\"}",
                "{\"content\":[],\"usage\":{\"input_tokens\":\"12\",\"output_tokens\":1}}",
                "{\"content\":[],\"usage\":{\"input_tokens\":-1,\"output_tokens\":1}}",
                "{\"content\":[],\"usage\":{\"input_tokens\":1.5,\"output_tokens\":1}}",
                "{\"content\":[],\"stop_reason\":3,\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}",
            })
    void rejectsMalformedBodies(String body) {
        ModelReplyException e = assertThrows(ModelReplyException.class, () -> codec.readReply(json(body)));

        assertTrue(e.getMessage().startsWith("Anthropic Claude response: "), e.getMessage());
    }

    @Test
    void rejectsNullBody() {
        assertThrows(ModelReplyException.class, () -> codec.readReply(null));
    }
}
