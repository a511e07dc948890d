package dev.bedrockjobs.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Shows a batch's progress on standard error: on a terminal, one bar redrawn in place (done/total, failed, tokens in
 * and out, cost, elapsed, and the service's estimate of the time left while it has one); in a log, a plain line at most every {@link #PLAIN_INTERVAL_MILLIS} and one at the end.
 */
final class ProgressDisplay {
    static final long PLAIN_INTERVAL_MILLIS = 5_000;
    private static final int BAR_WIDTH = 24;

    /** How progress is shown. */
    enum Mode {
        BAR,
        PLAIN,
        NONE
    }

    private final PrintWriter err;
    private final Mode mode;
    private final LongSupplier clock;
    private final long start;
    private long lastPlain = Long.MIN_VALUE;
    private boolean barDrawn;

    ProgressDisplay(PrintWriter err, Mode mode, LongSupplier clockMillis) {
        this.err = err;
        this.mode = mode;
        this.clock = clockMillis;
        this.start = clockMillis.getAsLong();
    }

    static Mode mode(boolean stderrIsTerminal, boolean enabled) {
        return !enabled ? Mode.NONE : stderrIsTerminal ? Mode.BAR : Mode.PLAIN;
    }

    Duration elapsed() {
        return Duration.ofMillis(clock.getAsLong() - start);
    }

    void update(BatchProgress p) {
        switch (mode) {
            case BAR -> {
                err.print("\r\033[K" + bar(p, elapsed()));
                err.flush();
                barDrawn = true;
            }
            case PLAIN -> {
                long now = clock.getAsLong();
                if (p.done() || lastPlain == Long.MIN_VALUE || now - lastPlain >= PLAIN_INTERVAL_MILLIS) {
                    err.println(plain(p, elapsed()));
                    err.flush();
                    lastPlain = now;
                }
            }
            case NONE -> {}
        }
    }

    /** Ends the bar's line so that what follows starts on a fresh one. */
    void close() {
        if (barDrawn) {
            err.println();
            err.flush();
            barDrawn = false;
        }
    }

    static String bar(BatchProgress p, Duration elapsed) {
        long total = Math.max(p.total(), 1);
        int filled = (int) Math.min(BAR_WIDTH, p.finished() * BAR_WIDTH / total);
        StringBuilder sb = new StringBuilder("[");
        sb.append("#".repeat(filled)).append("-".repeat(BAR_WIDTH - filled)).append("] ");
        sb.append(p.finished()).append('/').append(p.total());
        if (p.failed() + p.canceled() > 0) {
            sb.append("  failed ").append(p.failed() + p.canceled());
        }
        sb.append("  tokens ")
                .append(Format.compact(p.inputTokens()))
                .append(" in / ")
                .append(Format.compact(p.outputTokens()))
                .append(" out");
        sb.append("  ").append(Format.usd(p.costUsd()));
        sb.append("  ").append(Format.clock(elapsed));
        if (p.etaSeconds() != null && !p.done()) {
            sb.append("  eta ").append(Format.clock(Duration.ofSeconds(p.etaSeconds())));
        }
        return sb.toString();
    }

    static String plain(BatchProgress p, Duration elapsed) {
        return "batch " + p.id() + ": " + p.finished() + "/" + p.total() + " done, "
                + (p.failed() + p.canceled()) + " failed, tokens " + Format.tokens(p.inputTokens()) + " in / "
                + Format.tokens(p.outputTokens()) + " out, " + Format.usd(p.costUsd()) + ", "
                + Format.elapsed(elapsed)
                + (p.etaSeconds() != null && !p.done()
                        ? ", about " + Format.elapsed(Duration.ofSeconds(p.etaSeconds())) + " left"
                        : "");
    }
}
