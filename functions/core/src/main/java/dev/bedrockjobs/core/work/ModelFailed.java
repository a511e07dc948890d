package dev.bedrockjobs.core.work;

/** The model timed out or failed on its own: one more try at most. */
public final class ModelFailed extends ModelCallError {
    private static final long serialVersionUID = 1L;

    ModelFailed(String error, String message, Throwable cause) {
        super(error, message, cause);
    }
}
