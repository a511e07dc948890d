package dev.bedrockjobs.local.emulators.sfn.asl;

import java.util.List;

/**
 * One element of a {@code Catch} list: when a state's error matches and no retrier takes it, the error output
 * {@code {"Error": ..., "Cause": ...}} is placed in the state's input by {@code ResultPath} (default {@code $}:
 * the error output replaces the input) and the execution moves to {@code Next}. OutputPath is not applied.
 */
public record Catcher(List<String> errorEquals, String next, ResultPath resultPath) {

    public Catcher {
        errorEquals = List.copyOf(errorEquals);
    }

    public boolean matches(String error) {
        return ErrorNames.matches(errorEquals, error);
    }
}
