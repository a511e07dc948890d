package dev.bedrockjobs.local.emulators.sfn.asl;

import java.util.List;

/**
 * The reserved error names and how an {@code ErrorEquals} list matches an error.
 *
 * <ul>
 *   <li>{@code States.ALL} matches every error except the terminal ones, {@code States.Runtime} and
 *       {@code States.DataLimitExceeded}, which always fail the execution.</li>
 *   <li>{@code States.TaskFailed} matches any failure of a task except {@code States.Timeout}.</li>
 *   <li>Any other name matches itself exactly (names are case-sensitive).</li>
 * </ul>
 */
public final class ErrorNames {

    public static final String ALL = "States.ALL";
    public static final String TASK_FAILED = "States.TaskFailed";
    public static final String TIMEOUT = "States.Timeout";
    public static final String RUNTIME = "States.Runtime";
    public static final String DATA_LIMIT_EXCEEDED = "States.DataLimitExceeded";
    public static final String NO_CHOICE_MATCHED = "States.NoChoiceMatched";

    private ErrorNames() {}

    static boolean isTerminal(String error) {
        return RUNTIME.equals(error) || DATA_LIMIT_EXCEEDED.equals(error);
    }

    /** Whether {@code error} (raised by a Task) matches any name of {@code errorEquals}. */
    public static boolean matches(List<String> errorEquals, String error) {
        if (isTerminal(error)) {
            return false;
        }
        for (String name : errorEquals) {
            if (name.equals(ALL) || name.equals(error) || (name.equals(TASK_FAILED) && !error.equals(TIMEOUT))) {
                return true;
            }
        }
        return false;
    }
}
