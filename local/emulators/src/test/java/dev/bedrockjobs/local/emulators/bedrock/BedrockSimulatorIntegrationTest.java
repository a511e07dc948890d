package dev.bedrockjobs.local.emulators.bedrock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.local.emulators.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.AccessDeniedException;
import software.amazon.awssdk.services.bedrockruntime.model.BedrockRuntimeException;
import software.amazon.awssdk.services.bedrockruntime.model.InternalServerException;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelResponse;
import software.amazon.awssdk.services.bedrockruntime.model.ModelErrorException;
import software.amazon.awssdk.services.bedrockruntime.model.ModelNotReadyException;
import software.amazon.awssdk.services.bedrockruntime.model.ModelTimeoutException;
import software.amazon.awssdk.services.bedrockruntime.model.ResourceNotFoundException;
import software.amazon.awssdk.services.bedrockruntime.model.ServiceQuotaExceededException;
import software.amazon.awssdk.services.bedrockruntime.model.ServiceUnavailableException;
import software.amazon.awssdk.services.bedrockruntime.model.ThrottlingException;
import software.amazon.awssdk.services.bedrockruntime.model.ValidationException;

class BedrockSimulatorIntegrationTest {

    static final String CLAUDE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
    static final String LLAMA = "meta.llama3-1-70b-instruct-v1:0";
    static final String NOVA = "us.amazon.nova-pro-v1:0";
    static final String MISTRAL = "mistral.mistral-large-2402-v1:0";

    private static BedrockSimulator simulator;
    private static BedrockRuntimeClient bedrock;

    @BeforeAll
    static void start() {
        simulator = new BedrockSimulator().start();
        bedrock = SimulatorClients.bedrock(simulator.endpoint());
    }

    @AfterAll
    static void stop() {
        bedrock.close();
        simulator.close();
    }

    @BeforeEach
    void resetCounters() {
        simulator.calls().reset();
    }

    @Test
    void answersClaudeWithAMessagesBodyAndTokenHeaders() {
        InvokeModelResponse response = invoke(CLAUDE, ModelBodies.claude("Review this diff: +int x = 1;", 1000));
        JsonNode body = parse(response);

        assertTrue(body.get("id").asText().startsWith("msg_bdrk_"));
        assertEquals("message", body.get("type").asText());
        assertEquals("assistant", body.get("role").asText());
        assertEquals("claude-sonnet-4-5-20250929", body.get("model").asText());
        assertEquals("text", body.at("/content/0/type").asText());
        assertTrue(body.at("/content/0/text").asText().contains("Verdict:"));
        assertEquals("end_turn", body.get("stop_reason").asText());
        assertTrue(body.get("stop_sequence").isNull());
        int inputTokens = body.at("/usage/input_tokens").asInt();
        int outputTokens = body.at("/usage/output_tokens").asInt();
        assertTrue(inputTokens > 7 && inputTokens < 40, "input tokens " + inputTokens);
        assertEquals(TokenEstimator.tokens(body.at("/content/0/text").asText()), outputTokens);
        assertEquals(String.valueOf(inputTokens), header(response, "X-Amzn-Bedrock-Input-Token-Count"));
        assertEquals(String.valueOf(outputTokens), header(response, "X-Amzn-Bedrock-Output-Token-Count"));
        assertEquals("application/json", response.contentType());
    }

    @Test
    void answersLlamaWithAGenerationBody() {
        JsonNode body = parse(invoke(LLAMA, ModelBodies.llama("Summarise the change.", 300)));

        assertTrue(body.get("generation").asText().contains("Verdict:"));
        assertTrue(body.get("prompt_token_count").asInt() > 10);
        assertTrue(body.get("generation_token_count").asInt() > 10);
        assertEquals("stop", body.get("stop_reason").asText());
    }

    @Test
    void answersNovaWithAnOutputMessageBody() {
        JsonNode body = parse(invoke(NOVA, ModelBodies.nova("Summarise the change.", 300)));

        assertEquals("assistant", body.at("/output/message/role").asText());
        assertTrue(body.at("/output/message/content/0/text").asText().contains("Verdict:"));
        assertEquals("end_turn", body.get("stopReason").asText());
        JsonNode usage = body.get("usage");
        assertEquals(
                usage.get("inputTokens").asInt() + usage.get("outputTokens").asInt(),
                usage.get("totalTokens").asInt());
        assertTrue(body.at("/metrics/latencyMs").isIntegralNumber());
    }

    @Test
    void answersMistralWithOutputsAndTokensInHeadersOnly() {
        InvokeModelResponse response = invoke(MISTRAL, ModelBodies.mistral("Summarise the change.", 300));
        JsonNode body = parse(response);

        assertTrue(body.at("/outputs/0/text").asText().contains("Verdict:"));
        assertEquals("stop", body.at("/outputs/0/stop_reason").asText());
        assertEquals(1, body.size());
        assertTrue(Integer.parseInt(header(response, "X-Amzn-Bedrock-Output-Token-Count")) > 10);
    }

