package dev.bedrockjobs.local.emulators.bedrock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.local.emulators.Json;
import dev.bedrockjobs.local.emulators.fixture.DocumentedBodies;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.ValidationException;

/**
 * The simulator against the bodies AWS documents ({@code docs/bedrock-bodies}) rather than against the codecs it was
 * written with: it must take every documented request, refuse one without a field AWS requires, and answer in
 * exactly the documented response shape.
 */
class DocumentedBodiesSimulatorTest {

    /**
     * Per family: where its documented bodies are, the request's output budget, the fields AWS marks required, and
     * the response fields whose values are fixed (the stop reason among them, which tells a normal end from a cut).
     */
    @SuppressWarnings("ImmutableEnumChecker") // test cases: nothing mutates their fields
    enum Family {
        ANTHROPIC(
                "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
                "anthropic-claude-messages",
                "response-max-tokens.json",
                "/max_tokens",
                List.of("anthropic_version", "max_tokens", "messages"),
                List.of("/type", "/role", "/content/0/type", "/stop_reason")),
        META(
                "us.meta.llama3-3-70b-instruct-v1:0",
                "meta-llama",
                "response-length.json",
                "/max_gen_len",
                List.of("prompt"),
                List.of("/stop_reason")),
        NOVA(
                "us.amazon.nova-pro-v1:0",
                "amazon-nova",
                "response-max-tokens.json",
                "/inferenceConfig/maxTokens",
                List.of("messages"),
                List.of("/output/message/role", "/stopReason")),
        MISTRAL(
                "mistral.mistral-large-2402-v1:0",
                "mistral-text-completion",
                "response-length.json",
                "/max_tokens",
                List.of("prompt"),
                List.of("/outputs/0/stop_reason"));

        final String modelId;
        final String folder;
        final String stoppedByBudget;
        final JsonPointer budget;
        final List<String> required;
        final List<String> fixedValues;

        Family(
                String modelId,
                String folder,
                String stoppedByBudget,
                String budget,
                List<String> required,
                List<String> fixedValues) {
            this.modelId = modelId;
            this.folder = folder;
            this.stoppedByBudget = stoppedByBudget;
            this.budget = JsonPointer.compile(budget);
            this.required = required;
            this.fixedValues = fixedValues;
        }

        ObjectNode documented(String file) {
            return (ObjectNode) DocumentedBodies.read(folder + "/" + file);
        }
    }

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

    @ParameterizedTest
    @EnumSource(Family.class)
    void takesTheDocumentedRequestAndAnswersInTheDocumentedShape(Family family) {
        JsonNode response = invoke(family.modelId, family.documented("request.json"));

        assertDocumented(family, family.documented("response.json"), response);
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void aTinyBudgetStopsTheAnswerInTheDocumentedShape(Family family) {
        ObjectNode request = family.documented("request.json");
        ((ObjectNode) request.at(family.budget.head())).put(family.budget.last().getMatchingProperty(), 3);

        JsonNode response = invoke(family.modelId, request);

        assertDocumented(family, family.documented(family.stoppedByBudget), response);
    }

    static Stream<Arguments> requiredFields() {
        return Stream.of(Family.values())
                .flatMap(family -> family.required.stream().map(field -> Arguments.of(family, field)));
    }

    @ParameterizedTest(name = "{0} without {1}")
    @MethodSource("requiredFields")
    void theDocumentedRequestWithoutARequiredFieldIsRefused(Family family, String field) {
        ObjectNode request = family.documented("request.json");
        request.remove(field);

        ValidationException refused = assertThrows(ValidationException.class, () -> invoke(family.modelId, request));
        assertTrue(
                refused.awsErrorDetails().errorMessage().contains("required key [" + field + "] not found"),
                refused.awsErrorDetails().errorMessage());
    }

    private static void assertDocumented(Family family, JsonNode documented, JsonNode actual) {
        assertEquals(List.of(), DocumentedBodies.shapeDifferences(documented, actual), actual.toString());
        for (String pointer : family.fixedValues) {
            assertEquals(documented.at(pointer), actual.at(pointer), pointer);
        }
    }

    private static JsonNode invoke(String modelId, JsonNode body) {
        String answer = bedrock.invokeModel(b -> b.modelId(modelId)
                        .contentType("application/json")
                        .accept("application/json")
                        .body(SdkBytes.fromUtf8String(Json.write(body))))
                .body()
                .asUtf8String();
        try {
            return Json.parse(answer);
        } catch (Exception e) {
            throw new AssertionError("the simulator answered no JSON: " + answer, e);
        }
    }
}
