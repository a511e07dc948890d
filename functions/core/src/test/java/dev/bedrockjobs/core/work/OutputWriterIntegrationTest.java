package dev.bedrockjobs.core.work;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bedrockjobs.core.adapter.DynamoJobOutput;
import dev.bedrockjobs.core.domain.OutputChunk;
import dev.bedrockjobs.core.port.JobOutput;
import dev.bedrockjobs.local.emulators.fixture.MovableClock;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A streamed answer stored against dynalite as the model sends it. */
class OutputWriterIntegrationTest {
    private static final MovableClock CLOCK = new MovableClock(Instant.parse("2026-12-05T10:00:00Z"));
    private static DynamoJobOutput output;

    @BeforeAll
    static void table() {
        output = new DynamoJobOutput(
                SharedEmulators.dynamoClient(), SharedEmulators.newJobsTable("writer"), Duration.ofDays(1), CLOCK);
    }

    private static String read(String jobId) {
        return output.readFrom(jobId, 0, Integer.MAX_VALUE).text();
    }

    @Test
    void theFirstTextIsStoredAtOnceAndTheRestEveryQuarterSecond() {
        OutputWriter writer = new OutputWriter(output, CLOCK, "j_pace", "w");
        assertFalse(writer.hasStored());
        writer.append("The ");
        assertEquals("The ", read("j_pace"), "a watching client sees the first text at once");
        writer.append("change ");
        CLOCK.advance(Duration.ofMillis(100));
        writer.append("is ");
        assertEquals("The ", read("j_pace"), "gathered until a quarter second has passed");
        CLOCK.advance(Duration.ofMillis(150));
        writer.append("safe.");
        assertEquals("The change is safe.", read("j_pace"));
        assertEquals(2, writer.pieces());
        assertTrue(writer.hasStored());
    }

    @Test
    void aKilobyteGatheredIsStoredWithoutWaiting() {
        OutputWriter writer = new OutputWriter(output, CLOCK, "j_size", "w");
        writer.append("a");
        for (int i = 0; i < 101; i++) {
            writer.append("0123456789"); // no time passes: only the size can make it due
        }
        assertEquals(1, writer.pieces(), "1,010 bytes gathered");
        writer.append("abcdefghijklé"); // twelve ASCII letters and a two-byte one: 1,024 bytes
        assertEquals(2, writer.pieces());
        assertEquals(1 + 1_010 + 13, writer.stored());
    }

    @Test
    void flushStoresTheRestAndTheStoredTextIsExactlyWhatWasSent() {
        OutputWriter writer = new OutputWriter(output, CLOCK, "j_exact", "w");
        StringBuilder sent = new StringBuilder();
        for (String delta : new String[] {"Ré", "sumé: ", "👋", " ok", "\n- line\n", "ünïcödé"}) {
            writer.append(delta);
            sent.append(delta);
            CLOCK.advance(Duration.ofMillis(90));
        }
        writer.flush();
        assertEquals(sent.toString(), read("j_exact"));
        assertEquals(sent.codePointCount(0, sent.length()), writer.stored());
    }

    @Test
    void aLongGatheringIsStoredInPiecesNoLongerThanTheBound() {
        OutputWriter writer = new OutputWriter(output, CLOCK, "j_split", "w");
        writer.append("x");
        String big = "y".repeat(OutputChunk.MAX_CODE_POINTS * 2 + 5);
        writer.append(big);
        assertEquals(1 + 3, writer.pieces());
        assertEquals("x" + big, read("j_split"));
    }

    @Test
    void aSecondModelCallForTheSameJobIsStoppedAtItsFirstPiece() {
        new OutputWriter(output, CLOCK, "j_twice", "first").append("kept");
        OutputWriter second = new OutputWriter(output, CLOCK, "j_twice", "second");
        assertThrows(JobOutput.OutputTaken.class, () -> second.append("other"));
        assertEquals("kept", read("j_twice"));
    }
}
