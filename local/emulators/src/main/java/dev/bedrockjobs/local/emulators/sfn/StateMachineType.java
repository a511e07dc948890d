package dev.bedrockjobs.local.emulators.sfn;

/** Step Functions workflow types. */
public enum StateMachineType {
    STANDARD,
    EXPRESS
}
