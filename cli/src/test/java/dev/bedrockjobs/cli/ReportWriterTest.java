package dev.bedrockjobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportWriterTest {
    private static final ReviewReport REPORT = new ReviewReport(
            "b_123",
            "main",
            false,
            "fast",
            List.of(
                    new ReviewReport.FileReview(
                            "src/A.java",
                            null,
                            "modified",
                            "succeeded",
                            "- **high** line 3: off by one\n",
                            1200,
                            300,
                            0.0123,
                            null,
                            null),
                    new ReviewReport.FileReview(
                            "img/logo.png", null, "new file", "skipped", null, 0, 0, 0, "binary", "binary file"),
                    new ReviewReport.FileReview(
                            "src/B.java",
                            "src/Old.java",
                            "renamed from src/Old.java",
                            "failed",
                            null,
                            10,
                            0,
                            0.0001,
                            "invalid_model_request",
                            "The simulated request is invalid."),
                    new ReviewReport.FileReview(
                            "docs/x_y.md", null, "added", "succeeded", "No issues found.", 800, 20, 0.002, null, null)),
            Duration.ofMillis(4200));

    @Test
    void summaryCountsEveryKindOfFile() {
        ReviewReport.Summary s = REPORT.summary();
        assertEquals(4, s.files());
        assertEquals(2, s.reviewed());
        assertEquals(1, s.failed());
        assertEquals(1, s.skipped());
        assertEquals(2010, s.inputTokens());
        assertEquals(320, s.outputTokens());
        assertEquals(0.0144, s.costUsd(), 1e-9);
        assertEquals(1, REPORT.exitCode());
    }

    @Test
    void afterStreamedReviewsComeTheFailedFilesWithWhyThenSkipsThenSummary() {
        assertEquals("""
                Failed:
                  src/B.java: invalid_model_request: The simulated request is invalid.

                Skipped:
                  img/logo.png: binary file

                Summary: 2 files reviewed, 1 failed, 1 skipped; tokens 2,010 in / 320 out; cost $0.0144; \
                time 4.2 s; batch b_123
                """, ReportWriter.afterStream(REPORT));
    }

    @Test
    void textGroupsReviewsByFileThenSkipsThenSummary() {
        String text = ReportWriter.text(REPORT);
        assertEquals("""
                == src/A.java (modified) ==
                - **high** line 3: off by one

                == src/B.java (renamed from src/Old.java) == FAILED
                invalid_model_request: The simulated request is invalid.

                == docs/x_y.md (added) ==
                No issues found.

                Skipped:
                  img/logo.png: binary file

                Summary: 2 files reviewed, 1 failed, 1 skipped; tokens 2,010 in / 320 out; cost $0.0144; \
                time 4.2 s; batch b_123
                """, text);
    }

    @Test
    void markdownIsACiComment() {
        String md = ReportWriter.markdown(REPORT);
        assertTrue(md.startsWith("## Code review: 4 changed files against `main`\n\n"), md);
        assertTrue(md.contains("| 2 | 1 | 1 | 2,010 / 320 | $0.0144 | 4.2 s |"), md);
        assertTrue(md.contains("### `src/A.java` (modified)\n\n- **high** line 3: off by one\n"), md);
        assertTrue(
                md.contains("### `src/B.java` (renamed from src/Old.java): **failed**\n\n"
                        + "> invalid\\_model\\_request: The simulated request is invalid.\n"),
                md);
        assertTrue(
                md.contains("<details>\n<summary>Skipped files (1)</summary>\n\n- `img/logo.png`: binary file\n"), md);
        assertTrue(md.contains("<sub>bedrock-jobs review · batch `b_123` · model fast</sub>"), md);
    }

    @Test
    void jsonHasBatchFilesAndSummary() throws Exception {
        JsonNode json = Json.parse(ReportWriter.json(REPORT));
        assertEquals("b_123", json.get("batchId").asText());
        JsonNode files = json.get("files");
        assertEquals(4, files.size());
        assertEquals("src/A.java", files.get(0).get("path").asText());
        assertEquals("succeeded", files.get(0).get("status").asText());
        assertEquals(
                "- **high** line 3: off by one\n", files.get(0).get("review").asText());
        assertEquals(1200, files.get(0).get("usage").get("inputTokens").asLong());
        assertTrue(files.get(0).get("error").isNull());
        assertEquals("skipped", files.get(1).get("status").asText());
        assertEquals("binary", files.get(1).get("error").get("code").asText());
        assertTrue(files.get(1).get("usage").isNull());
        assertEquals("failed", files.get(2).get("status").asText());
        assertEquals("src/Old.java", files.get(2).get("oldPath").asText());
        assertEquals(
                "invalid_model_request", files.get(2).get("error").get("code").asText());
        assertTrue(files.get(2).get("review").isNull());
        JsonNode summary = json.get("summary");
        assertEquals(4, summary.get("files").asInt());
        assertEquals(2, summary.get("reviewed").asInt());
        assertEquals(1, summary.get("failed").asInt());
        assertEquals(1, summary.get("skipped").asInt());
        assertEquals(2010, summary.get("inputTokens").asLong());
        assertEquals(0.0144, summary.get("cost").get("usd").asDouble(), 1e-9);
        assertEquals(4.2, summary.get("elapsedSeconds").asDouble(), 1e-9);
    }

    @Test
    void emptyReviewSaysSo() {
        ReviewReport empty = new ReviewReport(null, "HEAD", false, null, List.of(), Duration.ZERO);
        assertEquals("Summary: no changes against HEAD; nothing to review\n", ReportWriter.text(empty));
        assertTrue(ReportWriter.markdown(empty).contains("No changes: nothing to review."));
        assertEquals(0, empty.exitCode());
        ReviewReport branch = new ReviewReport(null, "origin/main", true, null, List.of(), Duration.ZERO);
        assertEquals(
                "Summary: no changes against the merge base of origin/main; nothing to review\n",
                ReportWriter.text(branch));
        assertTrue(ReportWriter.markdown(branch)
                .startsWith("## Code review: 0 changed files against the merge base " + "of `origin/main`\n"));
        assertFalse(ReportWriter.json(empty).contains("\"batchId\" : \""));
    }

    @Test
    void markdownEscapesAndCodeSpans() {
        assertEquals("`a`", ReportWriter.code("a"));
        assertEquals("``a`b``", ReportWriter.code("a`b"));
        assertEquals("`` `x ``", ReportWriter.code("`x"));
        assertEquals("&lt;b&gt; \\*x\\* \\_y\\_", ReportWriter.escape("<b> *x* _y_"));
    }
}
