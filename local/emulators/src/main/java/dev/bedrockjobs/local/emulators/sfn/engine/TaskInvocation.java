package dev.bedrockjobs.local.emulators.sfn.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Optional;

/**
 * One attempt of a Task.
 *
 * @param parameters  the effective parameters (after InputPath and Parameters)
 * @param timeLimit   how long the attempt may take: the state's TimeoutSeconds or what remains of the execution's
 *                    time, whichever is shorter; empty when neither applies. Resources that call remote services
 *                    should pass it on as their request timeout.
 * @param attempt     1 for the first attempt of this visit of the state
 * @param roleArn     the state machine's role: Step Functions calls services with it, so resources that call AWS
 *                    APIs sign as it
 */
public record TaskInvocation(
        String executionArn,
        String stateName,
        JsonNode parameters,
        Optional<Duration> timeLimit,
        int attempt,
        String roleArn) {}
