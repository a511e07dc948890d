package dev.bedrockjobs.local.emulators.bedrock;

/**
 * Token counts by the usual rule of thumb for English text: about four characters a token. Real tokenizers differ
 * per model; the simulator only needs counts of the right magnitude for usage, cost and quota arithmetic.
 */
final class TokenEstimator {

    static final int CHARS_PER_TOKEN = 4;

    private TokenEstimator() {
    }

    static int tokens(String text) {
        return Math.max(1, (text.length() + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN);
    }

    /** The longest prefix length, in characters, that fits in {@code tokens}. */
    static int charsFor(int tokens) {
        return tokens * CHARS_PER_TOKEN;
    }
}
