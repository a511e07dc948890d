package dev.bedrockjobs.core.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bedrockjobs.core.domain.OutputChunk;
import dev.bedrockjobs.core.port.JobOutput;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Streamed pieces of an answer against dynalite: appended once per writer, read from any offset. */
class DynamoJobOutputIntegrationTest {
    private static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");
    private static String table;
    private static DynamoJobOutput output;

    @BeforeAll
    static void table() {
        table = SharedEmulators.newJobsTable("output");
        output = new DynamoJobOutput(
                SharedEmulators.dynamoClient(), table, Duration.ofDays(7), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private static void write(String jobId, String writer, String... pieces) {
        long offset = 0;
        for (String piece : pieces) {
            OutputChunk chunk = new OutputChunk(offset, piece, writer);
            output.append(jobId, chunk);
            offset = chunk.end();
        }
    }

    @Test
    void piecesReadBackInOrderFromTheStartAndFromWhereTheLastReadEnded() {
        write("j_order", "w1", "The diff ", "adds a ", "null check.");
        JobOutput.Slice all = output.readFrom("j_order", 0, 10_000);
        assertEquals("The diff adds a null check.", all.text());
        assertEquals(27, all.nextOffset());
        JobOutput.Slice rest = output.readFrom("j_order", 9, 10_000);
        assertEquals("adds a null check.", rest.text());
        JobOutput.Slice nothingYet = output.readFrom("j_order", 27, 10_000);
        assertEquals("", nothingYet.text());
        assertEquals(27, nothingYet.nextOffset());
    }

    @Test
    void anOffsetInsideAPieceCutsThatPieceAtTheCharacter() {
        write("j_cut", "w1", "héllo 👋 wörld", " again");
        // code points: h é l l o ␠ 👋 ␠ w ö r l d  (the emoji is one code point, two UTF-16 units)
        assertEquals(" wörld again", output.readFrom("j_cut", 7, 10_000).text());
        assertEquals("👋 wörld again", output.readFrom("j_cut", 6, 10_000).text());
        assertEquals(19, output.readFrom("j_cut", 6, 10_000).nextOffset());
    }

    @Test
    void aReadStopsAfterTheWholePieceThatReachesItsSize() {
        write("j_page", "w1", "aaaa", "bbbb", "cccc");
        JobOutput.Slice first = output.readFrom("j_page", 0, 5);
        assertEquals("aaaabbbb", first.text());
        assertEquals("cccc", output.readFrom("j_page", first.nextOffset(), 5).text());
    }

    @Test
    void anOffsetFarIntoALongAnswerIsFoundWithOneQuery() {
        String piece = "x".repeat(OutputChunk.MAX_CODE_POINTS);
        write("j_long", "w1", piece, piece, "tail");
        long offset = 2L * OutputChunk.MAX_CODE_POINTS - 1;
        assertEquals("xtail", output.readFrom("j_long", offset, 10_000).text());
    }

    @Test
    void theSamePieceWrittenTwiceByItsWriterIsStoredOnce() {
        write("j_retry", "w1", "first ", "second");
        output.append("j_retry", new OutputChunk(6, "second", "w1"));
        assertEquals("first second", output.readFrom("j_retry", 0, 10_000).text());
    }

    @Test
    void anotherWritersPieceAtTheSameOffsetIsRefusedAndTheStoredTextStands() {
        write("j_fenced", "w1", "kept");
        JobOutput.OutputTaken taken = assertThrows(
                JobOutput.OutputTaken.class, () -> output.append("j_fenced", new OutputChunk(0, "other", "w2")));
        assertEquals("job j_fenced: the output at 0 was written by another model call", taken.getMessage());
        assertThrows(JobOutput.OutputTaken.class, () -> output.append("j_fenced", new OutputChunk(0, "changed", "w1")));
        assertEquals("kept", output.readFrom("j_fenced", 0, 10_000).text());
    }

    @Test
    void aPieceIsKeptAsLongAsItsJob() {
        write("j_ttl", "w1", "x");
        Map<String, AttributeValue> item = SharedEmulators.dynamoClient()
                .getItem(g -> g.tableName(table)
                        .key(Map.of(
                                "pk",
                                AttributeValue.fromS("JOB#j_ttl"),
                                "sk",
                                AttributeValue.fromS("OUT#000000000000"))))
                .item();
        assertEquals(
                NOW.plus(Duration.ofDays(7)).getEpochSecond(),
                Long.parseLong(item.get("ttl").n()));
    }
}
