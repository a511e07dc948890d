package dev.bedrockjobs.local.emulators.sfn.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * Who an execution is (the context object's Execution and StateMachine fields) and the service's own limit on its
 * duration.
 *
 * @param serviceTimeLimit the type's hard limit (5 minutes for Express), or null; the definition's
 *                         {@code TimeoutSeconds} applies too, whichever is shorter
 */
public record ExecutionSpec(
        String executionArn,
        String executionName,
        String stateMachineArn,
        String stateMachineName,
        String roleArn,
        Duration serviceTimeLimit) {

    /** Express workflows run at most five minutes. */
    public static final Duration EXPRESS_TIME_LIMIT = Duration.ofMinutes(5);

    public ExecutionSpec {
        Objects.requireNonNull(executionArn, "executionArn");
        Objects.requireNonNull(executionName, "executionName");
        Objects.requireNonNull(stateMachineArn, "stateMachineArn");
        Objects.requireNonNull(stateMachineName, "stateMachineName");
    }

    /** An Express execution of a machine called {@code test}, for tests and benchmarks. */
    public static ExecutionSpec express(String executionName) {
        String machineArn = "arn:aws:states:us-east-1:123456789012:stateMachine:test";
        return new ExecutionSpec(
                "arn:aws:states:us-east-1:123456789012:express:test:" + executionName + ":0",
                executionName,
                machineArn,
                "test",
                "arn:aws:iam::123456789012:role/test",
                EXPRESS_TIME_LIMIT);
    }
}
