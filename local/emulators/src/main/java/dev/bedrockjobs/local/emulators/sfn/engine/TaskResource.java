package dev.bedrockjobs.local.emulators.sfn.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.local.emulators.sfn.asl.AslDefinitionException;
import dev.bedrockjobs.local.emulators.sfn.asl.PayloadTemplate;
import java.util.Set;

/**
 * Something a Task state's {@code Resource} can name. The engine runs only the resources registered with it and
 * refuses any other at load time, as it refuses parameters outside {@link #requiredParameters()} and
 * {@link #optionalParameters()}.
 */
public interface TaskResource {

    /** The {@code Resource} ARN, e.g. {@code arn:aws:states:::bedrock:invokeModel}. */
    String arn();

    Set<String> requiredParameters();

    Set<String> optionalParameters();

    /**
     * Refuses, at load time, parameter values the resource cannot run, so that a definition fails when it is created
     * rather than on its first execution. Called after the parameter names were checked; values computed at run time
     * can only be checked by {@link #invoke}.
     *
     * @param parameters the Task's Parameters, or null when absent
     * @throws AslDefinitionException naming the state and the parameter
     */
    default void checkParameters(String state, PayloadTemplate parameters) {}

    /**
     * Runs one attempt.
     *
     * @return the task's result, before ResultSelector
     * @throws TaskFailure a failure the state's Retry and Catch may handle; {@link TaskFailure#timeout} when the
     *                     invocation's own time limit elapsed
     * @throws InterruptedException when the engine gives up on the attempt (its time limit passed)
     */
    JsonNode invoke(TaskInvocation invocation) throws TaskFailure, InterruptedException;
}
