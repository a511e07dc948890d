package dev.bedrockjobs.core.domain;

/**
 * One stored piece of a job's streamed answer. Offsets count Unicode code points of the answer, so that any offset a
 * client passes falls between characters whatever its language's string type.
 *
 * @param offset where the piece starts in the answer
 * @param text   the piece, never empty
 * @param writer the fencing token of the model call that wrote it: a retried write of the same piece recognises
 *               itself by it, and a piece from another call is never taken for one's own
 */
public record OutputChunk(long offset, String text, String writer) {
    /**
     * The most a piece holds, in code points: a reader finds the piece an offset falls in among those starting at
     * most this far before it, with one query.
     */
    public static final int MAX_CODE_POINTS = 2_048;

    public OutputChunk {
        if (offset < 0) {
            throw new IllegalArgumentException("offset " + offset + " is negative");
        }
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("a chunk holds some text");
        }
        if (text.codePointCount(0, text.length()) > MAX_CODE_POINTS) {
            throw new IllegalArgumentException("a chunk holds at most " + MAX_CODE_POINTS + " code points");
        }
    }

    /** The offset just after the piece: where the next one starts. */
    public long end() {
        return offset + text.codePointCount(0, text.length());
    }

    /**
     * The text from {@code from} on.
     *
     * @throws IllegalArgumentException when {@code from} is not inside the piece or at its end
     */
    public String textFrom(long from) {
        if (from < offset || from > end()) {
            throw new IllegalArgumentException("offset " + from + " is outside [" + offset + ", " + end() + "]");
        }
        return text.substring(text.offsetByCodePoints(0, (int) (from - offset)));
    }
}
