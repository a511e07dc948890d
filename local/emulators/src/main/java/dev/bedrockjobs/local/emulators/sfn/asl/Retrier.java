package dev.bedrockjobs.local.emulators.sfn.asl;

import java.time.Duration;
import java.util.List;
import java.util.Random;

/**
 * One element of a {@code Retry} list.
 *
 * <p>The delay before retry number {@code n} (1 for the first retry) is
 * {@code IntervalSeconds × BackoffRate^(n−1)}, then capped at {@code MaxDelaySeconds} when set, then, with
 * {@code JitterStrategy: FULL}, replaced by a uniform random value in [0, capped delay). The AWS documentation does
 * not say whether the cap applies before the jitter; capping first is the "full jitter" of the AWS Architecture Blog
 * ({@code random(0, min(cap, base × 2^n))}), which the FULL strategy is named after. Delays are kept to the
 * millisecond.
 *
 * @param maxDelaySeconds null when the field is absent (no cap)
 */
public record Retrier(
        List<String> errorEquals,
        int intervalSeconds,
        int maxAttempts,
        double backoffRate,
        Integer maxDelaySeconds,
        JitterStrategy jitterStrategy) {

    public static final int DEFAULT_INTERVAL_SECONDS = 1;
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    public static final double DEFAULT_BACKOFF_RATE = 2.0;

    public Retrier {
        errorEquals = List.copyOf(errorEquals);
    }

    public boolean matches(String error) {
        return ErrorNames.matches(errorEquals, error);
    }

    /** The backoff before retry {@code retryNumber}, before any jitter. */
    public double backoffSeconds(int retryNumber) {
        double backoff = intervalSeconds * Math.pow(backoffRate, retryNumber - 1);
        return maxDelaySeconds == null ? backoff : Math.min(backoff, maxDelaySeconds);
    }

    /** The delay before retry {@code retryNumber}, drawing from {@code random} for FULL jitter. */
    public Duration delayBeforeRetry(int retryNumber, Random random) {
        double seconds = backoffSeconds(retryNumber);
        if (jitterStrategy == JitterStrategy.FULL) {
            seconds *= random.nextDouble();
        }
        return Duration.ofMillis(Math.round(seconds * 1000));
    }
}
