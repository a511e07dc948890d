package dev.bedrockjobs.core.work;

/** Throttled or not ready: retried with the long backoff that spreads concurrent jobs out. */
public final class ModelThrottled extends ModelCallError {
    private static final long serialVersionUID = 1L;

    ModelThrottled(String error, String message, Throwable cause) {
        super(error, message, cause);
    }
}
