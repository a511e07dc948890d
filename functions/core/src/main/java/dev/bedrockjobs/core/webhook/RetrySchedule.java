package dev.bedrockjobs.core.webhook;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * When to try a webhook again: exponential backoff with full jitter, about ten attempts over about three days.
 *
 * <p>The ceiling of the wait after attempt n is {@link #STANDARD_WAITS}[n-1] (5 s, 1 min, 5 min, 30 min, 2 h, 6 h,
 * 11 h, 22 h, 33 h: 74.6 h in all, so the tenth and last attempt comes at most about three days after the first);
 * the wait itself is drawn uniformly between 1 s and that ceiling (full jitter), so that events that failed together
 * do not come back together. A receiver's {@code Retry-After} (on 429/503) stretches the wait when it is longer,
 * up to one visibility period.
 *
 * <p>The queue does the waiting: the message is made invisible for the wait. SQS allows a message to stay invisible
 * at most 12 hours from the time it was received, so one receive can wait at most {@link #MAX_VISIBILITY} (12 h less
 * 15 min, the longest a Lambda function can run between the receive and the ChangeMessageVisibility call). A
 * longer wait is spread over several receives: the wait after attempt n is cut into {@link #periods(int)} equal
 * visibility periods, and the receives in between are wake-ups that only make the message invisible again. Which
 * receive is an attempt and which a wake-up follows from the schedule alone ({@link #step(int)} of the message's
 * {@code ApproximateReceiveCount}); a wake-up re-draws the same jittered wait because the random source is seeded by
 * event and attempt ({@link #randomFor}). The standard schedule takes at most {@link #maxReceives()} = 13 receives
 * (10 attempts and 3 wake-ups), which the queue's {@code maxReceiveCount} must exceed.
 */
public final class RetrySchedule {
    public static final Duration MAX_VISIBILITY = Duration.ofHours(12).minusMinutes(15);
    public static final int DEFAULT_MAX_ATTEMPTS = 10;
    public static final List<Duration> STANDARD_WAITS = List.of(
            Duration.ofSeconds(5),
            Duration.ofMinutes(1),
            Duration.ofMinutes(5),
            Duration.ofMinutes(30),
            Duration.ofHours(2),
            Duration.ofHours(6),
            Duration.ofHours(11),
            Duration.ofHours(22),
            Duration.ofHours(33));

    private final List<Duration> waits;
    private final int maxAttempts;
    private final long maxVisibilitySeconds;

    public RetrySchedule(List<Duration> waits, int maxAttempts, Duration maxVisibility) {
        if (waits.isEmpty() || maxAttempts < 1 || maxVisibility.toSeconds() < 1) {
            throw new IllegalArgumentException("a schedule needs waits, at least one attempt and a visibility");
        }
        for (Duration w : waits) {
            if (w.toSeconds() < 1) {
                throw new IllegalArgumentException("every wait must be at least one second");
            }
        }
        this.waits = List.copyOf(waits);
        this.maxAttempts = maxAttempts;
        this.maxVisibilitySeconds = maxVisibility.toSeconds();
    }

    public static RetrySchedule standard(int maxAttempts) {
        return new RetrySchedule(STANDARD_WAITS, maxAttempts, MAX_VISIBILITY);
    }

    public static RetrySchedule standard() {
        return standard(DEFAULT_MAX_ATTEMPTS);
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    /** The longest the wait after {@code attempt} may be, before Retry-After; past the table, its last entry. */
    public Duration ceiling(int attempt) {
        requireAttempt(attempt);
        return waits.get(Math.min(attempt, waits.size()) - 1);
    }

    /** How many visibility periods (receives) the wait after {@code attempt} is spread over. */
    public int periods(int attempt) {
        long c = ceiling(attempt).toSeconds();
        return (int) ((c + maxVisibilitySeconds - 1) / maxVisibilitySeconds);
    }

    /** The total span of the schedule's ceilings: the latest the last attempt can come after the first. */
    public Duration longestSpan() {
        Duration total = Duration.ZERO;
        for (int n = 1; n < maxAttempts; n++) {
            total = total.plus(ceiling(n));
        }
        return total;
    }

    /** The most receives one message needs: every attempt plus the wake-ups of long waits. */
    public int maxReceives() {
        int receives = 1;
        for (int n = 1; n < maxAttempts; n++) {
            receives += periods(n);
        }
        return receives;
    }

    /**
     * The wait after a failed {@code attempt}, before the next one.
     *
     * @param retryAfter the receiver's Retry-After, or null
     * @param random     the source of the jitter; {@link #randomFor} gives the same draw to every receive of a wait
     */
    public Wait waitAfter(int attempt, Duration retryAfter, RandomGenerator random) {
        long jittered = random.nextLong(1, ceiling(attempt).toSeconds() + 1);
        int k = periods(attempt);
        long period = Math.max(1, (jittered + k - 1) / k);
        long first = period;
        if (retryAfter != null && retryAfter.toSeconds() > first) {
            first = Math.min(retryAfter.toSeconds(), maxVisibilitySeconds);
        }
        return new Wait(first, period, k);
    }

    /**
     * A wait, as visibility periods: the first set at the failed attempt, the others at each wake-up.
     *
     * @param firstSeconds the first period (stretched by Retry-After, if any)
     * @param laterSeconds each later period
     * @param periods      how many periods in all
     */
    public record Wait(long firstSeconds, long laterSeconds, int periods) {
        public Duration total() {
            return Duration.ofSeconds(firstSeconds + (periods - 1) * laterSeconds);
        }
    }

    /** What one receive of a message is for. */
    public sealed interface Step permits Attempt, Wake, Exhausted {}

    /** Deliver now; {@code number} counts from 1. */
    public record Attempt(int number) implements Step {}

    /** Part-way through the wait after {@code afterAttempt}: wait again, {@code period} of its periods (2..). */
    public record Wake(int afterAttempt, int period) implements Step {}

    /** Past the schedule (more receives than it plans): nothing is left to do. */
    public record Exhausted() implements Step {}

    /** The meaning of the {@code receiveCount}-th receive (1-based) of a message that follows this schedule. */
    public Step step(int receiveCount) {
        if (receiveCount < 1) {
            return new Attempt(1);
        }
        int receive = 1;
        for (int n = 1; n <= maxAttempts; n++) {
            if (receiveCount == receive) {
                return new Attempt(n);
            }
            if (n == maxAttempts) {
                break;
            }
            int k = periods(n);
            if (receiveCount < receive + k) {
                return new Wake(n, receiveCount - receive + 1);
            }
            receive += k;
        }
        return new Exhausted();
    }

    /** A random source for the wait after {@code attempt} of an event: the same for every receive of that wait. */
    public static RandomGenerator randomFor(String eventId, int attempt) {
        long seed = 1125899906842597L;
        for (byte b : (eventId + "#" + attempt).getBytes(StandardCharsets.UTF_8)) {
            seed = 31 * seed + b;
        }
        return new SplittableRandom(seed);
    }

    private void requireAttempt(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempts count from 1");
        }
    }
}
