package dev.bedrockjobs.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Locale;

/** Renders a {@link ReviewReport} as plain text (a terminal), Markdown (a CI comment) or JSON (tools). */
public final class ReportWriter {

    private ReportWriter() {}

    public static String write(ReviewReport report, ReportFormat format) {
        return switch (format) {
            case TEXT -> text(report);
            case MARKDOWN -> markdown(report);
            case JSON -> json(report);
        };
    }

    public static String text(ReviewReport r) {
        StringBuilder sb = new StringBuilder();
        for (ReviewReport.FileReview f : r.files()) {
            if (f.skipped()) {
                continue;
            }
            sb.append(heading(f.path(), f.change()));
            if (f.succeeded()) {
                sb.append('\n')
                        .append(f.review() == null ? "" : f.review().strip())
                        .append("\n\n");
            } else {
                sb.append(' ')
                        .append(f.status().toUpperCase(Locale.ROOT))
                        .append('\n')
                        .append(errorLine(f))
                        .append("\n\n");
            }
        }
        return sb.append(skippedAndSummary(r)).toString();
    }

    /** "== src/Calc.java (modified) ==": where a file's review starts in text, whole or streamed. */
    static String heading(String path, String change) {
        return "== " + path + " (" + change + ") ==";
    }

    /**
     * The text that follows reviews printed as they were written (by {@code review --stream}): their sections are
     * out already, each begun before its outcome was known, so the files that failed are listed here with why, then
     * the skipped ones and the summary, as {@link #text} ends.
     */
    public static String afterStream(ReviewReport r) {
        StringBuilder sb = new StringBuilder();
        List<ReviewReport.FileReview> failed =
                r.files().stream().filter(ReviewReport.FileReview::failed).toList();
        if (!failed.isEmpty()) {
            sb.append("Failed:\n");
            for (ReviewReport.FileReview f : failed) {
                sb.append("  ")
                        .append(f.path())
                        .append(": ")
                        .append(errorLine(f))
                        .append('\n');
            }
            sb.append('\n');
        }
        return sb.append(skippedAndSummary(r)).toString();
    }

    /** The list of skipped files, with why, then the summary line. */
    private static String skippedAndSummary(ReviewReport r) {
        StringBuilder sb = new StringBuilder();
        List<ReviewReport.FileReview> skipped =
                r.files().stream().filter(ReviewReport.FileReview::skipped).toList();
        if (!skipped.isEmpty()) {
            sb.append("Skipped:\n");
            for (ReviewReport.FileReview f : skipped) {
                sb.append("  ")
                        .append(f.path())
                        .append(": ")
                        .append(f.errorMessage())
                        .append('\n');
            }
            sb.append('\n');
        }
        return sb.append(summaryLine(r)).append('\n').toString();
    }

    /** "Summary: 3 files reviewed, 1 failed, 2 skipped; tokens 1,234 in / 567 out; cost $0.0123; time 4.2 s" */
    static String summaryLine(ReviewReport r) {
        ReviewReport.Summary s = r.summary();
        if (s.files() == 0) {
            return "Summary: no changes against " + r.against() + "; nothing to review";
        }
        return "Summary: " + plural(s.reviewed(), "file") + " reviewed, " + s.failed() + " failed, " + s.skipped()
                + " skipped; tokens " + Format.tokens(s.inputTokens()) + " in / " + Format.tokens(s.outputTokens())
                + " out; cost " + Format.usd(s.costUsd()) + "; time " + Format.elapsed(s.elapsed())
                + (r.batchId() != null ? "; batch " + r.batchId() : "");
    }

