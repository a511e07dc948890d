package dev.bedrockjobs.core.port;

import dev.bedrockjobs.core.domain.Finishes;
import dev.bedrockjobs.core.domain.Lane;
import java.time.Instant;
import java.util.List;

/**
 * What a queued job's place in its lane is estimated from: each lane hands out tickets in submit order, and counts
 * the jobs it finished recently. Both are approximate by design (see {@code QueueEstimates}).
 */
public interface LaneStats {

    /** Takes {@code n} consecutive tickets of a lane. @return the first (the first ever is 1) */
    long takeTickets(Lane lane, int n);

    /** Counts {@code jobs} of a lane as finished at {@code now}, by work that started at {@code from}. */
    void finished(Lane lane, int jobs, Instant from, Instant now);

    /** The lane's last ticket and its recent finishes, as of {@code now}. */
    Snapshot read(Lane lane, Instant now);

    /**
     * @param lastTicket the last ticket taken
     * @param recent     the lane's finishes of the last half minute or so, in a few groups, oldest first
     */
    record Snapshot(long lastTicket, List<Finishes> recent) {
        public Snapshot {
            recent = List.copyOf(recent);
        }
    }

    /** How many of a lane's messages wait, and how many are being worked on (the queue's own approximate counts). */
    interface Depth {
        Counts of(Lane lane);

        record Counts(long waiting, long inFlight) {}
    }
}
