package dev.bedrockjobs.local.emulators.sfn.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.local.emulators.Json;
import dev.bedrockjobs.local.emulators.sfn.asl.AslDefinitionException;
import dev.bedrockjobs.local.emulators.sfn.asl.ErrorNames;
import dev.bedrockjobs.local.emulators.sfn.engine.ExecutionResult;
import dev.bedrockjobs.local.emulators.sfn.engine.ExecutionSpec;
import dev.bedrockjobs.local.emulators.sfn.engine.ExecutionStatus;
import dev.bedrockjobs.local.emulators.sfn.engine.StepFunctionsEngine;
import dev.bedrockjobs.local.emulators.sfn.engine.VirtualTimekeeper;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The lambda:invoke task through the engine, with an invoker playing a script of outcomes. */
class LambdaInvokeResourceTest {

    private static final String FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:bedrock-jobs-stream";

    /** One invocation as the invoker received it. */
    private record Call(FunctionReference function, JsonNode payload, Optional<Duration> timeLimit, String roleArn) {}

    /** Plays its outcomes in order, then repeats the last one. */
    private static final class ScriptedInvoker implements LambdaInvoker {
        private final Deque<Outcome> script = new ArrayDeque<>();
        private final List<Call> calls = new ArrayList<>();
        private Outcome last;

        ScriptedInvoker then(Outcome... outcomes) {
            for (Outcome outcome : outcomes) {
                script.addLast(outcome);
                last = outcome;
            }
            return this;
        }

        @Override
        public synchronized Outcome invoke(
                FunctionReference function, JsonNode payload, Optional<Duration> timeLimit, String roleArn) {
            calls.add(new Call(function, payload, timeLimit, roleArn));
            return script.isEmpty() ? last : script.removeFirst();
        }

        synchronized List<Call> calls() {
            return List.copyOf(calls);
        }
    }

    private final ScriptedInvoker invoker = new ScriptedInvoker();
    private final StepFunctionsEngine engine = StepFunctionsEngine.builder()
            .timekeeper(new VirtualTimekeeper(Instant.parse("2025-01-01T00:00:00Z"), Duration.ofMillis(1500)))
            .random(new Random(42))
            .resource(new LambdaInvokeResource(invoker))
            .build();

    @AfterEach
    void close() {
        engine.close();
    }

    /**
     * A task "Call" whose Parameters and extra fields are given, retrying QuotaExceeded and catching everything into
     * "Caught" (a Pass state keeping the error output under $.error).
     */
    private static String machine(String parameters, String extraFields) {
        return """
                {"StartAt": "Call", "States": {
                  "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                           "Parameters": %s, %s
                           "Retry": [{"ErrorEquals": ["dev.example.QuotaExceeded"], "IntervalSeconds": 1,
                                      "MaxAttempts": 2}],
                           "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Caught"}],
                           "End": true},
                  "Caught": {"Type": "Pass", "End": true}
                }}""".formatted(parameters, extraFields);
    }

    private static String machine() {
        return machine("""
                {"FunctionName": "%s", "Payload": {"jobId.$": "$.jobId"}}""".formatted(FUNCTION_ARN), "");
    }

    private ExecutionResult run(String definition, String input) throws Exception {
        return engine.execute(engine.load(definition), ExecutionSpec.express("run"), Json.parse(input));
    }

    private static JsonNode json(String text) throws Exception {
        return Json.parse(text);
    }

    @Test
    void theFunctionsResultComesBackUnderPayloadWithStatusCode200() throws Exception {
        invoker.then(new LambdaInvoker.Returned(json("{\"text\": \"hello\"}")));

        ExecutionResult result = run(machine(), "{\"jobId\": \"j1\"}");

        assertEquals(ExecutionStatus.SUCCEEDED, result.status());
        JsonNode output = result.output();
        assertEquals(json("{\"text\": \"hello\"}"), output.get("Payload"));
        assertEquals(200, output.get("StatusCode").intValue());
        assertEquals("$LATEST", output.get("ExecutedVersion").textValue());
        assertEquals(200, output.at("/SdkHttpMetadata/HttpStatusCode").intValue());
        String requestId = output.at("/SdkResponseMetadata/RequestId").textValue();
        assertEquals(
                requestId,
                output.at("/SdkHttpMetadata/HttpHeaders/x-amzn-RequestId").textValue());
        assertEquals(
                requestId,
                output.at("/SdkHttpMetadata/AllHttpHeaders/x-amzn-RequestId/0").textValue());
    }

