package dev.bedrockjobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bedrockjobs.core.api.Release;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line itself: parsing, usage errors and their exit codes, checks done before any request. */
class CommandLineTest {
    record Run(int exit, String out, String err) {}

    static Run run(Path dir, Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = Main.commandLine(new CliContext(env, dir, false, null, millis -> {}));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void helpAndVersion(@TempDir Path tmp) {
        Run help = run(tmp, Map.of(), "--help");
        assertEquals(0, help.exit());
        for (String cmd : new String[] {"submit", "get", "batch", "review"}) {
            assertTrue(help.out().contains("  " + cmd + " "), help.out());
        }
        assertEquals(0, run(tmp, Map.of(), "review", "--help").exit());
        assertEquals(0, run(tmp, Map.of(), "batch", "submit", "--help").exit());
        Run version = run(tmp, Map.of(), "--version");
        assertEquals("bedrock-jobs " + Release.version(), version.out().strip());
        assertTrue(version.out().matches("bedrock-jobs \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\s*"), version.out());
    }

    @Test
    void usageErrorsExitTwo(@TempDir Path tmp) {
        Run none = run(tmp, Map.of());
        assertEquals(2, none.exit());
        Run unknown = run(tmp, Map.of(), "frobnicate");
        assertEquals(2, unknown.exit());
        Run badModel = run(tmp, Map.of(), "submit", "hi", "--model", "huge");
        assertEquals(2, badModel.exit());
        assertTrue(badModel.err().contains("expected one of fast, standard, reasoning, not 'huge'"), badModel.err());
        Run badFormat = run(tmp, Map.of(), "review", "--format", "html");
        assertEquals(2, badFormat.exit());
        assertTrue(badFormat.err().contains("expected text, markdown or json, not 'html'"), badFormat.err());
        Run missing = run(tmp, Map.of(), "get");
        assertEquals(2, missing.exit());
    }

    @Test
    void noKeyIsAConfigurationError(@TempDir Path tmp) {
        Run r = run(tmp, Map.of(), "get", "j_1", "--url", "https://api.example.com");
        assertEquals(2, r.exit());
        assertEquals("bedrock-jobs: no API key: set BEDROCK_JOBS_API_KEY or pass --api-key\n", r.err());
    }

    @Test
    void badJsonlIsReportedByLineBeforeAnyRequest(@TempDir Path tmp) throws IOException {
        Files.writeString(tmp.resolve("items.jsonl"), "{\"prompt\": \"ok\"}\n{\"prompt\": 3}\n");
        // the URL is unreachable: had the CLI sent anything, the error would say so
        Run r = run(
                tmp, Map.of(ApiConfig.KEY_ENV, "k"), "batch", "submit", "items.jsonl", "--url", "http://127.0.0.1:9");
        assertEquals(2, r.exit());
        assertEquals(
                "bedrock-jobs: items.jsonl has 1 error:\n  items.jsonl:2: 'prompt' must be non-blank text\n", r.err());
        Run gone = run(tmp, Map.of(ApiConfig.KEY_ENV, "k"), "batch", "submit", "nope.jsonl");
        assertEquals(2, gone.exit());
        assertTrue(gone.err().contains("no such file: nope.jsonl"), gone.err());
    }

    @Test
    void reviewWithoutChangesNeedsNoApi(@TempDir Path tmp) {
        GitRepo.init(tmp).write("a.txt", "a\n").commitAll("one");
        Run r = run(tmp, Map.of(), "review", "--url", "http://127.0.0.1:9");
        assertEquals(0, r.exit(), r.err());
        assertEquals("Summary: no changes against HEAD; nothing to review\n", r.out());
        assertTrue(r.err().contains("no changes against HEAD"), r.err());
    }

    @Test
    void reviewOfOnlySkippedFilesNeedsNoApi(@TempDir Path tmp) {
        GitRepo repo = GitRepo.init(tmp).write("a.txt", "a\n").commitAll("one");
        repo.write("logo.png", GitRepo.binary(500));
        repo.git("add", "logo.png");
        Run r = run(tmp, Map.of(), "review", "--format", "json");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("skipping logo.png: binary file"), r.err());
        assertTrue(r.out().contains("\"status\" : \"skipped\""), r.out());
    }

    @Test
    void reviewStreamIsForTextOutputOnly(@TempDir Path tmp) {
        GitRepo repo = GitRepo.init(tmp).write("a.txt", "a\n").commitAll("one");
        repo.write("a.txt", "b\n");
        // the URL is unreachable: had the CLI sent anything, the error would say so
        for (String format : new String[] {"json", "markdown"}) {
            Run r = run(
                    tmp,
                    Map.of(ApiConfig.KEY_ENV, "k"),
                    "review",
                    "--stream",
                    "--format",
                    format,
                    "--url",
                    "http://127.0.0.1:9");
            assertEquals(2, r.exit(), r.err());
            assertEquals(
                    "bedrock-jobs: --stream prints text as it is written; it cannot be combined with --format " + format
                            + "\n",
                    r.err());
            assertEquals("", r.out());
        }
        Run help = run(tmp, Map.of(), "review", "--help");
        assertTrue(help.out().contains("--stream"), help.out());
    }

    @Test
    void reviewChecksItsOptions(@TempDir Path tmp) throws IOException {
        GitRepo.init(tmp).write("a.txt", "a\n").commitAll("one");
        assertEquals(2, run(tmp, Map.of(), "review", "--max-file-bytes", "0").exit());
        Run noFile = run(tmp, Map.of(), "review", "--instructions", "missing.md");
        assertEquals(2, noFile.exit());
        assertTrue(noFile.err().contains("--instructions: no such file: missing.md"), noFile.err());
        Files.writeString(tmp.resolve("big.md"), "x".repeat(ReviewCommand.MAX_SYSTEM_BYTES + 1));
        assertEquals(2, run(tmp, Map.of(), "review", "--instructions", "big.md").exit());
        Run badBase = run(tmp, Map.of(), "review", "--base", "nope");
        assertEquals(2, badBase.exit());
        assertTrue(badBase.err().contains("git diff nope failed"), badBase.err());
        Run notDir = run(tmp, Map.of(), "review", "-C", "no/such/dir");
        assertEquals(2, notDir.exit());
    }
}
