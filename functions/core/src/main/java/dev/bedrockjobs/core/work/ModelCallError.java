package dev.bedrockjobs.core.work;

/**
 * How a streamed model call failed before any of its answer was stored, as the job state machine's retriers tell
 * failures apart. A Java function's error reaches Step Functions named by its exception's class, so each retry group
 * is a class of its own, named in {@code statemachine/job.asl.json}; the message starts with the service's own name
 * for the error (e.g. {@code ThrottlingException: Too many requests}), from which the job's error code is read.
 */
public abstract sealed class ModelCallError extends RuntimeException
        permits ModelThrottled, ModelUnavailable, ModelFailed, ModelRefused {
    private static final long serialVersionUID = 1L;
    private final String error;

    ModelCallError(String error, String message, Throwable cause) {
        super(error + ": " + message, cause);
        this.error = error;
    }

    /** The service's name for the error, e.g. {@code ThrottlingException}. */
    public String error() {
        return error;
    }

    /** The service's error name at the start of a message this class wrote, or null. */
    public static String errorIn(String message) {
        if (message == null) {
            return null;
        }
        int colon = message.indexOf(':');
        return colon <= 0 ? null : message.substring(0, colon);
    }
}
