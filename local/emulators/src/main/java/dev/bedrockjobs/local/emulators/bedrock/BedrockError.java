package dev.bedrockjobs.local.emulators.bedrock;

/**
 * An error answer of the Bedrock runtime: HTTP status, the exception name the SDK maps to its exception class, and
 * the human message. Thrown inside the simulator, turned into a response by {@link InvokeModelHandler}.
 */
final class BedrockError extends RuntimeException {

    private final int status;
    private final String type;

    private BedrockError(int status, String type, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
    }

    int status() {
        return status;
    }

    /** The exception name, e.g. {@code ThrottlingException}. */
    String type() {
        return type;
    }

    /**
     * The name of the response-stream member that carries this error once a stream has started, e.g.
     * {@code throttlingException}: the event-stream {@code :exception-type} header the SDK maps back to its class.
     */
    String streamMemberName() {
        return Character.toLowerCase(type.charAt(0)) + type.substring(1);
    }

    static BedrockError throttling() {
        return new BedrockError(429, "ThrottlingException", "Too many requests, please wait before trying again.");
    }

    static BedrockError modelNotReady() {
        return new BedrockError(
                429, "ModelNotReadyException", "Model is not ready to serve inference requests. Try again later.");
    }

    static BedrockError serviceUnavailable() {
        return new BedrockError(503, "ServiceUnavailableException", "Bedrock is unable to process your request.");
    }

    static BedrockError internal() {
        return new BedrockError(
                500,
                "InternalServerException",
                "The server encountered an internal error while processing the request.");
    }

    static BedrockError modelTimeout() {
        return new BedrockError(
                408, "ModelTimeoutException", "Model has timed out in processing the request. Try your request again.");
    }

    static BedrockError modelError() {
        return new BedrockError(424, "ModelErrorException", "The model encountered an error processing the request.");
    }

    /** Fails a stream the model broke off; only InvokeModelWithResponseStream sends it, and only mid-stream. */
    static BedrockError modelStreamError() {
        return new BedrockError(
                424, "ModelStreamErrorException", "The model failed while streaming its response (simulated).");
    }

    static BedrockError validation(String message) {
        return new BedrockError(400, "ValidationException", message);
    }

    static BedrockError accessDenied() {
        return new BedrockError(
                403, "AccessDeniedException", "You don't have access to the model with the specified model ID.");
    }

    static BedrockError resourceNotFound(String message) {
        return new BedrockError(404, "ResourceNotFoundException", message);
    }

    static BedrockError serviceQuotaExceeded() {
        return new BedrockError(
                400, "ServiceQuotaExceededException", "Your request exceeds the service quota for your account.");
    }

    static BedrockError unknownOperation(String method, String path) {
        return new BedrockError(
                404,
                "UnknownOperationException",
                "The local Bedrock simulator implements POST /model/{modelId}/invoke and /invoke-with-response-stream"
                        + " only, not " + method + " " + path);
    }
}
