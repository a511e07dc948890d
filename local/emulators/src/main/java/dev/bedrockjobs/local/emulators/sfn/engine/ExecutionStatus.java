package dev.bedrockjobs.local.emulators.sfn.engine;

/** Execution statuses, as the Step Functions API spells them. */
public enum ExecutionStatus {
    RUNNING,
    SUCCEEDED,
    FAILED,
    TIMED_OUT,
    ABORTED
}
