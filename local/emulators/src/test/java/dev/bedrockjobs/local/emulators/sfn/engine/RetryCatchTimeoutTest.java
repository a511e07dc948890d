package dev.bedrockjobs.local.emulators.sfn.engine;

import static dev.bedrockjobs.local.emulators.sfn.engine.EngineFixture.json;
import static dev.bedrockjobs.local.emulators.sfn.engine.EngineFixture.taskMachine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.bedrockjobs.local.emulators.sfn.asl.StateMachineDefinition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Retry, Catch and timeout semantics of the engine, on virtual time. */
class RetryCatchTimeoutTest {

    private static List<Duration> seconds(double... values) {
        List<Duration> durations = new ArrayList<>();
        for (double value : values) {
            durations.add(Duration.ofMillis(Math.round(value * 1000)));
        }
        return durations;
    }

    @Test
    void retriesWithExponentialBackoffThenSucceeds() {
        try (EngineFixture f =
                new EngineFixture(new ScriptedResource().fail("E", 3).succeed(TextNode.valueOf("ok")))) {
            ExecutionResult result = f.run(taskMachine("""
                    "Retry": [{"ErrorEquals": ["E"], "IntervalSeconds": 1, "MaxAttempts": 3, "BackoffRate": 2}]"""), "{}");

            assertEquals(ExecutionStatus.SUCCEEDED, result.status());
            assertEquals(TextNode.valueOf("ok"), result.output());
            assertEquals(4, result.attempts("T"));
            assertEquals(seconds(1, 2, 4), result.retryDelays());
            assertEquals(seconds(1, 2, 4), f.time.sleeps());
            assertEquals(Duration.ofSeconds(7), result.duration());
        }
    }

    @Test
    void retrierDefaultsAreOneSecondThreeAttemptsAndRateTwo() {
        try (EngineFixture f = new EngineFixture(new ScriptedResource().fail("E", 1))) {
            ExecutionResult result = f.run(taskMachine("\"Retry\": [{\"ErrorEquals\": [\"E\"]}]"), "{}");

            assertEquals(ExecutionStatus.FAILED, result.status());
            assertEquals("E", result.error());
            assertEquals("scripted E", result.cause());
            assertEquals(4, result.attempts("T"));
            assertEquals(seconds(1, 2, 4), result.retryDelays());
        }
    }

    @Test
    void maxAttemptsZeroNeverRetries() {
        try (EngineFixture f = new EngineFixture(new ScriptedResource().fail("E", 1))) {
            ExecutionResult result =
                    f.run(taskMachine("\"Retry\": [{\"ErrorEquals\": [\"E\"], \"MaxAttempts\": 0}]"), "{}");

            assertEquals(1, result.attempts("T"));
            assertEquals(ExecutionStatus.FAILED, result.status());
        }
    }

    @Test
    void maxDelaySecondsCapsTheBackoff() {
        try (EngineFixture f =
                new EngineFixture(new ScriptedResource().fail("E", 4).succeed(TextNode.valueOf("ok")))) {
            ExecutionResult result = f.run(taskMachine("""
                    "Retry": [{"ErrorEquals": ["E"], "IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 4,
                               "MaxDelaySeconds": 10}]"""), "{}");

            assertEquals(seconds(2, 6, 10, 10), result.retryDelays());
        }
    }

    @Test
    void nonIntegralBackoffKeepsMillisecondPrecision() {
        try (EngineFixture f =
                new EngineFixture(new ScriptedResource().fail("E", 3).succeed(TextNode.valueOf("ok")))) {
            ExecutionResult result = f.run(taskMachine("""
                    "Retry": [{"ErrorEquals": ["E"], "IntervalSeconds": 1, "BackoffRate": 1.5}]"""), "{}");

            assertEquals(seconds(1, 1.5, 2.25), result.retryDelays());
        }
    }

