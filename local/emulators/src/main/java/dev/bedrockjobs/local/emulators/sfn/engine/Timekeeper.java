package dev.bedrockjobs.local.emulators.sfn.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;

/**
 * The engine's only access to time: the clock, retry sleeps, and the bounded wait for a task attempt. Production
 * uses {@link SystemTimekeeper}; tests use {@link VirtualTimekeeper} to run a retry policy instantly and read the
 * delays it chose.
 */
public interface Timekeeper {

    Instant now();

    void sleep(Duration duration) throws InterruptedException;

    /**
     * Waits for a task attempt.
     *
     * @param limit the longest wait, or null for none
     * @throws TimeoutException once {@code limit} has elapsed without a result
     */
    <T> T await(Future<T> attempt, Duration limit) throws InterruptedException, ExecutionException, TimeoutException;
}
