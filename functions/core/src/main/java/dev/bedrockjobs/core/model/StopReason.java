package dev.bedrockjobs.core.model;

import com.fasterxml.jackson.annotation.JsonValue;

/** Why a model stopped, normalized across provider families. */
public enum StopReason {
    END_TURN("end_turn"),
    MAX_TOKENS("max_tokens"),
    STOP_SEQUENCE("stop_sequence"),
    CONTENT_FILTERED("content_filtered"),
    OTHER("other");

    private final String value;

    StopReason(String value) {
        this.value = value;
    }

    /** The stored and serialized form, e.g. {@code max_tokens}. */
    @JsonValue
    public String value() {
        return value;
    }

    /** The reason of that stored form; anything else (or null) is {@link #OTHER}. */
    public static StopReason fromValue(String value) {
        for (StopReason r : values()) {
            if (r.value.equals(value)) {
                return r;
            }
        }
        return OTHER;
    }

    @Override
    public String toString() {
        return value;
    }
}