    @Test
    void fullJitterDrawsUniformlyBetweenZeroAndTheCappedBackoff() {
        long seed = 42;
        try (EngineFixture f =
                new EngineFixture(new ScriptedResource().fail("E", 5).succeed(TextNode.valueOf("ok")), seed)) {
            ExecutionResult result = f.run(taskMachine("""
                    "Retry": [{"ErrorEquals": ["E"], "IntervalSeconds": 2, "BackoffRate": 2, "MaxAttempts": 5,
                               "MaxDelaySeconds": 10, "JitterStrategy": "FULL"}]"""), "{}");

            Random sameSeed = new Random(seed);
            double[] capped = {2, 4, 8, 10, 10};
            List<Duration> expected = new ArrayList<>();
            for (double backoff : capped) {
                expected.add(Duration.ofMillis(Math.round(backoff * sameSeed.nextDouble() * 1000)));
            }
            assertEquals(expected, result.retryDelays());
            for (int i = 0; i < capped.length; i++) {
                Duration delay = result.retryDelays().get(i);
                assertTrue(!delay.isNegative() && delay.toMillis() <= capped[i] * 1000, "delay " + delay);
            }
        }
    }

    @Test
    void retriersAreScannedInOrderAndEachKeepsItsOwnCount() {
        // The example of the Step Functions developer guide: ErrorA, ErrorB, ErrorC, ErrorB.
        try (EngineFixture f = new EngineFixture(new ScriptedResource().fail("ErrorA", "ErrorB", "ErrorC", "ErrorB"))) {
            ExecutionResult result = f.run(taskMachine("""
                    "Retry": [{"ErrorEquals": ["ErrorA", "ErrorB"], "IntervalSeconds": 1, "BackoffRate": 2, "MaxAttempts": 2},
                              {"ErrorEquals": ["ErrorC"], "IntervalSeconds": 5}],
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Z"}]"""), "{}");

            assertEquals(seconds(1, 2, 5), result.retryDelays());
            assertEquals(4, result.attempts("T"));
            assertEquals(ExecutionStatus.SUCCEEDED, result.status());
            assertEquals(json("{\"Error\": \"ErrorB\", \"Cause\": \"scripted ErrorB\"}"), result.output());
        }
    }

    @Test
    void anExhaustedMatchingRetrierStopsTheScanEvenIfALaterOneMatches() {
        try (EngineFixture f = new EngineFixture(new ScriptedResource().fail("E", 5))) {
            ExecutionResult result = f.run(taskMachine("""
                    "Retry": [{"ErrorEquals": ["E"], "MaxAttempts": 1},
                              {"ErrorEquals": ["States.ALL"], "MaxAttempts": 5}]"""), "{}");

            assertEquals(2, result.attempts("T"));
            assertEquals(ExecutionStatus.FAILED, result.status());
        }
    }

    @Test
    void taskFailedMatchesTaskErrorsButNotTimeouts() {
        try (EngineFixture retried = new EngineFixture(
                        new ScriptedResource().fail("Custom.Error", 1).succeed(TextNode.valueOf("ok")));
                EngineFixture notRetried = new EngineFixture(new ScriptedResource().hang(1))) {
            String policy = """
                    "TimeoutSeconds": 5,
                    "Retry": [{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 2}],
                    "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "Z"}]""";

            assertEquals(
                    ExecutionStatus.SUCCEEDED,
                    retried.run(taskMachine(policy), "{}").status());
            ExecutionResult timedOut = notRetried.run(taskMachine(policy), "{}");
            assertEquals(1, timedOut.attempts("T"));
            assertEquals("States.Timeout", timedOut.output().get("Error").asText());
        }
    }

    @Test
    void aTaskTimeoutRaisesStatesTimeoutWhichRetryHandles() {
        try (EngineFixture f = new EngineFixture(new ScriptedResource().hang(1).succeed(TextNode.valueOf("ok")))) {
            ExecutionResult result = f.run(taskMachine("""
                    "TimeoutSeconds": 5,
                    "Retry": [{"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 1, "MaxAttempts": 1}]"""), "{}");

            assertEquals(ExecutionStatus.SUCCEEDED, result.status());
            assertEquals(2, result.attempts("T"));
            assertEquals(Duration.ofSeconds(6), result.duration(), "5 s timed-out attempt + 1 s delay");
            assertTrue(result.history().stream().anyMatch(e -> e.type() == ExecutionEvent.Type.TASK_TIMED_OUT));
            assertEquals(
                    Optional.of(Duration.ofSeconds(5)),
                    f.resource.invocations().get(0).timeLimit());
        }
    }

