package dev.bedrockjobs.cli;

import java.time.Duration;
import java.util.Locale;

/** Numbers as the CLI prints them: tokens with separators, dollars, durations. */
final class Format {
    private Format() {}

    /** 12,345 */
    static String tokens(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** 950, 12.3k, 4.5M: for the progress bar, where space is short. */
    static String compact(long n) {
        if (n < 1000) {
            return Long.toString(n);
        }
        if (n < 1_000_000) {
            return String.format(Locale.ROOT, "%.1fk", n / 1000.0);
        }
        return String.format(Locale.ROOT, "%.1fM", n / 1_000_000.0);
    }

    /** $0.0123: model calls cost fractions of a cent, so four decimals. */
    static String usd(double usd) {
        return String.format(Locale.ROOT, "$%.4f", usd);
    }

    /** 0.4 s, 12.0 s, 2 min 05 s. */
    static String elapsed(Duration d) {
        long ms = Math.max(0, d.toMillis());
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        long s = ms / 1000;
        return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
    }

    /** 0:07, 12:34: the progress bar's clock. */
    static String clock(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return s >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
