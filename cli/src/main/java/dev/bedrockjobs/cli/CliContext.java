package dev.bedrockjobs.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * What a run of the CLI gets from the process around it, passed in so that tests run the commands in-process with
 * their own environment, folder and terminal.
 *
 * @param env              the environment variables ({@code BEDROCK_JOBS_URL}, {@code BEDROCK_JOBS_API_KEY}, ...)
 * @param workingDirectory where relative paths and {@code git} start
 * @param stderrIsTerminal whether standard error is a terminal (live progress bar) or a log (plain lines)
 * @param home             the bedrock-jobs checkout the launcher runs from, or null: its {@code .local/dev-api-key}
 *                         is the last place an API key is looked for
 * @param sleeper          how the client waits between retries and polls
 */
public record CliContext(
        Map<String, String> env, Path workingDirectory, boolean stderrIsTerminal, Path home, Sleeper sleeper) {

    /** Waits; tests replace it to observe waits without spending them. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(long millis) throws InterruptedException;

        Sleeper REAL = Thread::sleep;
    }

    public CliContext {
        env = Map.copyOf(env);
        workingDirectory = workingDirectory.toAbsolutePath().normalize();
        Objects.requireNonNull(sleeper, "sleeper");
    }

    /** The context of a real process; the launcher tells whether stderr is a terminal and where the checkout is. */
    @SuppressWarnings("SystemConsoleNull") // JDK 17 and 21, which the CLI runs on, return null without a terminal
    public static CliContext system() {
        String tty = System.getProperty("bedrockjobs.stderr.tty");
        boolean terminal = tty != null ? Boolean.parseBoolean(tty) : System.console() != null;
        if ("dumb".equals(System.getenv("TERM"))) {
            terminal = false;
        }
        String home = System.getProperty("bedrockjobs.home");
        return new CliContext(
                System.getenv(),
                Path.of("").toAbsolutePath(),
                terminal,
                home == null || home.isBlank() ? null : Path.of(home),
                Sleeper.REAL);
    }

    public String env(String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v.strip();
    }

    public CliContext withWorkingDirectory(Path dir) {
        return new CliContext(env, workingDirectory.resolve(dir), stderrIsTerminal, home, sleeper);
    }
}
