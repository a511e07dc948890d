package dev.bedrockjobs.local.emulators.sfn.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * How an execution ended.
 *
 * @param output  the final output when {@link ExecutionStatus#SUCCEEDED}, else null
 * @param error   the error name when FAILED or TIMED_OUT (null for a Fail state without Error)
 * @param cause   the cause text when FAILED or TIMED_OUT (null for a Fail state without Cause)
 */
public record ExecutionResult(
        ExecutionStatus status,
        JsonNode output,
        String error,
        String cause,
        Instant startDate,
        Instant stopDate,
        List<ExecutionEvent> history) {

    public ExecutionResult {
        history = List.copyOf(history);
    }

    /** The delays chosen by retriers, in order. */
    public List<Duration> retryDelays() {
        return history.stream()
                .filter(e -> e.type() == ExecutionEvent.Type.RETRY_SCHEDULED)
                .map(ExecutionEvent::delay)
                .toList();
    }

    /** How many task attempts started in the named state, over all its visits. */
    public long attempts(String state) {
        return history.stream()
                .filter(e -> e.type() == ExecutionEvent.Type.TASK_STARTED
                        && e.state().equals(state))
                .count();
    }

    public Duration duration() {
        return Duration.between(startDate, stopDate);
    }
}
