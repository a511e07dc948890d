package dev.bedrockjobs.local.emulators.sfn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.local.emulators.Json;
import dev.bedrockjobs.local.emulators.bedrock.BedrockSimulator;
import dev.bedrockjobs.local.emulators.bedrock.ModelBodies;
import dev.bedrockjobs.local.emulators.sfn.bedrock.BedrockInvokeModelResource;
import dev.bedrockjobs.local.emulators.sfn.engine.StepFunctionsEngine;
import dev.bedrockjobs.local.emulators.sfn.engine.VirtualTimekeeper;
import dev.bedrockjobs.local.emulators.sfn.lambda.LambdaInvokeResource;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.StartSyncExecutionResponse;
import software.amazon.awssdk.services.sfn.model.SyncExecutionStatus;

/**
 * {@code statemachine/job.asl.json} end to end, as the worker runs it: the real SfnClient calls StartSyncExecution
 * on the local server, whose engine calls the Bedrock simulator through the real BedrockRuntimeClient. Time is
 * virtual (retry delays cost nothing); a hung model call is detected after a 2-second real grace.
 */
class JobStateMachineIntegrationTest {

    @SuppressWarnings("ImmutableEnumChecker") // test cases: nothing mutates their fields
    enum Family {
        CLAUDE("us.anthropic.claude-sonnet-4-5-20250929-v1:0", ModelBodies::claude, "/content/0/text"),
        LLAMA("meta.llama3-3-70b-instruct-v1:0", ModelBodies::llama, "/generation"),
        NOVA("us.amazon.nova-pro-v1:0", ModelBodies::nova, "/output/message/content/0/text"),
        MISTRAL("mistral.mistral-large-2402-v1:0", ModelBodies::mistral, "/outputs/0/text");

        final String modelId;
        final BiFunction<String, Integer, ObjectNode> body;
        final String textPointer;

        Family(String modelId, BiFunction<String, Integer, ObjectNode> body, String textPointer) {
            this.modelId = modelId;
            this.body = body;
            this.textPointer = textPointer;
        }
    }

    private static BedrockSimulator simulator;
    private static BedrockInvokeModelResource bedrock;
    private static VirtualTimekeeper time;
    private static StepFunctionsEngine engine;
    private static StepFunctionsService service;
    private static StepFunctionsServer server;
    private static SfnClient sfn;
    private static String jobMachineArn;

    @BeforeAll
    static void start() {
        simulator = new BedrockSimulator().start();
        bedrock = BedrockInvokeModelResource.forEndpoint(simulator.endpoint());
        time = new VirtualTimekeeper(Instant.parse("2025-01-01T00:00:00Z"), Duration.ofSeconds(2));
        engine = StepFunctionsEngine.builder()
                .timekeeper(time)
                .random(new Random(42))
                .resource(bedrock)
                .resource(LambdaInvokeResource.withoutFunctions())
                .build();
        service = new StepFunctionsService(engine);
        server = new StepFunctionsServer(service).start();
        sfn = LocalSfnClients.sfn(server.endpoint());
        jobMachineArn =
                server.registerStateMachine("bedrock-jobs-job", JobStateMachine.file(), JobStateMachine.DEFAULTS);
        // The first SDK calls load classes for a while; keep that out of the hang grace of the tests.
        for (Family family : Family.values()) {
            run(family, "warm-up");
        }
    }

    @AfterAll
    static void stop() {
        sfn.close();
        server.close();
        service.close();
        engine.close();
        bedrock.close();
        simulator.close();
    }

    @BeforeEach
    void reset() {
        simulator.calls().reset();
        time.clearSleeps();
    }

    private static StartSyncExecutionResponse run(Family family, String prompt) {
        ObjectNode input =
                Json.object().put("jobId", UUID.randomUUID().toString()).put("modelId", family.modelId);
        input.set("body", family.body.apply(prompt, 400));
        return sfn.startSyncExecution(b -> b.stateMachineArn(jobMachineArn).input(Json.write(input)));
    }

    private static JsonNode output(StartSyncExecutionResponse response) {
        assertEquals(SyncExecutionStatus.SUCCEEDED, response.status(), response.error() + ": " + response.cause());
        try {
            return Json.parse(response.output());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static Stream<Family> families() {
        return Stream.of(Family.values());
    }

    @ParameterizedTest
    @MethodSource("families")
    void answersWithTheModelBodyAfterOneAttempt(Family family) {
        JsonNode output = output(run(family, "Review: rename x to count"));

        assertEquals(1, output.get("attempts").asInt());
        assertTrue(output.get("response").at(family.textPointer).asText().contains("Verdict:"), output.toString());
        assertEquals(1, simulator.calls().callsContaining("rename x to count"));
    }

    @ParameterizedTest
    @MethodSource("families")
    void throttledTwiceThenSucceeds(Family family) {
        JsonNode output = output(run(family, "[[throttle:2]] " + family));

        assertEquals(3, output.get("attempts").asInt());
        assertEquals(3, simulator.calls().callsContaining("[[throttle:2]] " + family));
        assertEquals(2, time.sleeps().size());
        assertTrue(
                time.sleeps().get(0).toMillis() <= 2_000 && time.sleeps().get(1).toMillis() <= 4_000,
                time.sleeps().toString());
    }

    @ParameterizedTest
    @MethodSource("families")
    void alwaysThrottledEndsInTheFailureOutputAfterSevenCalls(Family family) {
        JsonNode failure = output(run(family, "[[throttle:always]] " + family)).get("failure");

        assertEquals("Bedrock.ThrottlingException", failure.get("error").asText());
        assertEquals(
                "Too many requests, please wait before trying again.",
                failure.get("cause").asText());
        assertEquals(7, simulator.calls().callsContaining("[[throttle:always]] " + family));
    }

    @ParameterizedTest
    @MethodSource("families")
    void aValidationErrorFailsAtOnceWithExactlyOneCall(Family family) {
        JsonNode failure = output(run(family, "[[fail:validation]] " + family)).get("failure");

        assertEquals("Bedrock.ValidationException", failure.get("error").asText());
        assertEquals(1, simulator.calls().callsContaining("[[fail:validation]] " + family));
        assertTrue(time.sleeps().isEmpty());
    }

    @ParameterizedTest
    @MethodSource("families")
    void aHungCallTimesOutAndIsRetried(Family family) {
        JsonNode output = output(run(family, "[[hang]] " + family));

        assertEquals(2, output.get("attempts").asInt());
        assertEquals(2, simulator.calls().callsContaining("[[hang]] " + family));
        assertTrue(output.get("response").at(family.textPointer).asText().contains("Verdict:"));
    }
}
