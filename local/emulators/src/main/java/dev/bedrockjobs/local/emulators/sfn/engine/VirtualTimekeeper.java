package dev.bedrockjobs.local.emulators.sfn.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Simulated time for tests: {@link #sleep} returns at once, advances the clock and records the duration, so a retry
 * policy with minutes of backoff runs in microseconds and its delays can be asserted exactly.
 *
 * <p>A task attempt takes no simulated time when it finishes within a short real grace period. One that does not
 * is treated as hung: the clock jumps by the full limit and the wait times out, as a real hang would after
 * {@code TimeoutSeconds}. Choose a grace comfortably above the task's real latency (a few milliseconds for an
 * in-memory task, a couple of seconds for an HTTP call to a local simulator).
 */
public final class VirtualTimekeeper implements Timekeeper {

    private final Duration hangGrace;
    private Instant now;
    private final List<Duration> sleeps = new ArrayList<>();

    public VirtualTimekeeper(Instant start, Duration hangGrace) {
        this.now = start;
        this.hangGrace = hangGrace;
    }

    /** Starting at 2025-01-01T00:00:00Z with a 250 ms hang grace. */
    public VirtualTimekeeper() {
        this(Instant.parse("2025-01-01T00:00:00Z"), Duration.ofMillis(250));
    }

    @Override
    public synchronized Instant now() {
        return now;
    }

    @Override
    public synchronized void sleep(Duration duration) {
        sleeps.add(duration);
        now = now.plus(duration);
    }

    /** Moves the clock forward without recording a sleep. */
    public synchronized void advance(Duration duration) {
        now = now.plus(duration);
    }

    /** Every sleep so far, in order. */
    public synchronized List<Duration> sleeps() {
        return List.copyOf(sleeps);
    }

    public synchronized void clearSleeps() {
        sleeps.clear();
    }

    @Override
    public <T> T await(Future<T> attempt, Duration limit)
            throws InterruptedException, ExecutionException, TimeoutException {
        try {
            return attempt.get(hangGrace.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException hung) {
            if (limit == null) {
                return attempt.get();
            }
            advance(limit);
            throw hung;
        }
    }
}
