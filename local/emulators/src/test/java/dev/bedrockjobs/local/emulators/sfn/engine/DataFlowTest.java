package dev.bedrockjobs.local.emulators.sfn.engine;

import static dev.bedrockjobs.local.emulators.sfn.engine.EngineFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Input and output processing, the context object, intrinsics, Choice, Pass, Succeed and Fail. */
class DataFlowTest {

    private static final String ARN = ScriptedResource.ARN;

    @Test
    void inputPathParametersResultSelectorResultPathAndOutputPathApplyInOrder() {
        String definition = """
                {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "%s",
                  "InputPath": "$.request",
                  "Parameters": {"model.$": "$.model", "fixed": {"n": 1},
                                 "messages": [{"role": "user", "content.$": "$.prompt"}],
                                 "first.$": "$.tags[0]", "quoted.$": "$['odd key']"},
                  "ResultSelector": {"echoed.$": "$.messages[0].content", "model.$": "$.model"},
                  "ResultPath": "$.result.inner",
                  "OutputPath": "$.result",
                  "End": true}}}""".formatted(ARN);
        try (EngineFixture f = new EngineFixture(
                new ScriptedResource(Set.of("model", "fixed", "messages", "first", "quoted")).echo())) {
            ExecutionResult result = f.run(definition, """
                    {"request": {"model": "m", "prompt": "hi", "tags": ["a", "b"], "odd key": 7}, "keep": true}""");

            assertEquals(json("""
                    {"model": "m", "fixed": {"n": 1}, "messages": [{"role": "user", "content": "hi"}],
                     "first": "a", "quoted": 7}"""), f.resource.invocations().get(0).parameters());
            assertEquals(json("{\"inner\": {\"echoed\": \"hi\", \"model\": \"m\"}}"), result.output());
        }
    }

    @Test
    void resultPathNullDiscardsTheResultAndOutputPathNullGivesAnEmptyObject() {
        String definition = """
                {"StartAt": "T", "States": {
                  "T": {"Type": "Task", "Resource": "%s", "ResultPath": null, "Next": "U"},
                  "U": {"Type": "Pass", "OutputPath": null, "End": true}}}""".formatted(ARN);
        try (EngineFixture f = new EngineFixture(new ScriptedResource().succeed(TextNode.valueOf("dropped")))) {
            assertEquals(json("{}"), f.run(definition, "{\"a\": 1}").output());
        }
    }

    @Test
    void theContextObjectDescribesTheExecutionAndTheState() {
        String definition = """
                {"StartAt": "Describe", "States": {"Describe": {"Type": "Pass", "Parameters": {
                  "id.$": "$$.Execution.Id", "name.$": "$$.Execution.Name", "start.$": "$$.Execution.StartTime",
                  "input.$": "$$.Execution.Input.job", "state.$": "$$.State.Name", "entered.$": "$$.State.EnteredTime",
                  "retries.$": "$$.State.RetryCount", "machine.$": "$$.StateMachine.Name"}, "End": true}}}""";
        try (EngineFixture f = new EngineFixture(new ScriptedResource())) {
            ExecutionResult result = f.run(definition, "{\"job\": \"j-1\"}");

            assertEquals(json("""
                    {"id": "arn:aws:states:us-east-1:123456789012:express:test:run:0", "name": "run",
                     "start": "2025-01-01T00:00:00.000Z", "input": "j-1", "state": "Describe",
                     "entered": "2025-01-01T00:00:00.000Z", "retries": 0, "machine": "test"}"""), result.output());
        }
    }