    @Test
    void textIsDeterministicPerPrompt() {
        String first = parse(invoke(CLAUDE, ModelBodies.claude("prompt A", 500)))
                .at("/content/0/text")
                .asText();
        String again = parse(invoke(CLAUDE, ModelBodies.claude("prompt A", 500)))
                .at("/content/0/text")
                .asText();
        String other = parse(invoke(CLAUDE, ModelBodies.claude("prompt B", 500)))
                .at("/content/0/text")
                .asText();

        assertEquals(first, again);
        assertNotEquals(first, other);
    }

    static java.util.stream.Stream<Arguments> budgetStopReasons() {
        return java.util.stream.Stream.of(
                Arguments.of(
                        CLAUDE,
                        (Supplier<ObjectNode>) () -> ModelBodies.claude("long answer please", 5),
                        "/stop_reason",
                        "max_tokens",
                        "/usage/output_tokens"),
                Arguments.of(
                        LLAMA,
                        (Supplier<ObjectNode>) () -> ModelBodies.llama("long answer please", 5),
                        "/stop_reason",
                        "length",
                        "/generation_token_count"),
                Arguments.of(
                        NOVA,
                        (Supplier<ObjectNode>) () -> ModelBodies.nova("long answer please", 5),
                        "/stopReason",
                        "max_tokens",
                        "/usage/outputTokens"),
                Arguments.of(
                        MISTRAL,
                        (Supplier<ObjectNode>) () -> ModelBodies.mistral("long answer please", 5),
                        "/outputs/0/stop_reason",
                        "length",
                        null));
    }

    @ParameterizedTest
    @MethodSource("budgetStopReasons")
    void honoursTheTokenBudget(
            String model,
            Supplier<ObjectNode> request,
            String stopPointer,
            String stopReason,
            String outputTokensPointer) {
        InvokeModelResponse response = invoke(model, request.get());
        JsonNode body = parse(response);

        assertEquals(stopReason, body.at(stopPointer).asText());
        assertEquals("5", header(response, "X-Amzn-Bedrock-Output-Token-Count"));
        if (outputTokensPointer != null) {
            assertEquals(5, body.at(outputTokensPointer).asInt());
        }
    }

    @Test
    void throttlesTheFirstNCallsOfAScriptedPromptThenSucceeds() {
        ObjectNode request = ModelBodies.claude("[[throttle:2]] review me", 100);

        ThrottlingException throttled = assertThrows(ThrottlingException.class, () -> invoke(CLAUDE, request));
        assertEquals(429, throttled.statusCode());
        assertEquals("ThrottlingException", throttled.awsErrorDetails().errorCode());
        assertEquals(
                "Too many requests, please wait before trying again.",
                throttled.awsErrorDetails().errorMessage());
        assertThrows(ThrottlingException.class, () -> invoke(CLAUDE, request));
        invoke(CLAUDE, request);

        assertEquals(3, simulator.calls().calls(CLAUDE, "[[throttle:2]] review me"));
        assertEquals(3, simulator.calls().callsContaining("review me"));
    }

    @Test
    void alwaysThrottledPromptNeverSucceeds() {
        ObjectNode request = ModelBodies.nova("[[throttle:always]] busy", 100);
        for (int i = 0; i < 5; i++) {
            assertThrows(ThrottlingException.class, () -> invoke(NOVA, request));
        }
    }

    static java.util.stream.Stream<Arguments> scriptedErrors() {
        return java.util.stream.Stream.of(
                Arguments.of("validation", ValidationException.class, 400),
                Arguments.of("throttling", ThrottlingException.class, 429),
                Arguments.of("notready", ModelNotReadyException.class, 429),
                Arguments.of("unavailable", ServiceUnavailableException.class, 503),
                Arguments.of("internal", InternalServerException.class, 500),
                Arguments.of("timeout", ModelTimeoutException.class, 408),
                Arguments.of("modelerror", ModelErrorException.class, 424),
                Arguments.of("access", AccessDeniedException.class, 403),
                Arguments.of("notfound", ResourceNotFoundException.class, 404),
                Arguments.of("quota", ServiceQuotaExceededException.class, 400));
    }

    @ParameterizedTest
    @MethodSource("scriptedErrors")
    void scriptedErrorsReachTheSdkAsTheirExceptionClasses(
            String kind, Class<? extends BedrockRuntimeException> type, int status) {
        BedrockRuntimeException error =
                assertThrows(type, () -> invoke(LLAMA, ModelBodies.llama("[[fail:" + kind + "]] x", 50)));
        assertEquals(status, error.statusCode());
    }

