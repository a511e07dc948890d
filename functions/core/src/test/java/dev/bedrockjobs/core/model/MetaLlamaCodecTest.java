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
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class MetaLlamaCodecTest {

    private static final String REQUEST = "meta-llama/request.json";

    private final ModelCodec codec = ModelCodecs.forModel("us.meta.llama3-3-70b-instruct-v1:0");

    @Test
    void buildsChatTemplatePromptWithSystemTurn() {
        JsonNode body = codec.requestBody(new ModelRequest("What is a queue?", "Answer in one sentence.", 300, 0.4));

        assertEquals(List.of("prompt", "max_gen_len", "temperature"), fieldNames(body));
        assertEquals(
                "<|begin_of_text|>"
                        + "<|start_header_id|>system<|end_header_id|>\n\nAnswer in one sentence.<|eot_id|>"
                        + "<|start_header_id|>user<|end_header_id|>\n\nWhat is a queue?<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>",
                body.get("prompt").textValue());
        assertEquals(300, body.get("max_gen_len").intValue());
        assertEquals(0.4, body.get("temperature").doubleValue());
    }

    @Test
    void buildsPromptWithoutSystemTurn() {
        JsonNode body = codec.requestBody(ModelRequest.of("What is a queue?", 300));

        assertEquals(List.of("prompt", "max_gen_len"), fieldNames(body));
        assertEquals(
                "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nWhat is a queue?<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>",
                body.get("prompt").textValue());
    }

    @Test
    void buildsTheDocumentedRequestWithItsSystemTurn() {
        assertEquals(documentedWithout(REQUEST, "/top_p"), codec.requestBody(DOCUMENTED_REQUEST));
    }

    @ParameterizedTest
    @MethodSource("dev.bedrockjobs.core.model.ModelFixtures#requests")
    void sendsOnlyDocumentedFieldsAndEveryRequiredOne(ModelRequest request) {
        JsonNode body = codec.requestBody(request);

        assertEquals(List.of(), undocumentedFields(DocumentedBodies.read(REQUEST), body));
        assertTrue(body.has("prompt"));
    }

    @Test
    void readsDocumentedResponse() {
        ModelReply reply = codec.readReply(DocumentedBodies.read("meta-llama/response.json"));

        assertEquals("A queue lets the sender move on before the receiver is ready.", reply.text());
        assertEquals(StopReason.END_TURN, reply.stopReason());
        assertEquals("stop", reply.rawStopReason());
        assertEquals(27, reply.inputTokens());
        assertEquals(14, reply.outputTokens());
        assertFalse(reply.tokensEstimated());
    }

    @Test
    void readsDocumentedStopByLength() {
        ModelReply reply = codec.readReply(DocumentedBodies.read("meta-llama/response-length.json"));

        assertEquals("A queue lets the sender move on", reply.text());
        assertEquals(StopReason.MAX_TOKENS, reply.stopReason());
        assertEquals("length", reply.rawStopReason());
        assertEquals(8, reply.outputTokens());
    }

    @Test
    void unknownStopReasonIsOther() {
        ModelReply reply = codec.readReply(json("""
                {"generation":"x","prompt_token_count":1,"generation_token_count":1,"stop_reason":"something_new"}"""));

        assertEquals(StopReason.OTHER, reply.stopReason());
        assertEquals("something_new", reply.rawStopReason());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "null",
                "{}",
                "{\"generation\":null,\"prompt_token_count\":1,\"generation_token_count\":1}",
                "{\"generation\":\"x\",\"generation_token_count\":1}",
                "{\"generation\":\"x\",\"prompt_token_count\":1,\"generation_token_count\":\"1\"}",
                "{\"outputs\":[{\"text\":\"x\",\"stop_reason\":\"stop\"}]}",
            })
    void rejectsMalformedBodies(String body) {
        ModelReplyException e = assertThrows(ModelReplyException.class, () -> codec.readReply(json(body)));

        assertTrue(e.getMessage().startsWith("Meta Llama response: "), e.getMessage());
    }
}
