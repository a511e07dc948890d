package dev.bedrockjobs.core.port;

import dev.bedrockjobs.core.domain.Lane;
import java.time.Duration;
import java.time.Instant;

/**
 * What a queued job's place in its lane is estimated from: each lane hands out tickets in submit order, and counts
 * the jobs it finished recently. Both are approximate by design (see {@code QueueEstimates}).
 */
public interface LaneStats {

    /** Takes {@code n} consecutive tickets of a lane. @return the first (the first ever is 1) */
    long takeTickets(Lane lane, int n);

    /** Counts {@code jobs} of a lane as finished at {@code now}. */
    void finished(Lane lane, int jobs, Instant now);

    /** The lane's last ticket and its recent throughput, as of {@code now}. */
    Snapshot read(Lane lane, Instant now);

    /**
     * @param lastTicket       the last ticket taken
     * @param finishedRecently jobs finished over {@code over}
     * @param over             from the first of those finishes until now (zero when none)
     */
    record Snapshot(long lastTicket, long finishedRecently, Duration over) {}

    /** How many of a lane's messages wait, and how many are being worked on (the queue's own approximate counts). */
    interface Depth {
        Counts of(Lane lane);

        record Counts(long waiting, long inFlight) {}
    }
}
