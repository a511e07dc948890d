package dev.bedrockjobs.cli;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * An error answer of the API, with its RFC 9457 problem details when it sent them. Client mistakes (4xx) exit with
 * {@link CliException#USAGE}, server failures with {@link CliException#FAILED}.
 */
public final class ApiException extends CliException {

    /** One validation error of a problem. */
    public record FieldError(String field, String message) {}

    private final int status;
    private final String code;
    private final String detail;
    private final List<FieldError> errors;

    ApiException(int exitCode, String message, int status, String code, String detail, List<FieldError> errors) {
        super(exitCode, message);
        this.status = status;
        this.code = code;
        this.detail = detail;
        this.errors = List.copyOf(errors);
    }

    public int status() {
        return status;
    }

    /** The problem's stable {@code code}, or null. */
    public String code() {
        return code;
    }

    public String detail() {
        return detail;
    }

    public List<FieldError> errors() {
        return errors;
    }

    /**
     * The error rendered again with every field name passed through {@code label}: the batch commands name the JSONL
     * line an {@code items[i]} error is about.
     */
    public ApiException relabel(UnaryOperator<String> label) {
        List<FieldError> relabeled = errors.stream()
                .map(e -> new FieldError(label.apply(e.field()), e.message()))
                .toList();
        String head = getMessage().lines().findFirst().orElse("");
        return new ApiException(exitCode(), ApiClient.render(head, relabeled), status, code, detail, relabeled);
    }
}
