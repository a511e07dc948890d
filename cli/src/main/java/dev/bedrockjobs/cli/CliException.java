package dev.bedrockjobs.cli;

/**
 * A failure the CLI reports as one clear message (no stack trace) and an exit code: {@link #USAGE} (2) for usage and
 * configuration mistakes, {@link #FAILED} (1) for work that was done but did not succeed.
 */
public class CliException extends RuntimeException {
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    public static final int INTERRUPTED = 130;

    private final int exitCode;

    public CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public static CliException usage(String message) {
        return new CliException(USAGE, message);
    }

    public int exitCode() {
        return exitCode;
    }
}
