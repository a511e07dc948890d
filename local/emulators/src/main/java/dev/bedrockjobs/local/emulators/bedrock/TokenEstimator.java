package dev.bedrockjobs.local.emulators.bedrock;

/**
 * Token counts in the manner of a byte-level tokenizer: English text at about four characters a token, while text
 * the vocabulary has few merges for counts far more densely: here each character beyond ASCII counts as one token
 * less than its UTF-8 bytes (a CJK character two, an emoji three), which is near what real tokenizers give for
 * emoji and rare scripts. Real tokenizers differ per model; the simulator needs counts of the right magnitude for
 * usage, cost and quota arithmetic, and must not be kinder to non-English text than the models are.
 */
final class TokenEstimator {

    static final int CHARS_PER_TOKEN = 4;

    private TokenEstimator() {}

    static int tokens(String text) {
        int ascii = 0;
        int beyondAscii = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp < 0x80) {
                ascii++;
            } else {
                beyondAscii += utf8Bytes(cp) - 1;
            }
        }
        return Math.max(1, (ascii + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN + beyondAscii);
    }

    private static int utf8Bytes(int cp) {
        return cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    }

    /** The longest prefix length, in characters, that fits in {@code tokens} (of ASCII text). */
    static int charsFor(int tokens) {
        return tokens * CHARS_PER_TOKEN;
    }
}
