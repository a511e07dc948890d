package dev.bedrockjobs.local.emulators.bedrock;

import java.util.ArrayList;
import java.util.List;

/**
 * A piece of a streamed answer: models emit their text a few tokens at a time, and each piece becomes one delta
 * chunk.
 *
 * @param text         this piece's characters
 * @param tokens       the tokens it adds to the answer
 * @param tokensSoFar  the answer's tokens up to and including this piece; the last piece's equals the completion's
 *                     {@code outputTokens}, so usage read from a stream matches the non-streamed answer's
 */
record TextPiece(String text, int tokens, int tokensSoFar) {

    static final int TOKENS_PER_PIECE = 3;

    /** The completion's text cut into pieces that, joined, are that text exactly. */
    static List<TextPiece> split(Completion completion) {
        String text = completion.text();
        int pieceChars = TokenEstimator.charsFor(TOKENS_PER_PIECE);
        List<TextPiece> pieces = new ArrayList<>();
        int previousTokens = 0;
        int start = 0;
        while (start < text.length()) {
            int end = Math.min(text.length(), start + pieceChars);
            // a surrogate pair stays whole, or the piece would not be valid UTF-8 on the wire
            if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
                end++;
            }
            int tokensSoFar = end == text.length()
                    ? completion.outputTokens()
                    : Math.min(completion.outputTokens(), TokenEstimator.tokens(text.substring(0, end)));
            tokensSoFar = Math.max(tokensSoFar, previousTokens);
            pieces.add(new TextPiece(text.substring(start, end), tokensSoFar - previousTokens, tokensSoFar));
            previousTokens = tokensSoFar;
            start = end;
        }
        return pieces;
    }
}
