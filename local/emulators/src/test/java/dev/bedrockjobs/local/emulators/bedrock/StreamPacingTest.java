package dev.bedrockjobs.local.emulators.bedrock;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bedrockjobs.local.emulators.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamPacingTest {

    private static StreamChunk chunk(int tokens) {
        return new StreamChunk(Json.object(), tokens);
    }

    @Test
    void piecesJoinedAreTheCompletionTextAndTheirTokensAddUpToItsCount() {
        Completion completion = ReviewTextGenerator.generate("Review this diff: +int x = 1;", 1000);

        List<TextPiece> pieces = TextPiece.split(completion);

        assertEquals(
                completion.text(),
                String.join("", pieces.stream().map(TextPiece::text).toList()));
        assertEquals(
                completion.outputTokens(),
                pieces.stream().mapToInt(TextPiece::tokens).sum());
        assertEquals(completion.outputTokens(), pieces.get(pieces.size() - 1).tokensSoFar());
        pieces.forEach(p -> assertTrue(p.tokens() <= TextPiece.TOKENS_PER_PIECE, "piece " + p));
    }

    @Test
    void aTruncatedCompletionStreamsExactlyItsBudget() {
        Completion completion = ReviewTextGenerator.generate("Review this diff: +int x = 1;", 7);

        List<TextPiece> pieces = TextPiece.split(completion);

        assertTrue(completion.truncated());
        assertEquals(7, pieces.get(pieces.size() - 1).tokensSoFar());
        assertEquals(7, pieces.stream().mapToInt(TextPiece::tokens).sum());
    }

    @Test
    void aPieceNeverSplitsASurrogatePair() {
        String text = "abcdefghijk\uD83D\uDE00 and more";
        Completion completion = new Completion(text, TokenEstimator.tokens(text), false);

        List<TextPiece> pieces = TextPiece.split(completion);

        assertEquals("abcdefghijk\uD83D\uDE00", pieces.get(0).text());
        assertEquals(text, String.join("", pieces.stream().map(TextPiece::text).toList()));
    }

    @Test
    void anUnpacedStreamSendsEveryChunkAtOnce() {
        long[] offsets = StreamSchedule.sendOffsetsNanos(List.of(chunk(0), chunk(3), chunk(3), chunk(0)), 0);

        assertArrayEquals(new long[4], offsets);
    }

    @Test
    void aPacedChunkWaitsForTheTokensSentBeforeItAtTheConfiguredRate() {
        // 10 tokens a second: each 3-token piece delays the next by 300 ms; framing chunks add nothing
        long[] offsets = StreamSchedule.sendOffsetsNanos(
                List.of(chunk(0), chunk(0), chunk(3), chunk(3), chunk(2), chunk(0), chunk(0)), 10);

        long ms = 1_000_000;
        assertArrayEquals(new long[] {0, 0, 0, 300 * ms, 600 * ms, 800 * ms, 800 * ms}, offsets);
    }

    @Test
    void doublingTheRateHalvesTheStream() {
        List<StreamChunk> chunks = List.of(chunk(3), chunk(3), chunk(3), chunk(1));

        long[] slow = StreamSchedule.sendOffsetsNanos(chunks, 20);
        long[] fast = StreamSchedule.sendOffsetsNanos(chunks, 40);

        for (int i = 0; i < chunks.size(); i++) {
            assertEquals(slow[i], 2 * fast[i]);
        }
    }
}
