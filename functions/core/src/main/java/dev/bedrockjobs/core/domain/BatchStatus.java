package dev.bedrockjobs.core.domain;

import java.util.Locale;

/** A batch runs until its last job is terminal (completed), unless it was canceled first. */
public enum BatchStatus {
    RUNNING,
    COMPLETED,
    CANCELED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static BatchStatus fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
