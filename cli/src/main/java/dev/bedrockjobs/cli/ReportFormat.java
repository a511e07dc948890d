package dev.bedrockjobs.cli;

import java.util.Locale;

/** The output formats of {@code review --format}. */
public enum ReportFormat {
    TEXT,
    MARKDOWN,
    JSON;

    static ReportFormat parse(String s) {
        try {
            return valueOf(s.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected text, markdown or json, not '" + s + "'");
        }
    }
}
