package dev.bedrockjobs.local.emulators.bedrock;

import java.util.List;

/**
 * When each chunk of a paced stream is due, counted from the first chunk: a chunk waits for the text sent before it
 * to have been "generated" at the configured rate, while the chunks that only open or close the message follow at
 * once. Computed apart from the sending so the pace can be checked without a clock.
 */
final class StreamSchedule {

    private StreamSchedule() {}

    /**
     * @param tokensPerSecond 0 for an unpaced stream, in which every chunk is due at once
     * @return for each chunk, nanoseconds after the first chunk at which it may be sent; never decreasing
     */
    static long[] sendOffsetsNanos(List<StreamChunk> chunks, double tokensPerSecond) {
        long[] offsets = new long[chunks.size()];
        if (tokensPerSecond == 0) {
            return offsets;
        }
        long tokensBefore = 0;
        for (int i = 0; i < chunks.size(); i++) {
            offsets[i] = Math.round(tokensBefore * 1e9 / tokensPerSecond);
            tokensBefore += chunks.get(i).newTokens();
        }
        return offsets;
    }
}
