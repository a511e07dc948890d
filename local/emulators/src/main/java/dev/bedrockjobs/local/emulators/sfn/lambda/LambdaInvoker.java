package dev.bedrockjobs.local.emulators.sfn.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Runs a function for {@link LambdaInvokeResource}: whatever hosts the functions (the local stack runs them in its
 * JVM) answers here, so that the engine needs to know nothing of how they run.
 */
@FunctionalInterface
public interface LambdaInvoker {

    /**
     * One synchronous ({@code RequestResponse}) invocation.
     *
     * @param function     the task's {@code FunctionName}, naming the unpublished code ({@code $LATEST})
     * @param payload      the event, a JSON value
     * @param timeLimit    how long the attempt may take; an invoker that cannot finish within it answers
     *                     {@link TimedOut}
     * @param roleArn      the state machine's role, which calls Lambda in Step Functions
     * @throws InterruptedException when the engine gives up on the attempt
     */
    Outcome invoke(FunctionReference function, JsonNode payload, Optional<Duration> timeLimit, String roleArn)
            throws InterruptedException;

    /** How an invocation ended. */
    sealed interface Outcome permits Returned, FunctionError, Unhandled, ServiceError, TimedOut {}

    /** The function returned: its result, as the JSON Lambda would send back. */
    record Returned(JsonNode payload) implements Outcome {}

    /**
     * The function raised an error and its runtime reported it (Lambda's error payload). For a Java handler the type
     * is the exception's fully qualified class name and the trace its frames as {@code class.method(File.java:n)}.
     */
    record FunctionError(String errorType, String errorMessage, List<String> stackTrace) implements Outcome {
        public FunctionError {
            stackTrace = List.copyOf(stackTrace);
        }
    }

    /** The function failed without an error type: it ran out of its own timeout or memory, or its runtime died. */
    record Unhandled(String errorMessage) implements Outcome {}

    /**
     * Lambda itself refused or failed the call, before or around the function: {@code errorCode} is the exception
     * name Step Functions prefixes with {@code Lambda.} ({@code ResourceNotFoundException},
     * {@code TooManyRequestsException}, {@code ServiceException}, {@code AWSLambdaException}...).
     */
    record ServiceError(String errorCode, String message) implements Outcome {}

    /** The attempt's time limit passed before the function answered. */
    record TimedOut(String message) implements Outcome {}
}