    @Test
    void aTaskTimeoutNotRetriedIsCaughtWithItsErrorOutput() {
        try (EngineFixture f = new EngineFixture(new ScriptedResource().hang(2))) {
            ExecutionResult result = f.run(taskMachine("""
                    "TimeoutSeconds": 5,
                    "Retry": [{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 1}],
                    "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Z"}]"""), "{\"job\": \"j-1\"}");

            assertEquals(2, result.attempts("T"));
            assertEquals("j-1", result.output().get("job").asText());
            assertEquals("States.Timeout", result.output().at("/error/Error").asText());
            assertTrue(result.output().at("/error/Cause").asText().contains("5 seconds"));
        }
    }

    @Test
    void catchResultPathDefaultReplacesTheInputWithTheErrorOutput() {
        try (EngineFixture f = new EngineFixture(new ScriptedResource().fail("E", 1))) {
            ExecutionResult result = f.run(
                    taskMachine("\"Catch\": [{\"ErrorEquals\": [\"E\"], \"Next\": \"Z\"}]"), "{\"job\": \"j-1\"}");

            assertEquals(json("{\"Error\": \"E\", \"Cause\": \"scripted E\"}"), result.output());
        }
    }

    @Test
    void catchResultPathNullKeepsTheInputAsIs() {
        try (EngineFixture f = new EngineFixture(new ScriptedResource().fail("E", 1))) {
            ExecutionResult result = f.run(
                    taskMachine("\"Catch\": [{\"ErrorEquals\": [\"E\"], \"ResultPath\": null, \"Next\": \"Z\"}]"),
                    "{\"job\": \"j-1\"}");

            assertEquals(json("{\"job\": \"j-1\"}"), result.output());
        }
    }

    @Test
    void catchersAreScannedInOrder() {
        String definition = """
                {"StartAt": "T", "States": {
                  "T": {"Type": "Task", "Resource": "%s",
                        "Catch": [{"ErrorEquals": ["Other"], "Next": "A"},
                                  {"ErrorEquals": ["E", "Other2"], "Next": "B"},
                                  {"ErrorEquals": ["States.ALL"], "Next": "A"}],
                        "End": true},
                  "A": {"Type": "Pass", "Result": "A", "End": true},
                  "B": {"Type": "Pass", "Result": "B", "End": true}
                }}""".formatted(ScriptedResource.ARN);
        try (EngineFixture f = new EngineFixture(new ScriptedResource().fail("E", 1))) {
            assertEquals(TextNode.valueOf("B"), f.run(definition, "{}").output());
        }
    }

    @Test
    void statesAllCatchesNeitherRuntimeErrorsNorAreTheyRetried() {
        try (EngineFixture f = new EngineFixture(new ScriptedResource(java.util.Set.of("x")).echo())) {
            ExecutionResult result = f.run(taskMachine("""
                    "Parameters": {"x.$": "$.missing"},
                    "Retry": [{"ErrorEquals": ["States.ALL"]}],
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Z"}]"""), "{}");

            assertEquals(ExecutionStatus.FAILED, result.status());
            assertEquals("States.Runtime", result.error());
            assertTrue(result.cause().contains("'$.missing'"), result.cause());
            assertEquals(0, result.attempts("T"));
        }
    }

    @Test
    void aRetriersCountSpansEveryVisitToTheState() {
        // T fails, is retried twice, is caught, and the loop comes back to T once: the second visit gets no retry.
        String definition = """
                {"StartAt": "Init", "States": {
                  "Init": {"Type": "Pass", "Result": {"visits": 0}, "Next": "T"},
                  "T": {"Type": "Task", "Resource": "%s", "ResultPath": null,
                        "Retry": [{"ErrorEquals": ["E"], "MaxAttempts": 2}],
                        "Catch": [{"ErrorEquals": ["E"], "ResultPath": null, "Next": "Count"}],
                        "End": true},
                  "Count": {"Type": "Pass", "Parameters": {"visits.$": "States.MathAdd($.visits, 1)"}, "Next": "Again"},
                  "Again": {"Type": "Choice",
                            "Choices": [{"Variable": "$.visits", "NumericLessThan": 2, "Next": "T"}],
                            "Default": "Done"},
                  "Done": {"Type": "Succeed"}
                }}""".formatted(ScriptedResource.ARN);
        try (EngineFixture f = new EngineFixture(new ScriptedResource().fail("E", 1))) {
            ExecutionResult result = f.run(definition, "{}");

            assertEquals(ExecutionStatus.SUCCEEDED, result.status());
            assertEquals(json("{\"visits\": 2}"), result.output());
            assertEquals(4, result.attempts("T"), "3 attempts on the first visit, 1 on the second");
            assertEquals(2, result.retryDelays().size());
        }
    }

