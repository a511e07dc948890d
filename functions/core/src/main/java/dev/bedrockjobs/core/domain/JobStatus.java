package dev.bedrockjobs.core.domain;

import java.util.Locale;

/** The lifecycle of a job: queued -> running -> succeeded|failed, and queued|running -> canceled. */
public enum JobStatus {
    QUEUED,
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELED;

    public boolean isTerminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELED;
    }

    /** The spelling used on the wire and in the table. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static JobStatus fromWire(String value) {
        for (JobStatus s : values()) {
            if (s.wire().equals(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown job status: " + value);
    }

    public static boolean isWire(String value) {
        for (JobStatus s : values()) {
            if (s.wire().equals(value)) {
                return true;
            }
        }
        return false;
    }
}
