package dev.bedrockjobs.core.work;

/** The service or the connection to it failed: retried as a transient server error. */
public final class ModelUnavailable extends ModelCallError {
    private static final long serialVersionUID = 1L;

    ModelUnavailable(String error, String message, Throwable cause) {
        super(error, message, cause);
    }
}