    @Test
    void retryCountInTheContextObjectCountsTheRetriesOfThisVisit() {
        try (EngineFixture f =
                new EngineFixture(new ScriptedResource().fail("E", 2).succeed(json("{\"v\": 1}")))) {
            ExecutionResult result = f.run(taskMachine("""
                    "ResultSelector": {"value.$": "$.v", "attempts.$": "States.MathAdd($$.State.RetryCount, 1)",
                                       "retries.$": "$$.State.RetryCount"},
                    "Retry": [{"ErrorEquals": ["E"]}]"""), "{}");

            assertEquals(json("{\"value\": 1, \"attempts\": 3, \"retries\": 2}"), result.output());
        }
    }

    @Test
    void theExecutionTimeoutEndsTheExecutionEvenDuringABackoffAndIsNotCaught() {
        try (EngineFixture f = new EngineFixture(new ScriptedResource().fail("E", 1))) {
            ExecutionResult result = f.run("""
                    {"StartAt": "T", "TimeoutSeconds": 10, "States": {
                      "T": {"Type": "Task", "Resource": "%s",
                            "Retry": [{"ErrorEquals": ["E"], "IntervalSeconds": 4, "MaxAttempts": 5}],
                            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Z"}],
                            "End": true},
                      "Z": {"Type": "Pass", "End": true}
                    }}""".formatted(ScriptedResource.ARN), "{}");

            assertEquals(ExecutionStatus.TIMED_OUT, result.status());
            assertEquals("States.Timeout", result.error());
            assertNull(result.output());
            assertEquals(2, result.attempts("T"));
            assertEquals(seconds(4, 6), f.time.sleeps(), "4 s, then only the 6 s left of the 8 s delay");
            assertEquals(Duration.ofSeconds(10), result.duration());
        }
    }

    @Test
    void theExecutionTimeoutCutsAHungTaskWhoseOwnTimeoutIsLonger() {
        try (EngineFixture f = new EngineFixture(new ScriptedResource().hang(1))) {
            ExecutionResult result = f.run("""
                    {"StartAt": "T", "TimeoutSeconds": 3, "States": {
                      "T": {"Type": "Task", "Resource": "%s", "TimeoutSeconds": 10,
                            "Retry": [{"ErrorEquals": ["States.Timeout"]}],
                            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Z"}],
                            "End": true},
                      "Z": {"Type": "Pass", "End": true}
                    }}""".formatted(ScriptedResource.ARN), "{}");

            assertEquals(ExecutionStatus.TIMED_OUT, result.status());
            assertEquals(1, result.attempts("T"));
            assertEquals(
                    Optional.of(Duration.ofSeconds(3)),
                    f.resource.invocations().get(0).timeLimit());
        }
    }

    @Test
    void expressExecutionsStopAtFiveMinutesWithoutATimeoutOfTheirOwn() {
        try (EngineFixture f = new EngineFixture(new ScriptedResource().fail("E", 1))) {
            StateMachineDefinition definition = f.engine.load(taskMachine(
                    "\"Retry\": [{\"ErrorEquals\": [\"E\"], \"IntervalSeconds\": 100, \"MaxAttempts\": 5}]"));
            ExecutionResult express = f.run(definition, "{}", ExecutionSpec.express("x"));

            assertEquals(ExecutionStatus.TIMED_OUT, express.status());
            assertEquals(Duration.ofMinutes(5), express.duration());
        }
    }
}