    @Test
    void intrinsicFunctionsFormatParseSerialiseAndAdd() {
        String definition = """
                {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {
                  "greeting.$": "States.Format('Hello {}, you are {} \\\\{literal\\\\} it\\\\'s {}', $.name, $.age, $.ok)",
                  "fromTemplate.$": "States.Format($.template, $.name)",
                  "parsed.$": "States.StringToJson($.escaped)",
                  "serialised.$": "States.JsonToString($.object)",
                  "sum.$": "States.MathAdd($.age, -2)",
                  "nested.$": "States.Format('{}', States.MathAdd(1, 2))",
                  "array.$": "States.Array($.name, 1, true, null)"}, "End": true}}}""";
        try (EngineFixture f = new EngineFixture(new ScriptedResource())) {
            ExecutionResult result = f.run(definition, """
                    {"name": "Ada", "age": 36, "ok": true, "template": "Hi {}!", "escaped": "{\\"a\\": [1]}",
                     "object": {"b": "c"}}""");

            assertEquals(ExecutionStatus.SUCCEEDED, result.status(), result.cause());
            assertEquals(json("""
                    {"greeting": "Hello Ada, you are 36 {literal} it's true", "fromTemplate": "Hi Ada!",
                     "parsed": {"a": [1]}, "serialised": "{\\"b\\":\\"c\\"}", "sum": 34, "nested": "3",
                     "array": ["Ada", 1, true, null]}"""), result.output());
        }
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "States.MathAdd($.x, 1)          | {\"x\": 1.5}",
                "States.MathAdd($.x, 1)          | {\"x\": \"1\"}",
                "States.StringToJson($.x)        | {\"x\": \"not json\"}",
                "States.Format($.x, 1)           | {\"x\": \"no placeholder\"}",
                "States.Format('{}', $.x)        | {\"x\": {\"an\": \"object\"}}",
            })
    void failingIntrinsicsRaiseStatesRuntime(String call, String input) {
        String definition = "{\"StartAt\": \"P\", \"States\": {\"P\": {\"Type\": \"Pass\", "
                + "\"Parameters\": {\"v.$\": \"" + call + "\"}, \"End\": true}}}";
        try (EngineFixture f = new EngineFixture(new ScriptedResource())) {
            ExecutionResult result = f.run(definition, input);

            assertEquals(ExecutionStatus.FAILED, result.status());
            assertEquals("States.Runtime", result.error());
        }
    }

    @Test
    void passStateResultGoesThroughResultPath() {
        try (EngineFixture f = new EngineFixture(new ScriptedResource())) {
            ExecutionResult result = f.run("""
                    {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"x": 1}, "ResultPath": "$.added",
                      "End": true}}}""", "{\"kept\": true}");

            assertEquals(json("{\"kept\": true, \"added\": {\"x\": 1}}"), result.output());
        }
    }

    @Test
    void resultPathIntoAScalarIsARuntimeError() {
        try (EngineFixture f = new EngineFixture(new ScriptedResource())) {
            ExecutionResult result = f.run("""
                    {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 1, "ResultPath": "$.a.b",
                      "End": true}}}""", "{\"a\": 5}");

            assertEquals("States.Runtime", result.error());
        }
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"status\": \"done\", \"n\": 3, \"flag\": true}   | Done",
                "{\"status\": \"busy\", \"n\": 3, \"flag\": true}   | Numbers",
                "{\"status\": \"busy\", \"n\": 10, \"flag\": false} | Flag",
                "{\"status\": \"busy\", \"n\": 10, \"flag\": true}  | Compound",
                "{\"status\": \"new\", \"n\": 10, \"flag\": true}   | Other",
            })
    void choiceRulesAreTriedInOrder(String input, String expected) {
        String definition = """
                {"StartAt": "C", "States": {
                  "C": {"Type": "Choice", "Choices": [
                    {"Variable": "$.status", "StringEquals": "done", "Next": "Done"},
                    {"And": [{"Variable": "$.n", "NumericGreaterThanEquals": 1},
                             {"Variable": "$.n", "NumericLessThan": 5}], "Next": "Numbers"},
                    {"Variable": "$.flag", "BooleanEquals": false, "Next": "Flag"},
                    {"Or": [{"Not": {"Variable": "$.missing", "IsPresent": false}},
                            {"And": [{"Variable": "$.n", "NumericEquals": 10}, {"Variable": "$.status", "IsString": true},
                                     {"Variable": "$.status", "StringEquals": "busy"}]}], "Next": "Compound"}],
                    "Default": "Other"},
                  "Done": {"Type": "Pass", "Result": "Done", "End": true},
                  "Numbers": {"Type": "Pass", "Result": "Numbers", "End": true},
                  "Flag": {"Type": "Pass", "Result": "Flag", "End": true},
                  "Compound": {"Type": "Pass", "Result": "Compound", "End": true},
                  "Other": {"Type": "Pass", "Result": "Other", "End": true}}}""";
        try (EngineFixture f = new EngineFixture(new ScriptedResource())) {
            assertEquals(TextNode.valueOf(expected), f.run(definition, input).output());
        }
    }

    @Test
    void choiceWithoutMatchOrDefaultFailsAndAMissingVariableIsARuntimeError() {
        String definition = """
                {"StartAt": "C", "States": {
                  "C": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "S"}]},
                  "S": {"Type": "Succeed"}}}""";
        try (EngineFixture f = new EngineFixture(new ScriptedResource())) {
            assertEquals(
                    "States.NoChoiceMatched", f.run(definition, "{\"n\": 2}").error());
            assertEquals("States.Runtime", f.run(definition, "{}").error());
            assertEquals(
                    ExecutionStatus.SUCCEEDED, f.run(definition, "{\"n\": 1}").status());
        }
    }

    @Test
    void failStateEndsTheExecutionWithItsErrorAndCause() {
        try (EngineFixture f = new EngineFixture(new ScriptedResource())) {
            ExecutionResult result = f.run("""
                    {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Job.Bad", "Cause": "why"}}}""", "{}");

            assertEquals(ExecutionStatus.FAILED, result.status());
            assertEquals("Job.Bad", result.error());
            assertEquals("why", result.cause());
            assertNull(result.output());
        }
    }

    @Test
    void succeedStateAppliesItsPaths() {
        try (EngineFixture f = new EngineFixture(new ScriptedResource())) {
            ExecutionResult result = f.run("""
                    {"StartAt": "S", "States": {"S": {"Type": "Succeed", "InputPath": "$.a", "OutputPath": "$.b"}}}""", "{\"a\": {\"b\": 42}}");

            assertEquals(json("42"), result.output());
        }
    }

    @Test
    void anInputPathSelectingNothingIsARuntimeError() {
        try (EngineFixture f = new EngineFixture(new ScriptedResource())) {
            ExecutionResult result = f.run("""
                    {"StartAt": "S", "States": {"S": {"Type": "Pass", "InputPath": "$.nope", "End": true}}}""", "{}");

            assertEquals("States.Runtime", result.error());
            assertTrue(result.cause().contains("$.nope"));
        }
    }

    @Test
    void outputsLargerThan256KiBExceedTheDataLimitWhichNothingCatches() {
        String big = "x".repeat(300 * 1024);
        try (EngineFixture f = new EngineFixture(new ScriptedResource().succeed(TextNode.valueOf(big)))) {
            ExecutionResult result = f.run(
                    EngineFixture.taskMachine("\"Catch\": [{\"ErrorEquals\": [\"States.ALL\"], \"Next\": \"Z\"}]"),
                    "{}");

            assertEquals(ExecutionStatus.FAILED, result.status());
            assertEquals("States.DataLimitExceeded", result.error());
        }
    }
}
