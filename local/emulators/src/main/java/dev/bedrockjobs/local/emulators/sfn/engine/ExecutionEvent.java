package dev.bedrockjobs.local.emulators.sfn.engine;

import java.time.Duration;
import java.time.Instant;

/**
 * One line of an execution's history, for tests and diagnostics. Fields that do not apply to a type are null.
 *
 * @param attempt  the attempt number within the state visit, for task events
 * @param retrier  the index of the retrier that scheduled a retry, for {@link Type#RETRY_SCHEDULED}
 * @param delay    the chosen delay, for {@link Type#RETRY_SCHEDULED}
 */
public record ExecutionEvent(
        Type type,
        Instant timestamp,
        String state,
        Integer attempt,
        String error,
        String cause,
        Integer retrier,
        Duration delay) {

    public enum Type {
        EXECUTION_STARTED,
        STATE_ENTERED,
        TASK_STARTED,
        TASK_SUCCEEDED,
        TASK_FAILED,
        TASK_TIMED_OUT,
        RETRY_SCHEDULED,
        ERROR_CAUGHT,
        STATE_EXITED,
        EXECUTION_SUCCEEDED,
        EXECUTION_FAILED,
        EXECUTION_TIMED_OUT
    }

    static ExecutionEvent of(Type type, Instant timestamp, String state) {
        return new ExecutionEvent(type, timestamp, state, null, null, null, null, null);
    }
}
