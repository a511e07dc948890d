package dev.bedrockjobs.local.emulators.sfn;

import dev.bedrockjobs.local.emulators.sfn.asl.StateMachineDefinition;
import java.time.Instant;

/**
 * A registered state machine.
 *
 * @param definitionText the definition as given (after any substitution)
 * @param definition     its parsed form
 */
public record StateMachine(
        String name,
        String arn,
        StateMachineType type,
        String definitionText,
        String roleArn,
        Instant creationDate,
        StateMachineDefinition definition) {}
