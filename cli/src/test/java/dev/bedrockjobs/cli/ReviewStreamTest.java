package dev.bedrockjobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The order in which {@code review --stream} prints a batch's files, against a server scripted request by request. */
class ReviewStreamTest {
    @RegisterExtension
    final TinyServer server = new TinyServer();

    private final List<Long> sleeps = new ArrayList<>();

    private static String jobs(String nextCursor, String... refs) {
        return "{\"id\": \"b_1\", \"jobs\": [" + String.join(", ", refs) + "], \"nextCursor\": "
                + (nextCursor == null ? "null" : "\"" + nextCursor + "\"") + "}";
    }

    private static String ref(String file, String status) {
        return "{\"id\": \"j_" + file + "\", \"customId\": \"" + file + "\", \"status\": \"" + status + "\"}";
    }

    private static String output(String text, long nextOffset, boolean done, String status) {
        return "{\"text\": \"" + text + "\", \"nextOffset\": " + nextOffset + ", \"done\": " + done + ", \"status\": \""
                + status + "\"}";
    }

    @Test
    void aRunningFileIsFollowedFirstThenFilesFinishedMeanwhileComeWholeAndQueuedOnesAreWaitedFor() {
        server.thenJson(200, jobs(null, ref("A", "succeeded"), ref("B", "running"), ref("C", "queued")))
                .thenJson(200, output("B one ", 6, false, "running"))
                .thenJson(200, output("two", 9, true, "succeeded"))
                .thenJson(200, jobs("p2", ref("A", "succeeded"), ref("B", "succeeded")))
                .thenJson(200, jobs(null, ref("C", "queued")))
                .thenJson(200, output("A whole", 7, true, "succeeded"))
                .thenJson(200, jobs(null, ref("A", "succeeded"), ref("B", "succeeded"), ref("C", "queued")))
                .thenJson(200, jobs(null, ref("A", "succeeded"), ref("B", "succeeded"), ref("C", "running")))
                .thenJson(200, output("C", 1, true, "failed"));
        StringWriter out = new StringWriter();
        ApiClient api = new ApiClient(new ApiConfig(server.url(), "k", ApiConfig.KEY_ENV), sleeps::add, notice -> {});

        ReviewStream.print(api, "b_1", path -> "== " + path + " ==", new PrintWriter(out), sleeps::add);

        assertEquals("== B ==\nB one two\n\n== A ==\nA whole\n\n== C ==\nC\n\n", out.toString());
        assertEquals(
                List.of(
                        "/v1/batches/b_1?limit=1000",
                        "/v1/jobs/j_B/output?offset=0&wait=20",
                        "/v1/jobs/j_B/output?offset=6&wait=20",
                        "/v1/batches/b_1?limit=1000",
                        "/v1/batches/b_1?limit=1000&cursor=p2",
                        "/v1/jobs/j_A/output?offset=0&wait=20",
                        "/v1/batches/b_1?limit=1000",
                        "/v1/batches/b_1?limit=1000",
                        "/v1/jobs/j_C/output?offset=0&wait=20"),
                server.received.stream().map(TinyServer.Received::path).toList(),
                "every file read once, from offset 0; no request after the last file ended");
        assertEquals(List.of(BatchWatcher.FIRST_DELAY_MILLIS), sleeps, "one pause while only a queued file was left");
    }

    @Test
    void nextPrefersARunningFileToAFinishedOneAndSkipsPrintedOnes() {
        List<ReviewStream.Item> items = List.of(
                new ReviewStream.Item("j_1", "a", "succeeded"),
                new ReviewStream.Item("j_2", "b", "queued"),
                new ReviewStream.Item("j_3", "c", "running"),
                new ReviewStream.Item("j_4", "d", "failed"));
        assertEquals("j_3", ReviewStream.next(items, Set.of()).jobId());
        assertEquals("j_1", ReviewStream.next(items, Set.of("j_3")).jobId());
        assertEquals("j_4", ReviewStream.next(items, Set.of("j_3", "j_1")).jobId());
        assertNull(ReviewStream.next(items, Set.of("j_3", "j_1", "j_4")), "only a queued file is left");
    }
}
