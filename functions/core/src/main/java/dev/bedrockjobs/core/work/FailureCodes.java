package dev.bedrockjobs.core.work;

import dev.bedrockjobs.core.domain.Json;
import java.util.Set;

/**
 * Maps the error that ended a model-call policy to the job's {@code error.code}. Both spellings of Bedrock errors are
 * accepted ({@code Bedrock.ThrottlingException} and {@code ThrottlingException}) because AWS does not document which
 * one the optimized integration raises.
 */
public final class FailureCodes {
    public static final String RETRIES_EXHAUSTED = "retries_exhausted";
    public static final String MODEL_TIMEOUT = "model_timeout";
    public static final String INVALID_MODEL_REQUEST = "invalid_model_request";
    public static final String MODEL_ACCESS_DENIED = "model_access_denied";
    public static final String MODEL_NOT_FOUND = "model_not_found";
    public static final String MODEL_QUOTA_EXCEEDED = "model_quota_exceeded";
    public static final String MODEL_ERROR = "model_error";
    public static final String INVALID_MODEL_RESPONSE = "invalid_model_response";
    public static final String DEAD_LETTERED = "dead_lettered";
    public static final String STREAM_INTERRUPTED = "stream_interrupted";

    private static final Set<String> RETRYABLE = Set.of(
            "ThrottlingException", "ServiceUnavailableException", "InternalServerException", "ModelNotReadyException");

    private FailureCodes() {}

    /**
     * As {@link #codeFor(String)}, for an error that may come from the streaming task: a {@link ModelCallError}
     * reaches Step Functions named by its class, with the service's own error at the start of the message that the
     * cause (Lambda's error document, {@code {errorMessage, errorType, stackTrace}}) carries.
     */
    public static String codeFor(String error, String cause) {
        if (ModelThrottled.class.getName().equals(error)
                || ModelUnavailable.class.getName().equals(error)) {
            return RETRIES_EXHAUSTED;
        }
        if (ModelFailed.class.getName().equals(error)
                || ModelRefused.class.getName().equals(error)) {
            String message = null;
            try {
                message = Json.parse(cause).path("errorMessage").asText(null);
            } catch (RuntimeException notJson) {
                message = cause;
            }
            return codeFor(ModelCallError.errorIn(message));
        }
        return codeFor(error);
    }

    public static String codeFor(String error) {
        if (error == null) {
            return MODEL_ERROR;
        }
        if (error.equals("States.Timeout")) {
            return MODEL_TIMEOUT;
        }
        String name = error.startsWith("Bedrock.") ? error.substring("Bedrock.".length()) : error;
        if (RETRYABLE.contains(name)) {
            return RETRIES_EXHAUSTED;
        }
        return switch (name) {
            case "ModelTimeoutException" -> MODEL_TIMEOUT;
            case "ValidationException" -> INVALID_MODEL_REQUEST;
            case "AccessDeniedException" -> MODEL_ACCESS_DENIED;
            case "ResourceNotFoundException" -> MODEL_NOT_FOUND;
            case "ServiceQuotaExceededException" -> MODEL_QUOTA_EXCEEDED;
            default -> MODEL_ERROR;
        };
    }
}
