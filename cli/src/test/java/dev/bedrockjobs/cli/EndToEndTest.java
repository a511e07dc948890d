package dev.bedrockjobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.local.emulators.RepoRoot;
import dev.bedrockjobs.local.runtime.LocalOptions;
import dev.bedrockjobs.local.runtime.LocalStack;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI against the real local stack (every handler, the queues, dynalite, the Step Functions engine and the
 * Bedrock simulator) over HTTP: {@code review} of throwaway git repositories, and the job and batch commands. The
 * simulator's marker {@code [[fail:validation]]} in a file makes that file's model call fail. Streamed answers are
 * paced, as a model writes them, so that a reader sees them while they are written.
 */
class EndToEndTest {
    @TempDir
    static Path data;

    private static LocalStack stack;

    @BeforeAll
    static void startStack() {
        stack = LocalStack.start(LocalOptions.builder(RepoRoot.require())
                .port(0)
                .dataDirectory(data)
                .modelTokensPerSecond(25)
                .build());
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    record Run(int exit, String out, String err) {}

    /** Runs the CLI in-process in {@code dir}, pointed at the stack through the environment. */
    private static Run cli(Path dir, String... args) {
        return cli(dir, new StringWriter(), args);
    }

    /** As {@link #cli(Path, String...)}, standard output going to {@code out}. */
    private static Run cli(Path dir, StringWriter out, String... args) {
        Map<String, String> env = new HashMap<>();
        env.put(ApiConfig.URL_ENV, stack.apiUrl().toString());
        env.put(ApiConfig.KEY_ENV, stack.devApiKey());
        StringWriter err = new StringWriter();
        var cl = Main.commandLine(new CliContext(env, dir, false, null, Thread::sleep));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new Run(cl.execute(args), out.toString(), err.toString());
    }

    /**
     * A repository with, against HEAD: a modified file, a renamed-and-edited file, a deleted file, a staged new file,
     * a modified binary file, a staged file larger than 4000 bytes of diff, and an untracked file (not in the diff).
     */
    private static GitRepo changedRepo(Path dir) {
        GitRepo repo = GitRepo.init(dir)
                .write("src/Calc.java", GitRepo.javaClass("Calc", 25, 1))
                .write("src/Old.java", GitRepo.javaClass("Old", 25, 2))
                .write("docs/gone.md", "# Gone\n\nThis page goes away.\n")
                .write("img/logo.png", GitRepo.binary(3000))
                .commitAll("base");
        repo.write("src/Calc.java", GitRepo.javaClass("Calc", 25, 1).replace("f7 = 7", "f7 = 7 / 0"));
        repo.git("mv", "src/Old.java", "src/Renamed.java");
        repo.write("src/Renamed.java", GitRepo.javaClass("Old", 25, 2).replace("f4 = 8", "f4 = 9"));
        repo.git("rm", "-q", "docs/gone.md");
        repo.write("notes/new.txt", "a new note\n");
        repo.write("img/logo.png", GitRepo.binary(3100));
        repo.write("big/huge.txt", "a line that repeats until the file is large\n".repeat(200));
        repo.git("add", "-A");
        repo.write("untracked.txt", "never reviewed\n");
        return repo;
    }

    @Test
    void reviewOfAChangedRepositoryAsJson(@TempDir Path dir) throws IOException {
        changedRepo(dir);
        Run r = cli(dir, "review", "--format", "json", "--max-file-bytes", "4000", "--model", "fast");
        assertEquals(0, r.exit(), r.err() + r.out());

        assertTrue(r.err().contains("skipping img/logo.png: binary file"), r.err());
        assertTrue(r.err().contains("skipping big/huge.txt: its diff is "), r.err());
        assertTrue(r.err().contains("reviewing 4 files in batch "), r.err());
        assertTrue(r.err().contains("4/4 done, 0 failed"), "a plain progress line when not a terminal: " + r.err());

        JsonNode json = Json.parse(r.out());
        assertNotNull(json.get("batchId").textValue());
        Map<String, JsonNode> files = new HashMap<>();
        List<String> order = new ArrayList<>();
        json.get("files").forEach(f -> {
            files.put(f.get("path").asText(), f);
            order.add(f.get("path").asText());
        });
        assertEquals(
                List.of(
                        "big/huge.txt",
                        "docs/gone.md",
                        "img/logo.png",
                        "notes/new.txt",
                        "src/Calc.java",
                        "src/Renamed.java"),
                order,
                "git's order, skipped files included");
        for (String reviewed : List.of("docs/gone.md", "notes/new.txt", "src/Calc.java", "src/Renamed.java")) {
            JsonNode f = files.get(reviewed);
            assertEquals("succeeded", f.get("status").asText(), reviewed + ": " + f);
            assertFalse(f.get("review").asText().isBlank(), reviewed);
            assertTrue(f.get("usage").get("inputTokens").asLong() > 0, reviewed);
            assertTrue(f.get("error").isNull());
        }
        assertEquals("deleted", files.get("docs/gone.md").get("change").asText());
        assertEquals("added", files.get("notes/new.txt").get("change").asText());
        assertEquals(
                "src/Old.java", files.get("src/Renamed.java").get("oldPath").asText());
        assertEquals(
                "binary", files.get("img/logo.png").get("error").get("code").asText());
        assertEquals(
                "too_large", files.get("big/huge.txt").get("error").get("code").asText());

        JsonNode summary = json.get("summary");
        assertEquals(6, summary.get("files").asInt());
        assertEquals(4, summary.get("reviewed").asInt());
        assertEquals(0, summary.get("failed").asInt());
        assertEquals(2, summary.get("skipped").asInt());
        assertTrue(summary.get("inputTokens").asLong() > 0);
        assertTrue(summary.get("outputTokens").asLong() > 0);
        assertTrue(summary.get("cost").get("usd").asDouble() > 0);

        // the batch is there, with the paths as customIds and metadata
        String batchId = json.get("batchId").asText();
        Run status = cli(dir, "batch", "status", batchId, "--json");
        assertEquals(0, status.exit(), status.err());
        JsonNode view = Json.parse(status.out());
        assertTrue(view.get("done").asBoolean());
        assertEquals(4, view.get("counts").get("succeeded").asInt());
        assertEquals(
                summary.get("inputTokens").asLong(),
                view.get("usage").get("inputTokens").asLong());
        String jobId = view.get("jobs").get(0).get("id").asText();
        Run job = cli(dir, "get", jobId, "--json");
        assertEquals(0, job.exit(), job.err());
        JsonNode jobView = Json.parse(job.out());
        assertEquals(batchId, jobView.get("batchId").asText());
        assertEquals(
                jobView.get("customId").asText(),
                jobView.get("metadata").get("path").asText());
    }

    /** Standard output that also keeps each piece as the CLI wrote it, to tell text printed bit by bit. */
    static final class PieceWriter extends StringWriter {
        final List<String> pieces = new ArrayList<>();

        @Override
        public void write(String str) {
            write(str, 0, str.length());
        }

        @Override
        public void write(String str, int off, int len) {
            pieces.add(str.substring(off, off + len));
            super.write(str, off, len);
        }

        @Override
        public void write(char[] cbuf, int off, int len) {
            write(new String(cbuf, off, len));
        }

        @Override
        public void write(int c) {
            write(String.valueOf((char) c));
        }

        /**
         * How many pieces of text came between the line {@code heading} and the end of its section: the line break
         * after the answer and the blank line after it, which come as two line separators in a row.
         */
        int piecesAfter(String heading) {
            String eol = System.lineSeparator();
            int n = 0;
            for (int i = pieces.indexOf(heading) + 2; i > 1 && i < pieces.size(); i++) {
                if (pieces.get(i).equals(eol)
                        && i + 1 < pieces.size()
                        && pieces.get(i + 1).equals(eol)) {
                    break;
                }
                if (!pieces.get(i).isEmpty()) {
                    n++;
                }
            }
            return n;
        }
    }

    @Test
    void reviewStreamPrintsEachFilesWholeReviewUnderItsHeadingWhileItIsWritten(@TempDir Path dir) throws IOException {
        GitRepo repo = GitRepo.init(dir)
                .write("src/Ledger.java", GitRepo.javaClass("Ledger", 25, 3))
                .write("src/Stock.java", GitRepo.javaClass("Stock", 25, 4))
                .commitAll("base");
        repo.write("src/Ledger.java", GitRepo.javaClass("Ledger", 25, 3).replace("f7 = 21", "f7 = 21 / 0"));
        repo.write("src/Stock.java", GitRepo.javaClass("Stock", 25, 4).replace("f4 = 16", "f4 = -16"));
        repo.write("notes/streamed.txt", "a note to review as it is written\n");
        repo.git("add", "-A");

        PieceWriter out = new PieceWriter();
        Run r = cli(dir, out, "review", "--stream", "--model", "fast");
        assertEquals(0, r.exit(), r.err() + r.out());
        assertTrue(r.err().contains("reviewing 3 files in batch "), r.err());
        assertFalse(r.err().contains("done,"), "no progress while the reviews are printed: " + r.err());

        String batchId = r.err().replaceAll("(?s).*reviewing 3 files in batch (\\S+).*", "$1");
        Run results = cli(dir, "batch", "results", batchId);
        assertEquals(0, results.exit(), results.err());
        Map<String, String> changes =
                Map.of("notes/streamed.txt", "added", "src/Ledger.java", "modified", "src/Stock.java", "modified");
        String rest = r.out();
        int pieces = 0;
        for (String line : results.out().strip().split("\n")) {
            JsonNode result = Json.parse(line);
            String path = result.get("customId").asText();
            String heading = "== " + path + " (" + changes.get(path) + ") ==";
            String section = heading + "\n" + result.get("text").asText() + "\n\n";
            assertTrue(rest.contains(section), "the whole stored review of " + path + " is printed: " + r.out());
            assertEquals(r.out().indexOf(heading), r.out().lastIndexOf(heading), "once: " + r.out());
            rest = rest.replace(section, "");
            pieces = Math.max(pieces, out.piecesAfter(heading));

            JsonNode job = Json.parse(
                    cli(dir, "get", result.get("jobId").asText(), "--json").out());
            assertTrue(job.path("stream").asBoolean(), "the answer was stored as it was written: " + job);
        }
        assertTrue(
                rest.startsWith("Summary: 3 files reviewed, 0 failed, 0 skipped; tokens ") && rest.endsWith("\n"),
                "nothing but the reviews, each once, and the summary: " + rest);
        assertEquals(1, rest.lines().count(), rest);
        assertTrue(pieces >= 2, "a file's review was printed while it was written: " + out.pieces);
    }

    @Test
    void aFailingFileMakesTheReviewExitOne(@TempDir Path dir) {
        GitRepo repo = changedRepo(dir);
        repo.write("src/Broken.java", "class Broken {\n    // [[fail:validation]]\n}\n");
        repo.git("add", "src/Broken.java");
        Run r = cli(dir, "review", "--max-file-bytes", "4000");
        assertEquals(1, r.exit(), r.err() + r.out());
        assertTrue(r.out().contains("== src/Broken.java (added) == FAILED\ninvalid_model_request: "), r.out());
        assertTrue(r.out().contains("== src/Calc.java (modified) ==\n"), r.out());
        assertTrue(r.out().contains("== src/Renamed.java (renamed from src/Old.java) ==\n"), r.out());
        assertTrue(r.out().contains("Skipped:\n  big/huge.txt: its diff is "), r.out());
        assertTrue(r.out().contains("  img/logo.png: binary file\n"), r.out());
        assertTrue(r.out().contains("Summary: 4 files reviewed, 1 failed, 2 skipped; tokens "), r.out());
    }

    @Test
    void reviewAsMarkdownOfSomePathsAgainstAnOlderBase(@TempDir Path dir) throws IOException {
        GitRepo repo = GitRepo.init(dir)
                .write("src/A.java", GitRepo.javaClass("A", 10, 1))
                .write("src/b.py", "print('b')\n")
                .commitAll("one");
        repo.write("src/A.java", GitRepo.javaClass("A", 10, 3))
                .write("src/b.py", "print('bb')\n")
                .commitAll("two");
        Files.writeString(dir.resolve("rules.md"), "Only look for bugs. Answer in one line.");
        Run r = cli(
                dir,
                "review",
                "--base",
                "HEAD~1",
                "--paths",
                "*.java",
                "--format",
                "markdown",
                "--instructions",
                "rules.md",
                "--no-progress");
        assertEquals(0, r.exit(), r.err() + r.out());
        assertTrue(r.out().startsWith("## Code review: 1 changed file against `HEAD~1`\n"), r.out());
        assertTrue(r.out().contains("### `src/A.java` (modified)\n\n"), r.out());
        assertFalse(r.out().contains("b.py"), r.out());
        assertTrue(r.out().contains("| 1 | 0 | 0 | "), r.out());
        assertFalse(r.err().contains("done,"), "--no-progress: " + r.err());
    }

    @Test
    void submitWaitGetAndARefusedKey(@TempDir Path dir) throws IOException {
        Run submit = cli(dir, "submit", "Say hello.", "--model", "fast", "--wait");
        assertEquals(0, submit.exit(), submit.err());
        assertFalse(submit.out().isBlank());

        Run id = cli(dir, "submit", "Say hello again.", "--system", "Be brief.", "--max-tokens", "50");
        assertEquals(0, id.exit(), id.err());
        String jobId = id.out().strip();
        Run get = cli(dir, "get", jobId, "--wait");
        assertEquals(0, get.exit(), get.err());
        assertTrue(get.out().startsWith("id        " + jobId + "\nstatus    succeeded\n"), get.out());

        Run followed = cli(dir, "get", jobId, "--follow");
        assertEquals(0, followed.exit(), followed.err());
        String answer = cli(dir, "get", jobId, "--json").out();
        assertEquals(
                Json.parse(answer).path("result").path("text").asText() + "\n",
                followed.out(),
                "--follow prints exactly the answer");

        String slow = cli(dir, "submit", "Say hello slowly.", "--max-tokens", "40")
                .out()
                .strip();
        Run followedWhileRunning = cli(dir, "get", slow, "--follow");
        assertEquals(0, followedWhileRunning.exit(), followedWhileRunning.err());
        assertEquals(
                Json.parse(cli(dir, "get", slow, "--json").out())
                                .path("result")
                                .path("text")
                                .asText() + "\n",
                followedWhileRunning.out(),
                "a job followed from before its end prints its answer once it has one");

        Run streamed = cli(dir, "submit", "Stream a short review of: a = b;", "--stream");
        assertEquals(0, streamed.exit(), streamed.err());
        assertFalse(streamed.out().isBlank());
        Run broken = cli(dir, "submit", "Stream [[midstream:3:modelstream:always]] this.", "--stream");
        assertEquals(1, broken.exit(), broken.err());
        assertFalse(broken.out().isBlank(), "what was written before the break is printed");
        assertTrue(broken.err().contains("failed: stream_interrupted: "), broken.err());

        String failing = cli(dir, "submit", "[[fail:validation]]").out().strip();
        Run followedFailure = cli(dir, "get", failing, "--follow");
        assertEquals(1, followedFailure.exit(), followedFailure.err());
        assertTrue(followedFailure.err().contains("failed: invalid_model_request: "), followedFailure.err());

        Run failed = cli(dir, "submit", "[[fail:validation]]", "--wait");
        assertEquals(1, failed.exit(), failed.err());
        assertTrue(failed.err().contains("failed: invalid_model_request: "), failed.err());

        Run missing = cli(dir, "get", "j_doesnotexist");
        assertEquals(2, missing.exit());
        assertTrue(missing.err().contains("(404 not_found)"), missing.err());

        Run refused = cli(dir, "get", jobId, "--api-key", "wrong-key");
        assertEquals(2, refused.exit());
        assertEquals(
                "bedrock-jobs: the API key was refused (BEDROCK_JOBS_API_KEY); the key sent came from --api-key\n",
                refused.err());
    }

    @Test
    void batchSubmitWaitStatusAndResults(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("items.jsonl"), """
                {"customId": "one", "prompt": "First prompt."}

                {"customId": "two", "prompt": "Second prompt.", "model": "standard", "metadata": {"k": "v"}}
                {"customId": "bad", "prompt": "[[fail:validation]]"}
                """);
        Run submitted = cli(dir, "batch", "submit", "items.jsonl", "--model", "fast");
        assertEquals(0, submitted.exit(), submitted.err());
        String batchId = submitted.out().strip();
        assertFalse(batchId.isEmpty());

        Run waited = cli(dir, "batch", "submit", "items.jsonl", "--wait");
        assertEquals(1, waited.exit(), "one item fails: " + waited.err());
        List<JsonNode> lines = new ArrayList<>();
        for (String line : waited.out().split("\n")) {
            lines.add(Json.parse(line));
        }
        assertEquals(
                List.of("one", "two", "bad"),
                lines.stream().map(l -> l.get("customId").asText()).toList());
        assertEquals(
                List.of("succeeded", "succeeded", "failed"),
                lines.stream().map(l -> l.get("status").asText()).toList());
        assertEquals(
                "invalid_model_request", lines.get(2).get("error").get("code").asText());

        Run status = cli(dir, "batch", "status", batchId);
        assertEquals(0, status.exit(), status.err());
        assertTrue(status.out().startsWith("batch     " + batchId + "\n"), status.out());

        Run results = cli(dir, "batch", "results", batchId);
        assertEquals(0, results.exit(), results.err());
        assertEquals(3, results.out().strip().split("\n").length, results.out());
    }
}
