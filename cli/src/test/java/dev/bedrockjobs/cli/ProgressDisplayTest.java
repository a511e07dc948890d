package dev.bedrockjobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressDisplayTest {
    private static BatchProgress progress(long done, long failed, boolean finished) {
        return new BatchProgress(
                "b_1",
                finished ? "completed" : "running",
                12,
                12 - done - failed,
                0,
                done,
                failed,
                0,
                12_345,
                2_100,
                0.0421,
                finished,
                null);
    }

    @Test
    void barShowsDoneTotalFailedTokensCostAndClock() {
        assertEquals(
                "[############------------] 6/12  failed 1  tokens 12.3k in / 2.1k out  $0.0421  1:05",
                ProgressDisplay.bar(progress(5, 1, false), Duration.ofSeconds(65)));
    }

    @Test
    void barAndLogLineShowTheServicesEstimateOfTheTimeLeft() {
        BatchProgress p = new BatchProgress("b_1", "running", 12, 6, 0, 6, 0, 0, 12_345, 2_100, 0.0421, false, 75L);
        assertEquals(
                "[############------------] 6/12  tokens 12.3k in / 2.1k out  $0.0421  0:30  eta 1:15",
                ProgressDisplay.bar(p, Duration.ofSeconds(30)));
        assertTrue(ProgressDisplay.plain(p, Duration.ofSeconds(30)).endsWith(", about 1 min 15 s left"));
    }

    @Test
    void terminalRedrawsOneLineAndEndsIt() {
        StringWriter sw = new StringWriter();
        ProgressDisplay d = new ProgressDisplay(new PrintWriter(sw), ProgressDisplay.Mode.BAR, () -> 0L);
        d.update(progress(1, 0, false));
        d.update(progress(12, 0, true));
        d.close();
        String out = sw.toString();
        assertEquals(2, out.split("\r\033\\[K", -1).length - 1, out);
        assertTrue(out.endsWith(System.lineSeparator()));
    }

    @Test
    void logGetsAPlainLineEveryFewSecondsAndAtTheEnd() {
        StringWriter sw = new StringWriter();
        AtomicLong now = new AtomicLong();
        ProgressDisplay d = new ProgressDisplay(new PrintWriter(sw), ProgressDisplay.Mode.PLAIN, now::get);
        d.update(progress(1, 0, false)); // printed: the first
        now.set(1000);
        d.update(progress(2, 0, false)); // too soon
        now.set(6000);
        d.update(progress(3, 0, false)); // printed
        now.set(6500);
        d.update(progress(12, 0, true)); // printed: the end
        d.close();
        String[] lines = sw.toString().split(System.lineSeparator());
        assertEquals(3, lines.length, sw.toString());
        assertEquals("batch b_1: 1/12 done, 0 failed, tokens 12,345 in / 2,100 out, $0.0421, 0.0 s", lines[0]);
        assertTrue(lines[2].startsWith("batch b_1: 12/12 done"), lines[2]);
        assertTrue(!sw.toString().contains("\r"));
    }
}
