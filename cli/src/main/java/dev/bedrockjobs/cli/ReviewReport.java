package dev.bedrockjobs.cli;

import java.time.Duration;
import java.util.List;

/**
 * The outcome of a review: one entry per file of the diff, in diff order, reviewed or skipped.
 *
 * @param batchId   null when nothing was submitted (no changes, or every file skipped)
 * @param base      the ref the work tree was compared with
 * @param mergeBase the comparison was with the merge base of {@code base} and HEAD
 * @param model     the tier asked for, or null for the API's default
 */
public record ReviewReport(
        String batchId, String base, boolean mergeBase, String model, List<FileReview> files, Duration elapsed) {

    /** Item statuses as the API names them, plus {@link #SKIPPED} for files never submitted. */
    public static final String SUCCEEDED = "succeeded";

    public static final String FAILED = "failed";
    public static final String CANCELED = "canceled";
    public static final String SKIPPED = "skipped";

    /**
     * One file.
     *
     * @param change    "modified", "new file", "renamed from X"...
     * @param status    succeeded, failed, canceled or skipped
     * @param review    the model's review (succeeded only)
     * @param errorCode why it failed ({@code error.code} of the job) or was skipped ({@code binary},
     *                  {@code too_large}, {@code no_changes}, {@code prompt_too_large}, {@code path_too_long})
     */
    public record FileReview(
            String path,
            String oldPath,
            String change,
            String status,
            String review,
            long inputTokens,
            long outputTokens,
            double costUsd,
            String errorCode,
            String errorMessage) {

        static FileReview skipped(FileDiff f, String code, String message) {
            return new FileReview(f.path(), f.oldPath(), f.describeChange(), SKIPPED, null, 0, 0, 0, code, message);
        }

        public boolean succeeded() {
            return SUCCEEDED.equals(status);
        }

        public boolean skipped() {
            return SKIPPED.equals(status);
        }

        /** Submitted, and did not succeed. */
        public boolean failed() {
            return !succeeded() && !skipped();
        }
    }

    /** The totals of a report. */
    public record Summary(
            int files,
            int reviewed,
            int failed,
            int skipped,
            long inputTokens,
            long outputTokens,
            double costUsd,
            Duration elapsed) {}

    public ReviewReport {
        files = List.copyOf(files);
    }

    /** "HEAD", or "the merge base of main". */
    public String against() {
        return mergeBase ? "the merge base of " + base : base;
    }

    public Summary summary() {
        int reviewed = 0;
        int failed = 0;
        int skipped = 0;
        long in = 0;
        long out = 0;
        double usd = 0;
        for (FileReview f : files) {
            if (f.succeeded()) {
                reviewed++;
            } else if (f.skipped()) {
                skipped++;
            } else {
                failed++;
            }
            in += f.inputTokens();
            out += f.outputTokens();
            usd += f.costUsd();
        }
        return new Summary(files.size(), reviewed, failed, skipped, in, out, usd, elapsed);
    }

    /** 0 when every submitted file was reviewed, 1 when any failed or was canceled. */
    public int exitCode() {
        return summary().failed() > 0 ? CliException.FAILED : 0;
    }
}