    @Test
    void theInvokerGetsTheFunctionThePayloadTheTimeLimitAndTheStateMachinesRole() throws Exception {
        invoker.then(new LambdaInvoker.Returned(json("null")));

        run(machine(), "{\"jobId\": \"j1\"}");

        Call call = invoker.calls().get(0);
        assertEquals(new FunctionReference("bedrock-jobs-stream", "123456789012", "us-east-1", null), call.function());
        assertEquals(json("{\"jobId\": \"j1\"}"), call.payload());
        assertEquals(Optional.of(ExecutionSpec.EXPRESS_TIME_LIMIT), call.timeLimit());
        assertEquals(ExecutionSpec.express("run").roleArn(), call.roleArn());
    }

    @Test
    void aTaskWithoutPayloadSendsAnEmptyObject() throws Exception {
        invoker.then(new LambdaInvoker.Returned(json("{}")));

        run(machine("{\"FunctionName\": \"bedrock-jobs-stream:$LATEST\"}", ""), "{}");

        Call call = invoker.calls().get(0);
        assertEquals(json("{}"), call.payload());
        assertEquals(new FunctionReference("bedrock-jobs-stream", null, null, "$LATEST"), call.function());
    }

    @Test
    void aFunctionErrorIsNamedByItsTypeRetriedOnThatNameAndCaughtWithItsPayloadAsCause() throws Exception {
        invoker.then(new LambdaInvoker.FunctionError(
                "dev.example.QuotaExceeded", "no quota left", List.of("dev.example.Stream.call(Stream.java:12)")));

        ExecutionResult result = run(machine(), "{\"jobId\": \"j1\"}");

        assertEquals(ExecutionStatus.SUCCEEDED, result.status());
        assertEquals(3, result.attempts("Call"), "the first attempt and the two retries");
        JsonNode error = result.output().get("error");
        assertEquals("dev.example.QuotaExceeded", error.get("Error").textValue());
        assertEquals(json("""
                        {"errorMessage": "no quota left", "errorType": "dev.example.QuotaExceeded",
                         "stackTrace": ["dev.example.Stream.call(Stream.java:12)"]}"""), json(error.get("Cause").textValue()));
    }

    @Test
    void aRetriedFunctionErrorThatThenSucceedsEndsTheTaskWithTheResult() throws Exception {
        invoker.then(
                new LambdaInvoker.FunctionError("dev.example.QuotaExceeded", "no quota left", List.of()),
                new LambdaInvoker.Returned(json("{\"text\": \"late\"}")));

        ExecutionResult result = run(machine(), "{\"jobId\": \"j1\"}");

        assertEquals(2, result.attempts("Call"));
        assertEquals(json("{\"text\": \"late\"}"), result.output().get("Payload"));
    }

    @Test
    void aFailureWithoutErrorTypeIsLambdaUnknown() throws Exception {
        invoker.then(new LambdaInvoker.Unhandled("Task timed out after 3.00 seconds"));

        ExecutionResult result = run(machine(), "{\"jobId\": \"j1\"}");

        assertEquals(1, result.attempts("Call"));
        JsonNode error = result.output().get("error");
        assertEquals("Lambda.Unknown", error.get("Error").textValue());
        assertEquals(
                json("{\"errorMessage\": \"Task timed out after 3.00 seconds\"}"),
                json(error.get("Cause").textValue()));
    }

    @Test
    void aFunctionErrorWithAnEmptyTypeIsLambdaUnknownToo() throws Exception {
        invoker.then(new LambdaInvoker.FunctionError("", "exited", List.of()));

        ExecutionResult result = run(machine(), "{\"jobId\": \"j1\"}");

        assertEquals("Lambda.Unknown", result.output().at("/error/Error").textValue());
    }

