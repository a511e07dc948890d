package dev.bedrockjobs.local.emulators.bedrock;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Writes a short, code-review-like answer chosen by a SHA-256 of the prompt: the same prompt always gets the same
 * text, different prompts get different texts, and no model is needed. The answer is cut at the caller's token
 * budget, which is how real models report {@code max_tokens}.
 */
final class ReviewTextGenerator {

    private static final String[] OPENINGS = {
        "The change is small and mostly clear.",
        "Overall the patch reads well, with a few points to tighten.",
        "This diff is reasonable, but it needs another pass before merging.",
        "The intent is good; the implementation has some rough edges.",
        "Nicely scoped change with one real risk worth addressing.",
    };
    private static final String[] FINDINGS = {
        "Validate the input before it reaches the database layer.",
        "The error path swallows the exception; log it with the job id.",
        "This loop allocates on every iteration; hoist the buffer out.",
        "Add a test for the empty-list case.",
        "The timeout is hard-coded; read it from configuration.",
        "Name the boolean parameter or replace it with an enum.",
        "The retry has no jitter, so clients will synchronise under load.",
        "Close the stream in a try-with-resources block.",
        "This comment restates the code; explain why instead.",
        "The public method lacks a null check on its argument.",
        "Prefer an immutable collection for the returned list.",
        "The SQL is built by concatenation; use a bound parameter.",
    };
    private static final String[] VERDICTS = {
        "approve with minor changes", "request changes", "approve", "comment only",
    };

    private ReviewTextGenerator() {}

    static Completion generate(String prompt, int maxTokens) {
        byte[] hash = sha256(prompt);
        StringBuilder text = new StringBuilder(OPENINGS[unsigned(hash[0]) % OPENINGS.length]).append('\n');
        int findings = 2 + unsigned(hash[1]) % 3;
        for (int i = 0; i < findings; i++) {
            text.append("\n- ").append(FINDINGS[unsigned(hash[2 + i]) % FINDINGS.length]);
        }
        text.append("\n\nVerdict: ")
                .append(VERDICTS[unsigned(hash[6]) % VERDICTS.length])
                .append(" (review ")
                .append(HexFormat.of().formatHex(hash, 7, 10))
                .append(").");
        String full = text.toString();
        int fullTokens = TokenEstimator.tokens(full);
        if (fullTokens <= maxTokens) {
            return new Completion(full, fullTokens, false);
        }
        String cut = full.substring(0, Math.min(full.length(), TokenEstimator.charsFor(maxTokens)));
        return new Completion(cut, maxTokens, true);
    }

    private static int unsigned(byte b) {
        return b & 0xff;
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
