package dev.bedrockjobs.local.emulators.sfn.engine;

import static dev.bedrockjobs.local.emulators.sfn.engine.EngineFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.local.emulators.sfn.JobStateMachine;
import dev.bedrockjobs.local.emulators.sfn.asl.Retrier;
import dev.bedrockjobs.local.emulators.sfn.asl.State;
import dev.bedrockjobs.local.emulators.sfn.asl.StateMachineDefinition;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The committed policy of {@code statemachine/job.asl.json} (default substitutions) on virtual time, with an
 * in-memory stand-in for the Bedrock integration that fails with the scripted error names.
 */
class JobRetryPolicyTest {

    private static final String INPUT = """
            {"jobId": "j-1", "modelId": "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
             "body": {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 100,
                      "messages": [{"role": "user", "content": "hi"}]}}""";
    private static final JsonNode MODEL_BODY = json("{\"content\": [{\"type\": \"text\", \"text\": \"hello\"}]}");

    private static ExecutionResult run(ScriptedResource bedrock) {
        try (EngineFixture f = new EngineFixture(bedrock)) {
            return f.run(JobStateMachine.definition(), INPUT);
        }
    }

    private static JsonNode success() {
        return json("{\"Body\": " + MODEL_BODY + ", \"ContentType\": \"application/json\"}");
    }

    @Test
    void passesModelIdAndBodyAndReturnsTheResponseWithOneAttempt() {
        ScriptedResource bedrock = ScriptedResource.asBedrock().succeed(success());
        ExecutionResult result = run(bedrock);

        assertEquals(ExecutionStatus.SUCCEEDED, result.status());
        assertEquals(json("{\"response\": " + MODEL_BODY + ", \"attempts\": 1}"), result.output());
        JsonNode parameters = bedrock.invocations().get(0).parameters();
        assertEquals(
                "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
                parameters.get("ModelId").asText());
        assertEquals(100, parameters.at("/Body/max_tokens").asInt());
        assertEquals(
                Duration.ofSeconds(60), bedrock.invocations().get(0).timeLimit().orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Bedrock.ThrottlingException",
                "ThrottlingException",
                "Bedrock.ModelNotReadyException",
                "ModelNotReadyException"
            })
    void throttlingIsRetriedSixTimesWithCappedFullJitter(String error) {
        ExecutionResult result = run(ScriptedResource.asBedrock().fail(error, 6).succeed(success()));

        assertEquals(7, result.output().get("attempts").asInt());
        List<Duration> delays = result.retryDelays();
        double[] caps = {2, 4, 8, 16, 30, 30};
        assertEquals(6, delays.size());
        for (int i = 0; i < caps.length; i++) {
            assertTrue(delays.get(i).toMillis() <= caps[i] * 1000, "retry " + (i + 1) + " waited " + delays.get(i));
        }
    }

    @Test
    void aSeventhThrottleEndsInTheFailureOutput() {
        ExecutionResult result = run(ScriptedResource.asBedrock().fail("Bedrock.ThrottlingException", 7));

        assertEquals(ExecutionStatus.SUCCEEDED, result.status(), "Catch turns the failure into an output");
        assertEquals(7, result.attempts("InvokeModel"));
        assertEquals(
                json("{\"failure\": {\"error\": \"Bedrock.ThrottlingException\", "
                        + "\"cause\": \"scripted Bedrock.ThrottlingException\"}}"),
                result.output());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Bedrock.ServiceUnavailableException",
                "ServiceUnavailableException",
                "Bedrock.InternalServerException",
                "InternalServerException"
            })
    void serverErrorsAreRetriedThreeTimes(String error) {
        assertEquals(
                4,
                run(ScriptedResource.asBedrock().fail(error, 3).succeed(success()))
                        .output()
                        .get("attempts")
                        .asInt());
        assertEquals(4, run(ScriptedResource.asBedrock().fail(error, 4)).attempts("InvokeModel"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Bedrock.ModelTimeoutException",
                "ModelTimeoutException",
                "Bedrock.ModelErrorException",
                "ModelErrorException"
            })
    void modelTimeoutsAndModelErrorsAreRetriedOnce(String error) {
        assertEquals(
                2,
                run(ScriptedResource.asBedrock().fail(error, 1).succeed(success()))
                        .output()
                        .get("attempts")
                        .asInt());
        ExecutionResult twice = run(ScriptedResource.asBedrock().fail(error, 2));
        assertEquals(2, twice.attempts("InvokeModel"));
        assertEquals(error, twice.output().at("/failure/error").asText());
    }

    @Test
    void aHungAttemptTimesOutAtSixtySecondsAndIsRetriedOnce() {
        ExecutionResult once = run(ScriptedResource.asBedrock().hang(1).succeed(success()));
        assertEquals(2, once.output().get("attempts").asInt());
        assertEquals(
                Duration.ofSeconds(60), once.duration().minus(once.retryDelays().get(0)));

        ExecutionResult twice = run(ScriptedResource.asBedrock().hang(2));
        assertEquals("States.Timeout", twice.output().at("/failure/error").asText());
        assertEquals(2, twice.attempts("InvokeModel"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Bedrock.ValidationException",
                "Bedrock.AccessDeniedException",
                "Bedrock.ResourceNotFoundException",
                "Bedrock.ServiceQuotaExceededException",
                "States.TaskFailed"
            })
    void clientErrorsFailAtOnce(String error) {
        ExecutionResult result = run(ScriptedResource.asBedrock().fail(error, 1));

        assertEquals(1, result.attempts("InvokeModel"));
        assertEquals(error, result.output().at("/failure/error").asText());
        assertEquals("scripted " + error, result.output().at("/failure/cause").asText());
    }

    @Test
    void aJobWithoutABodyFailsTheExecutionInsteadOfReachingTheModel() {
        ScriptedResource bedrock = ScriptedResource.asBedrock().succeed(success());
        try (EngineFixture f = new EngineFixture(bedrock)) {
            ExecutionResult result = f.run(JobStateMachine.definition(), "{\"jobId\": \"j\", \"modelId\": \"m\"}");

            assertEquals(ExecutionStatus.FAILED, result.status());
            assertEquals("States.Runtime", result.error());
            assertTrue(bedrock.invocations().isEmpty());
        }
    }

    /** The longest the policy can sleep, and the bound on the whole execution, against the 5-minute Express limit. */
    @Test
    void theWorstCaseFitsTheExpressLimit() {
        try (EngineFixture f = new EngineFixture(ScriptedResource.asBedrock())) {
            StateMachineDefinition definition = f.engine.load(JobStateMachine.definition());
            State.Task task = (State.Task) definition.state("InvokeModel");

            double maxSleep = 0;
            int maxAttempts = 1;
            for (Retrier retrier : task.retriers()) {
                for (int n = 1; n <= retrier.maxAttempts(); n++) {
                    maxSleep += retrier.backoffSeconds(n);
                }
                maxAttempts += retrier.maxAttempts();
            }
            assertEquals(90 + 7 + 1, maxSleep, 1e-9, "throttling 2+4+8+16+30+30, server 1+2+4, timeout 1");
            assertEquals(11, maxAttempts);
            assertEquals(60, task.timeoutSeconds());
            assertEquals(240, definition.timeoutSeconds());
            assertTrue(definition.timeoutSeconds() < ExecutionSpec.EXPRESS_TIME_LIMIT.toSeconds());
        }
    }
}
