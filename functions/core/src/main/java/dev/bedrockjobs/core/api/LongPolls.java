package dev.bedrockjobs.core.api;

import dev.bedrockjobs.core.port.LimitCounters;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Requests held open until what they wait for has happened ({@code GET /v1/jobs/{id}?wait=N}, {@code GET
 * /v1/jobs/{id}/output?wait=N}), and the bound on how many one tenant holds at once, counted in the table so that it
 * holds across function instances. A request over the bound is answered at once with what is there: a tenant polling
 * in a loop still gets its answers, and cannot hold the status function's concurrency (or, locally, the front's
 * handling slots) away from other tenants.
 */
public final class LongPolls {
    /** Longer than the status function's 29-second timeout: no wait outlives its lease. */
    static final Duration LEASE = Duration.ofSeconds(30);

    public static final int DEFAULT_PER_TENANT = 10;
    public static final int MAX_WAIT_SECONDS = 20;

    /** How a held request waits between reads; tests replace it to run without real time passing. */
    public interface Sleeper {
        Sleeper REAL = d -> Thread.sleep(d.toMillis());

        void sleep(Duration d) throws InterruptedException;
    }

    /**
     * The pause before the first read again, doubled after each read up to {@code longest}: quick to see a change
     * that comes soon, cheap when it does not.
     */
    public record Pace(Duration first, Duration longest) {}

    private final LimitCounters counters;
    private final int perTenant;
    private final Clock clock;
    private final Sleeper sleeper;

    public LongPolls(LimitCounters counters, int perTenant, Clock clock, Sleeper sleeper) {
        if (perTenant < 1) {
            throw new IllegalArgumentException("long polls per tenant must be at least 1");
        }
        this.counters = counters;
        this.perTenant = perTenant;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /** Now, by the clock the holds keep. */
    Instant now() {
        return clock.instant();
    }

    /** Waits as a held request waits between reads. */
    void pause(Duration d) throws InterruptedException {
        sleeper.sleep(d);
    }

    /**
     * Reads again until the value is ready or {@code waitSeconds} have passed, and answers the last read. Nothing is
     * held when the first read is ready already, when no wait is asked for, or when the tenant holds its bound of
     * requests open already.
     *
     * @param paceAfter the pace for what the last read found: what is awaited may start to come sooner once the
     *                  thing read has changed state (a queued job that starts streaming), and the pause then shortens
     */
    <T> T hold(
            String tenantId,
            int waitSeconds,
            T first,
            Predicate<T> ready,
            Supplier<T> read,
            Function<? super T, Pace> paceAfter) {
        if (waitSeconds <= 0 || ready.test(first)) {
            return first;
        }
        Instant start = clock.instant();
        if (!counters.tryStartWait(tenantId, perTenant, start, start.plus(LEASE))) {
            return first;
        }
        T last = first;
        try {
            Instant deadline = start.plusSeconds(waitSeconds);
            Duration pause = paceAfter.apply(first).first();
            while (!ready.test(last)) {
                Duration left = Duration.between(clock.instant(), deadline);
                if (left.isNegative() || left.isZero()) {
                    break;
                }
                sleeper.sleep(pause.compareTo(left) < 0 ? pause : left);
                last = read.get();
                Duration longest = paceAfter.apply(last).longest();
                Duration doubled = pause.multipliedBy(2);
                pause = doubled.compareTo(longest) < 0 ? doubled : longest;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            counters.endWait(tenantId);
        }
        return last;
    }
}