    @Test
    void lambdasOwnErrorsAreNamedWithTheLambdaPrefix() throws Exception {
        invoker.then(new LambdaInvoker.ServiceError("TooManyRequestsException", "Rate exceeded"));

        ExecutionResult result = run(machine(), "{\"jobId\": \"j1\"}");

        JsonNode error = result.output().get("error");
        assertEquals("Lambda.TooManyRequestsException", error.get("Error").textValue());
        assertEquals("Rate exceeded", error.get("Cause").textValue());
    }

    @Test
    void anAttemptPastItsTimeoutSecondsIsACatchableStatesTimeout() throws Exception {
        invoker.then(new LambdaInvoker.TimedOut("no answer within 30 s"));

        ExecutionResult result =
                run(machine("{\"FunctionName\": \"bedrock-jobs-stream\"}", "\"TimeoutSeconds\": 30,"), "{}");

        assertEquals(ErrorNames.TIMEOUT, result.output().at("/error/Error").textValue());
    }

    @Test
    void theStatesTimeoutSecondsIsTheInvokersTimeLimit() throws Exception {
        invoker.then(new LambdaInvoker.Returned(json("{}")));

        run(machine("""
                        {"FunctionName": "bedrock-jobs-stream"}""", "\"TimeoutSeconds\": 30,"), "{}");

        assertEquals(Optional.of(Duration.ofSeconds(30)), invoker.calls().get(0).timeLimit());
    }

    @Test
    void aQualifierOtherThanLatestIsRefusedAtLoad() {
        AslDefinitionException e = assertThrows(
                AslDefinitionException.class,
                () -> engine.load(machine("{\"FunctionName\": \"" + FUNCTION_ARN + ":prod\"}", "")));

        assertEquals("Call", e.state());
        assertEquals("Parameters.FunctionName", e.field());
        assertTrue(e.getMessage().contains("'prod'"), e.getMessage());
    }

    @Test
    void theEventAndDryRunInvocationTypesAreRefusedAtLoad() {
        for (String type : List.of("Event", "DryRun")) {
            AslDefinitionException e = assertThrows(
                    AslDefinitionException.class,
                    () -> engine.load(machine("{\"FunctionName\": \"f\", \"InvocationType\": \"" + type + "\"}", "")));

            assertEquals("Parameters.InvocationType", e.field(), type);
        }
    }

    @Test
    void theRequestResponseInvocationTypeIsAccepted() throws Exception {
        invoker.then(new LambdaInvoker.Returned(json("{}")));

        ExecutionResult result =
                run(machine("{\"FunctionName\": \"f\", \"InvocationType\": \"RequestResponse\"}", ""), "{}");

        assertEquals(ExecutionStatus.SUCCEEDED, result.status());
    }

    @Test
    void otherInvokeParametersAreRefusedAtLoad() {
        AslDefinitionException e = assertThrows(
                AslDefinitionException.class,
                () -> engine.load(machine("{\"FunctionName\": \"f\", \"Qualifier\": \"prod\"}", "")));

        assertEquals("Parameters.Qualifier", e.field());
    }

    @Test
    void aQualifiedFunctionNameFromAPathFailsTheExecutionUncaught() throws Exception {
        ExecutionResult result =
                run(machine("{\"FunctionName.$\": \"$.fn\"}", ""), "{\"fn\": \"" + FUNCTION_ARN + ":7\"}");

        assertEquals(ExecutionStatus.FAILED, result.status());
        assertEquals("States.Runtime", result.error());
        assertTrue(invoker.calls().isEmpty());
    }

    @Test
    void anInvocationTypeFromAPathOtherThanRequestResponseFailsTheExecutionUncaught() throws Exception {
        ExecutionResult result =
                run(machine("{\"FunctionName\": \"f\", \"InvocationType.$\": \"$.t\"}", ""), "{\"t\": \"Event\"}");

        assertEquals(ExecutionStatus.FAILED, result.status());
        assertEquals("States.Runtime", result.error());
        assertTrue(invoker.calls().isEmpty());
    }
}
