package dev.bedrockjobs.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The few {@code git} commands the CLI runs, as child processes in a given folder. */
final class Git {
    private Git() {}

    /** The root of the work tree around {@code dir}, if it is inside one (and git is installed). */
    static Optional<Path> topLevel(Path dir) {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "--show-toplevel")
                    .directory(dir.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            return p.exitValue() == 0 && !out.isEmpty() ? Optional.of(Path.of(out)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /**
     * The command line of the review's diff: the work tree (staged and unstaged changes) against {@code base}, with
     * {@code context} lines around each change; with {@code mergeBase}, against the merge base of {@code base} and
     * HEAD (a branch's own changes, not what its base gained since). Every setting a user's git config could change the output with is
     * pinned: colour, external diff drivers, textconv, rename detection, path prefixes and path quoting.
     */
    static List<String> diffCommand(String base, boolean mergeBase, int context, List<String> pathspecs) {
        List<String> cmd = new ArrayList<>(List.of(
                "git",
                "-c",
                "core.quotePath=false",
                "diff",
                "--no-color",
                "--no-ext-diff",
                "--no-textconv",
                "--find-renames",
                "--src-prefix=a/",
                "--dst-prefix=b/",
                "-U" + context));
        if (mergeBase) {
            cmd.add("--merge-base");
        }
        cmd.add(base);
        cmd.add("--");
        cmd.addAll(pathspecs);
        return cmd;
    }

    /**
     * Runs {@code git diff} in {@code dir} and splits its output as it streams, so a huge diff is never held whole.
     *
     * @throws CliException (usage) when git is missing, the folder is not a repository, or the base is unknown
     */
    static List<FileDiff> diff(
            Path dir, String base, boolean mergeBase, int context, List<String> pathspecs, int maxFileBytes) {
        List<String> cmd = diffCommand(base, mergeBase, context, pathspecs);
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(dir.toFile()).start();
        } catch (IOException e) {
            throw CliException.usage("cannot run git (is it installed and on the PATH?): " + e.getMessage());
        }
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        try {
            p.getOutputStream().close();
            List<FileDiff> files;
            try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                files = DiffSplitter.split(out, maxFileBytes);
            }
            int code = p.waitFor();
            if (code != 0) {
                String message = stderr.join().strip();
                String first =
                        message.lines().filter(l -> !l.isBlank()).findFirst().orElse("exit code " + code);
                throw CliException.usage("git diff " + base + " failed in " + dir + ": " + first);
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the output of git diff", e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CliException(CliException.INTERRUPTED, "interrupted");
        }
    }

    private static String readAll(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
