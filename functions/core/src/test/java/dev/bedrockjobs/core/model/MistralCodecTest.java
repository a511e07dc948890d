package dev.bedrockjobs.core.model;

import static dev.bedrockjobs.core.model.ModelFixtures.DOCUMENTED_REQUEST;
import static dev.bedrockjobs.core.model.ModelFixtures.documentedWithout;
import static dev.bedrockjobs.core.model.ModelFixtures.fieldNames;
import static dev.bedrockjobs.core.model.ModelFixtures.json;
import static dev.bedrockjobs.local.emulators.fixture.DocumentedBodies.undocumentedFields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.local.emulators.fixture.DocumentedBodies;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class MistralCodecTest {

    private static final String REQUEST = "mistral-text-completion/request.json";

    private final ModelCodec codec = ModelCodecs.forModel("mistral.mistral-7b-instruct-v0:2");

    @Test
    void buildsInstructPromptWithSystemFoldedIn() {
        JsonNode body = codec.requestBody(new ModelRequest("What is a queue?", "Answer in one sentence.", 400, 0.7));

        assertEquals(List.of("prompt", "max_tokens", "temperature"), fieldNames(body));
        assertEquals(
                "<s>[INST] Answer in one sentence.\n\nWhat is a queue? [/INST]",
                body.get("prompt").textValue());
        assertEquals(400, body.get("max_tokens").intValue());
        assertEquals(0.7, body.get("temperature").doubleValue());
    }

    @Test
    void buildsInstructPromptWithoutSystem() {
        JsonNode body = codec.requestBody(ModelRequest.of("What is a queue?", 400));

        assertEquals(List.of("prompt", "max_tokens"), fieldNames(body));
        assertEquals("<s>[INST] What is a queue? [/INST]", body.get("prompt").textValue());
    }

    @Test
    void buildsTheDocumentedRequest() {
        // the instruct format has no system role, so the documented request has no system prompt
        ModelRequest withoutSystem = new ModelRequest(
                DOCUMENTED_REQUEST.prompt(), null, DOCUMENTED_REQUEST.maxTokens(), DOCUMENTED_REQUEST.temperature());

        assertEquals(documentedWithout(REQUEST, "/stop", "/top_p", "/top_k"), codec.requestBody(withoutSystem));
    }

    @ParameterizedTest
    @MethodSource("dev.bedrockjobs.core.model.ModelFixtures#requests")
    void sendsOnlyDocumentedFieldsAndEveryRequiredOne(ModelRequest request) {
        JsonNode body = codec.requestBody(request);

        assertEquals(List.of(), undocumentedFields(DocumentedBodies.read(REQUEST), body));
        assertTrue(body.has("prompt"));
    }

    @Test
    void readsDocumentedResponseAndEstimatesTokens() {
        // "<s>[INST] Explain queues in one sentence. [/INST]" is 49 characters
        ModelRequest request = ModelRequest.of("Explain queues in one sentence.", 400);

        ModelReply reply = codec.readReply(DocumentedBodies.read("mistral-text-completion/response.json"), request);

        assertEquals("A queue lets the sender move on before the receiver is ready.", reply.text());
        assertEquals(StopReason.END_TURN, reply.stopReason());
        assertEquals("stop", reply.rawStopReason());
        assertEquals(13, reply.inputTokens());
        assertEquals(16, reply.outputTokens()); // 62 characters
        assertTrue(reply.tokensEstimated());
    }

    @Test
    void withoutTheRequestOnlyOutputTokensCanBeEstimated() {
        ModelReply reply = codec.readReply(DocumentedBodies.read("mistral-text-completion/response.json"));

        assertEquals(0, reply.inputTokens());
        assertEquals(16, reply.outputTokens());
        assertTrue(reply.tokensEstimated());
    }

    @Test
    void readsDocumentedStopByLength() {
        ModelReply reply = codec.readReply(DocumentedBodies.read("mistral-text-completion/response-length.json"));

        assertEquals("A queue lets the sender move on", reply.text());
        assertEquals(StopReason.MAX_TOKENS, reply.stopReason());
        assertEquals("length", reply.rawStopReason());
        assertEquals(8, reply.outputTokens()); // 32 characters
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{}",
                "{\"outputs\":[]}",
                "{\"outputs\":{\"text\":\"x\"}}",
                "{\"outputs\":[{\"stop_reason\":\"stop\"}]}",
                "{\"choices\":[{\"message\":{\"content\":\"x\"}}]}",
            })
    void rejectsMalformedBodies(String body) {
        ModelReplyException e = assertThrows(ModelReplyException.class, () -> codec.readReply(json(body)));

        assertTrue(e.getMessage().startsWith("Mistral response: "), e.getMessage());
    }
}
