package dev.bedrockjobs.local.emulators.sfn.engine;

import dev.bedrockjobs.local.emulators.sfn.asl.ErrorNames;

/** A task attempt that failed with a named error, which the state's Retry and Catch see. */
public final class TaskFailure extends Exception {

    private final String error;
    private final String errorCause;

    public TaskFailure(String error, String cause) {
        super(error + ": " + cause, null, false, false);
        this.error = error;
        this.errorCause = cause == null ? "" : cause;
    }

    /** The attempt ran out of its {@link TaskInvocation#timeLimit()}. */
    public static TaskFailure timeout(String cause) {
        return new TaskFailure(ErrorNames.TIMEOUT, cause);
    }

    public String error() {
        return error;
    }

    public String errorCause() {
        return errorCause;
    }

    public boolean isTimeout() {
        return ErrorNames.TIMEOUT.equals(error);
    }
}