    @Test
    void malformedBodiesAreValidationErrors() {
        ObjectNode noMessages = ModelBodies.claude("x", 10);
        noMessages.remove("messages");
        ObjectNode tooManyTokens = ModelBodies.claude("x", 10);
        tooManyTokens.put("max_tokens", 1_000_000);
        ObjectNode noPrompt = Json.object().put("max_gen_len", 10);
        ObjectNode extraneous = ModelBodies.mistral("x", 10).put("foo", 1);

        assertEquals(
                "Malformed input request: #: required key [messages] not found, please reformat your input and try again.",
                assertThrows(ValidationException.class, () -> invoke(CLAUDE, noMessages))
                        .awsErrorDetails()
                        .errorMessage());
        assertTrue(assertThrows(ValidationException.class, () -> invoke(CLAUDE, tooManyTokens))
                .awsErrorDetails()
                .errorMessage()
                .contains("#/max_tokens: 1000000 is not less or equal to 64000"));
        assertThrows(ValidationException.class, () -> invoke(LLAMA, noPrompt));
        assertTrue(assertThrows(ValidationException.class, () -> invoke(MISTRAL, extraneous))
                .awsErrorDetails()
                .errorMessage()
                .contains("extraneous key [foo]"));
        assertThrows(
                ValidationException.class,
                () -> bedrock.invokeModel(b -> b.modelId(NOVA).body(SdkBytes.fromUtf8String("not json"))));
        assertEquals(0, simulator.calls().callsContaining(""), "refused bodies have no prompt to count");
        assertEquals(5, simulator.calls().requests());
    }

    @Test
    void claude45RefusesTemperatureWithTopP() {
        ObjectNode both = ModelBodies.claude("x", 10).put("temperature", 0.5).put("top_p", 0.9);
        assertThrows(ValidationException.class, () -> invoke(CLAUDE, both));
    }

    @Test
    void unknownModelFamilyIsAValidationError() {
        ValidationException error = assertThrows(
                ValidationException.class, () -> invoke("cohere.command-r-v1:0", ModelBodies.mistral("x", 10)));
        assertEquals(
                "The provided model identifier is invalid.",
                error.awsErrorDetails().errorMessage());
    }

    @Test
    void hangOutlastsTheClientTimeoutOnTheFirstCallOnly() {
        ObjectNode request = ModelBodies.mistral("[[hang]] slow", 50);

        assertThrows(
                ApiCallTimeoutException.class,
                () -> bedrock.invokeModel(b -> b.modelId(MISTRAL)
                        .body(SdkBytes.fromUtf8String(Json.write(request)))
                        .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofMillis(300)))));
        invoke(MISTRAL, request);

        assertEquals(2, simulator.calls().callsContaining("[[hang]] slow"));
        assertEquals(2, simulator.calls().callsForModel(MISTRAL));
    }

    @Test
    void randomRatesAreSeededShares() {
        BedrockSimulator.Config throttleAll =
                BedrockSimulator.Config.builder().throttleRate(1.0).build();
        BedrockSimulator.Config failAll =
                BedrockSimulator.Config.builder().failureRate(1.0).seed(7).build();
        try (BedrockSimulator throttling = new BedrockSimulator(throttleAll).start();
                BedrockSimulator failing = new BedrockSimulator(failAll).start();
                BedrockRuntimeClient toThrottling = SimulatorClients.bedrock(throttling.endpoint());
                BedrockRuntimeClient toFailing = SimulatorClients.bedrock(failing.endpoint())) {
            assertThrows(ThrottlingException.class, () -> invoke(toThrottling, CLAUDE, ModelBodies.claude("x", 10)));
            for (int i = 0; i < 10; i++) {
                BedrockRuntimeException error = assertThrows(
                        BedrockRuntimeException.class, () -> invoke(toFailing, CLAUDE, ModelBodies.claude("x", 10)));
                assertTrue(error instanceof InternalServerException || error instanceof ServiceUnavailableException);
            }
        }
    }

    @Test
    void otherOperationsAreUnknown() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(simulator.endpoint() + "/model/" + LLAMA + "/converse"))
                                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());

        assertEquals(404, response.statusCode());
        assertTrue(response.headers()
                .firstValue("x-amzn-ErrorType")
                .orElseThrow()
                .startsWith("UnknownOperationException:"));
    }

    @Test
    void configRefusesRatesAboveOne() {
        assertThrows(
                IllegalArgumentException.class,
                () -> BedrockSimulator.Config.builder()
                        .throttleRate(0.6)
                        .failureRate(0.6)
                        .build());
    }

    private static InvokeModelResponse invoke(String modelId, ObjectNode body) {
        return invoke(bedrock, modelId, body);
    }

    private static InvokeModelResponse invoke(BedrockRuntimeClient client, String modelId, ObjectNode body) {
        return client.invokeModel(b -> b.modelId(modelId)
                .contentType("application/json")
                .accept("application/json")
                .body(SdkBytes.fromUtf8String(Json.write(body))));
    }

    private static JsonNode parse(InvokeModelResponse response) {
        try {
            return Json.parse(response.body().asUtf8String());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String header(InvokeModelResponse response, String name) {
        return response.sdkHttpResponse().firstMatchingHeader(name).orElseThrow();
    }
}