    public static String markdown(ReviewReport r) {
        ReviewReport.Summary s = r.summary();
        StringBuilder sb = new StringBuilder();
        sb.append("## Code review: ")
                .append(plural(s.files(), "changed file"))
                .append(" against ")
                .append(r.mergeBase() ? "the merge base of " : "")
                .append(code(r.base()))
                .append("\n\n");
        if (s.files() == 0) {
            sb.append("No changes: nothing to review.\n");
            return sb.toString();
        }
        sb.append("| files reviewed | failed | skipped | tokens in / out | cost | time |\n");
        sb.append("|---:|---:|---:|---:|---:|---:|\n");
        sb.append("| ")
                .append(s.reviewed())
                .append(" | ")
                .append(s.failed())
                .append(" | ")
                .append(s.skipped())
                .append(" | ")
                .append(Format.tokens(s.inputTokens()))
                .append(" / ")
                .append(Format.tokens(s.outputTokens()))
                .append(" | ")
                .append(Format.usd(s.costUsd()))
                .append(" | ")
                .append(Format.elapsed(s.elapsed()))
                .append(" |\n\n");
        for (ReviewReport.FileReview f : r.files()) {
            if (f.skipped()) {
                continue;
            }
            sb.append("### ")
                    .append(code(f.path()))
                    .append(" (")
                    .append(escape(f.change()))
                    .append(')');
            if (f.succeeded()) {
                sb.append("\n\n")
                        .append(f.review() == null ? "" : f.review().strip())
                        .append("\n\n");
            } else {
                sb.append(": **")
                        .append(f.status())
                        .append("**\n\n> ")
                        .append(escape(errorLine(f)).replace("\n", " "))
                        .append("\n\n");
            }
        }
        List<ReviewReport.FileReview> skipped =
                r.files().stream().filter(ReviewReport.FileReview::skipped).toList();
        if (!skipped.isEmpty()) {
            sb.append("<details>\n<summary>Skipped files (")
                    .append(skipped.size())
                    .append(")</summary>\n\n");
            for (ReviewReport.FileReview f : skipped) {
                sb.append("- ")
                        .append(code(f.path()))
                        .append(": ")
                        .append(escape(f.errorMessage()))
                        .append('\n');
            }
            sb.append("\n</details>\n\n");
        }
        sb.append("<sub>bedrock-jobs review");
        if (r.batchId() != null) {
            sb.append(" · batch ").append(code(r.batchId()));
        }
        if (r.model() != null) {
            sb.append(" · model ").append(escape(r.model()));
        }
        sb.append("</sub>\n");
        return sb.toString();
    }

    public static String json(ReviewReport r) {
        ObjectNode root = Json.object();
        if (r.batchId() == null) {
            root.putNull("batchId");
        } else {
            root.put("batchId", r.batchId());
        }
        root.put("base", r.base());
        root.put("mergeBase", r.mergeBase());
        if (r.model() == null) {
            root.putNull("model");
        } else {
            root.put("model", r.model());
        }
        ArrayNode files = root.putArray("files");
        for (ReviewReport.FileReview f : r.files()) {
            ObjectNode n = files.addObject();
            n.put("path", f.path());
            if (f.oldPath() != null) {
                n.put("oldPath", f.oldPath());
            }
            n.put("change", f.change());
            n.put("status", f.status());
            if (f.review() == null) {
                n.putNull("review");
            } else {
                n.put("review", f.review());
            }
            if (f.skipped()) {
                n.putNull("usage");
                n.putNull("cost");
            } else {
                n.putObject("usage").put("inputTokens", f.inputTokens()).put("outputTokens", f.outputTokens());
                n.putObject("cost").put("usd", money(f.costUsd()));
            }
            if (f.errorCode() == null && f.errorMessage() == null) {
                n.putNull("error");
            } else {
                n.putObject("error").put("code", f.errorCode()).put("message", f.errorMessage());
            }
        }
        ReviewReport.Summary s = r.summary();
        ObjectNode summary = root.putObject("summary");
        summary.put("files", s.files());
        summary.put("reviewed", s.reviewed());
        summary.put("failed", s.failed());
        summary.put("skipped", s.skipped());
        summary.put("inputTokens", s.inputTokens());
        summary.put("outputTokens", s.outputTokens());
        summary.putObject("cost").put("usd", money(s.costUsd()));
        summary.put("elapsedSeconds", BigDecimal.valueOf(s.elapsed().toMillis()).movePointLeft(3));
        return Json.pretty(root) + "\n";
    }

    private static BigDecimal money(double usd) {
        return BigDecimal.valueOf(usd).setScale(8, RoundingMode.HALF_UP).stripTrailingZeros();
    }

    private static String errorLine(ReviewReport.FileReview f) {
        String code = f.errorCode() != null ? f.errorCode() : f.status();
        return code + (f.errorMessage() != null ? ": " + f.errorMessage() : "");
    }

    private static String plural(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /** A Markdown code span that holds any text, backticks included. */
    static String code(String s) {
        int longest = 0;
        int run = 0;
        for (int i = 0; i < s.length(); i++) {
            run = s.charAt(i) == '`' ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        String tick = "`".repeat(longest + 1);
        String pad = s.startsWith("`") || s.endsWith("`") ? " " : "";
        return tick + pad + s + pad + tick;
    }

    /** Text outside code spans: what Markdown or HTML would otherwise take as markup. */
    static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '\\', '`', '*', '_', '[', ']', '|', '#' -> sb.append('\\').append(c);
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
