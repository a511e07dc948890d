package dev.bedrockjobs.core.work;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long a job message whose delivery failed for a transient reason (a DynamoDB or SQS call that failed past the
 * SDK's retries) stays invisible before the queue hands it back: {@code base * factor^(receiveCount-1)}, capped,
 * with jitter over its upper half so that messages that failed together do not return together. Without it the
 * message would wait out the jobs queue's visibility timeout (30 minutes, sized for the worker's own timeout).
 *
 * <p>The queue's {@code maxReceiveCount} (5) bounds the receives: with the defaults the fifth comes about 7 minutes
 * after the first at the least, and the worker then fails the job as dead-lettered.
 */
public final class RedeliveryBackoff {
    public static final RedeliveryBackoff STANDARD =
            new RedeliveryBackoff(Duration.ofSeconds(5), 4, Duration.ofMinutes(15));

    private final long baseSeconds;
    private final int factor;
    private final long capSeconds;

    public RedeliveryBackoff(Duration base, int factor, Duration cap) {
        if (base.toSeconds() < 1 || factor < 1 || cap.compareTo(base) < 0) {
            throw new IllegalArgumentException("a backoff needs a base of at least 1 s, a factor and a cap above it");
        }
        this.baseSeconds = base.toSeconds();
        this.factor = factor;
        this.capSeconds = cap.toSeconds();
    }

    /** The most the wait after the {@code receiveCount}-th receive may be. */
    public long ceilingSeconds(int receiveCount) {
        long wait = baseSeconds;
        for (int n = 1; n < receiveCount && wait < capSeconds; n++) {
            wait *= factor;
        }
        return Math.min(wait, capSeconds);
    }

    /** The wait after the {@code receiveCount}-th receive, in seconds: between half the ceiling and the ceiling. */
    public int secondsAfter(int receiveCount) {
        long ceiling = ceilingSeconds(receiveCount);
        return (int) ThreadLocalRandom.current().nextLong((ceiling + 1) / 2, ceiling + 1);
    }
}
