package dev.bedrockjobs.local.emulators.sfn.asl;

import java.util.Objects;

/**
 * An error raised while a state runs, named as Step Functions names errors ({@code States.Timeout},
 * {@code Bedrock.ThrottlingException}...), with its cause text. What a Retrier or Catcher matches on.
 */
public final class StatesError extends RuntimeException {

    private final String error;
    private final String cause;

    public StatesError(String error, String cause) {
        super(error + ": " + cause, null, false, false);
        this.error = error;
        this.cause = cause == null ? "" : cause;
    }

    /** Data-processing failures (paths, intrinsics, ResultPath): terminal, never retried or caught. */
    public static StatesError runtime(String cause) {
        return new StatesError(ErrorNames.RUNTIME, cause);
    }

    public String error() {
        return error;
    }

    /** The cause text; never null. */
    public String errorCause() {
        return cause;
    }

    /** Whether no Retrier or Catcher may handle it, {@code States.ALL} included. */
    public boolean isTerminal() {
        return ErrorNames.isTerminal(error);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof StatesError that && error.equals(that.error) && cause.equals(that.cause);
    }

    @Override
    public int hashCode() {
        return Objects.hash(error, cause);
    }
}
