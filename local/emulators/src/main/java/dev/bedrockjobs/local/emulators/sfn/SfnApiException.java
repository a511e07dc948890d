package dev.bedrockjobs.local.emulators.sfn;

/**
 * A refusal of a Step Functions API call, carrying the error code the SDK maps to its exception class
 * ({@code StateMachineDoesNotExist} becomes {@code StateMachineDoesNotExistException}...).
 */
public final class SfnApiException extends RuntimeException {

    private final String code;

    public SfnApiException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
