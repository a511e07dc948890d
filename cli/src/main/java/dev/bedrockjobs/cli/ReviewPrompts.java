package dev.bedrockjobs.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The review's prompts: the reviewer's instructions (system prompt) and one user prompt per changed file. */
public final class ReviewPrompts {
    private static final String DEFAULT_INSTRUCTIONS = "review-instructions.md";
    private static final Pattern BACKTICKS = Pattern.compile("`{3,}");

    private ReviewPrompts() {}

    /** The built-in reviewer instructions. */
    public static String defaultInstructions() {
        try (InputStream in = ReviewPrompts.class.getResourceAsStream(DEFAULT_INSTRUCTIONS)) {
            if (in == null) {
                throw new IllegalStateException("the resource " + DEFAULT_INSTRUCTIONS + " is missing from the CLI");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The user prompt for one file: its path, what happened to it, and its hunks in a fenced block whose fence is
     * longer than any run of backticks inside, so the diff cannot close it early.
     *
     * @param contextLines the {@code -U} the diff was made with, to tell the model what the unchanged lines are
     */
    public static String userPrompt(FileDiff file, int contextLines) {
        String fence = fenceFor(file.hunks());
        StringBuilder sb = new StringBuilder();
        sb.append("Review the change to this file.\n\n");
        sb.append("File: ").append(file.path()).append('\n');
        sb.append("Change: ").append(changeLine(file)).append("\n\n");
        sb.append("The diff against the base, in unified format with up to ")
                .append(contextLines)
                .append(" unchanged lines of context around each change (lines starting with \"+\" were added, \"-\" ")
                .append("removed, \" \" unchanged):\n\n");
        sb.append(fence).append("diff\n").append(file.hunks());
        if (!file.hunks().endsWith("\n")) {
            sb.append('\n');
        }
        sb.append(fence).append('\n');
        return sb.toString();
    }

    private static String changeLine(FileDiff file) {
        return switch (file.changeType()) {
            case ADDED -> "new file (every line is added)";
            case DELETED -> "deleted (the whole file is removed: look for what its removal could break)";
            case RENAMED -> "renamed from " + file.oldPath() + ", with the changes below";
            case COPIED -> "copied from " + file.oldPath() + ", with the changes below";
            case MODIFIED -> "modified";
        };
    }

    static String fenceFor(String text) {
        int longest = 2;
        Matcher m = BACKTICKS.matcher(text);
        while (m.find()) {
            longest = Math.max(longest, m.group().length());
        }
        return "`".repeat(longest + 1);
    }
}
