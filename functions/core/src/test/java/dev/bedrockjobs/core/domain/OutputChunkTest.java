package dev.bedrockjobs.core.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class OutputChunkTest {
    @Test
    void offsetsCountCodePointsNotUtf16Units() {
        OutputChunk chunk = new OutputChunk(10, "a👋b", "w");
        assertEquals(13, chunk.end());
        assertEquals("👋b", chunk.textFrom(11));
        assertEquals("b", chunk.textFrom(12));
        assertEquals("", chunk.textFrom(13));
    }

    @Test
    void anOffsetOutsideThePieceIsRefused() {
        OutputChunk chunk = new OutputChunk(10, "abc", "w");
        assertThrows(IllegalArgumentException.class, () -> chunk.textFrom(9));
        assertThrows(IllegalArgumentException.class, () -> chunk.textFrom(14));
    }

    @Test
    void aPieceIsNeverEmptyNorLongerThanItsBound() {
        assertThrows(IllegalArgumentException.class, () -> new OutputChunk(0, "", "w"));
        assertThrows(
                IllegalArgumentException.class,
                () -> new OutputChunk(0, "x".repeat(OutputChunk.MAX_CODE_POINTS + 1), "w"));
        assertEquals(
                OutputChunk.MAX_CODE_POINTS, new OutputChunk(0, "x".repeat(OutputChunk.MAX_CODE_POINTS), "w").end());
    }
}
