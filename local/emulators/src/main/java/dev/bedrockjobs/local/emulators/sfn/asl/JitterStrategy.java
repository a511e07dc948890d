package dev.bedrockjobs.local.emulators.sfn.asl;

/** A retrier's {@code JitterStrategy}. */
public enum JitterStrategy {
    /** The computed backoff as is (the default). */
    NONE,
    /** A uniformly random delay between 0 and the computed (capped) backoff. */
    FULL
}
