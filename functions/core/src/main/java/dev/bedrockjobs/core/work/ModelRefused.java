package dev.bedrockjobs.core.work;

/** Refused for good (validation, access, quota, a call that is no longer the job's): never retried. */
public final class ModelRefused extends ModelCallError {
    private static final long serialVersionUID = 1L;

    ModelRefused(String error, String message, Throwable cause) {
        super(error, message, cause);
    }
}
