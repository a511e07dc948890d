package dev.bedrockjobs.local.emulators.sfn.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Wall-clock time and real sleeps. */
public final class SystemTimekeeper implements Timekeeper {

    public static final SystemTimekeeper INSTANCE = new SystemTimekeeper();

    private SystemTimekeeper() {}

    @Override
    public Instant now() {
        return Instant.now();
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
        if (!duration.isNegative() && !duration.isZero()) {
            TimeUnit.NANOSECONDS.sleep(duration.toNanos());
        }
    }

    @Override
    public <T> T await(Future<T> attempt, Duration limit)
            throws InterruptedException, ExecutionException, TimeoutException {
        return limit == null ? attempt.get() : attempt.get(limit.toNanos(), TimeUnit.NANOSECONDS);
    }
}
