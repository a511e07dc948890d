package dev.bedrockjobs.core.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.domain.Batch;
import dev.bedrockjobs.core.domain.Finishes;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.domain.Lane;
import dev.bedrockjobs.core.port.LaneStats;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Where a queued job stands and when a batch should be done: estimates, cheap to read and plain about being
 * estimates.
 *
 * <p>A job's position counts what waits ahead of it in its lane: the lane's unfinished messages (the queue's own
 * approximate counts, waiting and in flight) less those being worked on (at most the lane's slots: its maximum
 * concurrency times the batch size) and less those enqueued after it (from the lane's tickets), so 1 is next. It
 * assumes first come, first served: in the bulk lane, where fair share serves a small batch before a large one's
 * backlog, it is an upper bound for the small batch and a lower one for the large. Its ETA is when it should finish:
 * the jobs ahead and those being worked on, at the lane's recent pace.
 *
 * <p>A batch's ETA is its remaining items at its own recent pace, read from its parts (each part's finished items,
 * and the time from the first's start to the last's finish): no read beyond the batch's own query.
 *
 * <p>The recent pace is the jobs finished over the last 10 s (30 s when fewer than {@value #FEWEST_JOBS} finished
 * in those), divided by the time within it that work on them was going on: a lane or a batch standing idle between
 * arrivals is not slow. A group of finishes is taken to be spread evenly between its first and last finish. A
 * batch's busy time starts at its first finish, since the model call before it is not pace; so does a lane's, when
 * its work of the last half minute shows it went from idle to busy (see {@link #drainStart}). The newest seconds are
 * favoured because a drain's pace changes as it goes (workers warming up, a neighbour's batch ending), and an ETA
 * assumes the pace holds: one read while the pace is changing is off by about as much as it changes. Until work has
 * been seen for a few seconds there is no ETA, and none when nothing finished over the last 30 s.
 */
public final class QueueEstimates {
    private static final Logger LOG = Logger.getLogger(QueueEstimates.class.getName());
    /**
     * A pace measured over less than this is too noisy to extrapolate from: model calls started together finish
     * together, so the first seconds of a drain come in waves.
     */
    private static final Duration SHORTEST_SPAN = Duration.ofSeconds(3);
    /** Short, to follow a pace that changes; long enough to hold many finishes at the model latencies served. */
    private static final Duration RECENT = Duration.ofSeconds(10);
    /** A slow model's lane finishes few jobs in {@link #RECENT}; it is read over this instead. */
    private static final Duration LONGER = Duration.ofSeconds(30);

    private static final int FEWEST_JOBS = 10;
    /**
     * Nothing worked on for this long is idle; a shorter gap under a backlog is more likely a stall of the workers,
     * after which a pace from the first finish alone would read the few jobs since as the whole pace.
     */
    private static final Duration IDLE = Duration.ofSeconds(2);
    /** A run of work whose first finish is this close to the oldest of what was read may have begun before it. */
    private static final Duration EDGE = Duration.ofSeconds(4);

    private final LaneStats stats;
    private final LaneStats.Depth depth;
    private final Map<Lane, Long> slots;
    private final Clock clock;

    /** @param slots per lane, the most messages its workers hold at once */
    public QueueEstimates(LaneStats stats, LaneStats.Depth depth, Map<Lane, Long> slots, Clock clock) {
        this.stats = stats;
        this.depth = depth;
        this.slots = Map.copyOf(slots);
        this.clock = clock;
    }

    /**
     * {@code {position, etaSeconds}} for a queued job; empty for any other, and for one without a ticket (its submit
     * could not take one) or when the lane cannot be read (the view is then shown without it).
     */
    public Optional<ObjectNode> forJob(Job job) {
        if (job.progress().status() != JobStatus.QUEUED || job.progress().ticket() == null) {
            return Optional.empty();
        }
        try {
            Instant now = clock.instant();
            LaneStats.Snapshot s = stats.read(job.request().lane(), now);
            LaneStats.Depth.Counts c = depth.of(job.request().lane());
            long working =
                    Math.min(c.inFlight(), slots.getOrDefault(job.request().lane(), c.inFlight()));
            long ahead = c.waiting()
                    + c.inFlight()
                    - working
                    - (s.lastTicket() - job.progress().ticket());
            long position = Math.max(1, ahead);
            ObjectNode q = Json.object();
            q.put("position", position);
            Double perSecond = pace(s.recent(), now, drainStart(s.recent(), now));
            if (perSecond != null) {
                q.put("etaSeconds", seconds((position + working) / perSecond));
            } else {
                q.putNull("etaSeconds");
            }
            return Optional.of(q);
        } catch (RuntimeException e) {
            LOG.log(
                    Level.WARNING,
                    "lane " + job.request().lane().wire() + " not read; the job's view goes without its place",
                    e);
            return Optional.empty();
        }
    }

    /**
     * Seconds until a running batch should be done; null when it is done, or too few of its items have finished
     * lately to tell its pace.
     */
    public static Long batchEtaSeconds(Batch b, Instant now) {
        long remaining = b.total() - ((long) b.succeeded() + b.failed() + b.canceled());
        // The time before its first item finished is one model call, not pace.
        long firstFinish = b.finishes().stream()
                .mapToLong(f -> f.first().toEpochMilli())
                .min()
                .orElse(Long.MIN_VALUE);
        Double perSecond = remaining <= 0 ? null : pace(b.finishes(), now, firstFinish);
        return perSecond == null ? null : seconds(remaining / perSecond);
    }

    /**
     * The first finish of a lane's newest run of work (groups of finishes whose work overlaps or follows within
     * {@link #IDLE}), when that run began
     * from idle within what was read and holds more than one group: before it, the workers were filling up, which is
     * one model call, not pace. A lone group is a quiet lane's job, whose whole time is its pace; a run that reaches
     * back to the edge of what was read may have begun before it. Otherwise no start (every busy moment counts).
     */
    static long drainStart(List<Finishes> recent, Instant now) {
        List<Finishes> byStart = recent.stream()
                .filter(f -> f.jobs() > 0)
                .sorted(Comparator.comparing(Finishes::from))
                .toList();
        int run = 0;
        long reach = Long.MIN_VALUE;
        for (int i = 0; i < byStart.size(); i++) {
            if (byStart.get(i).from().toEpochMilli() > reach + IDLE.toMillis()) {
                run = i;
            }
            reach = Math.max(reach, byStart.get(i).last().toEpochMilli());
        }
        List<Finishes> newest = byStart.subList(run, byStart.size());
        long first =
                newest.stream().mapToLong(f -> f.first().toEpochMilli()).min().orElse(Long.MIN_VALUE);
        boolean fromIdle = run > 0 || first > now.minus(LONGER).plus(EDGE).toEpochMilli();
        return newest.size() > 1 && fromIdle ? first : Long.MIN_VALUE;
    }

    /**
     * To the nearest second rather than up: an estimate is as likely to be early as late, and rounding up added half
     * a second to every one, a large share of the last few seconds. Never 0 while something is left to do.
     */
    private static long seconds(double s) {
        return Math.max(1, Math.round(s));
    }

    /**
     * Jobs a second lately (see the class comment); null when too little was seen to tell.
     *
     * @param busySince no time before this counts as busy (epoch milliseconds)
     */
    static Double pace(List<Finishes> finishes, Instant now, long busySince) {
        Double recent = pace(finishes, now, RECENT, FEWEST_JOBS, busySince);
        return recent != null ? recent : pace(finishes, now, LONGER, 0, busySince);
    }

    private static Double pace(List<Finishes> finishes, Instant now, Duration window, int fewest, long busySince) {
        long end = now.toEpochMilli();
        // what finished before the busy time began is not counted either, or it would be pace without time
        long start = Math.max(end - window.toMillis(), busySince);
        double jobs = 0;
        List<long[]> busy = new ArrayList<>();
        for (Finishes f : finishes) {
            long first = f.first().toEpochMilli();
            long last = Math.min(f.last().toEpochMilli(), end);
            if (last < start || f.jobs() <= 0) {
                continue;
            }
            jobs += last <= first ? f.jobs() : f.jobs() * (double) (last - Math.max(first, start)) / (last - first);
            busy.add(new long[] {Math.max(f.from().toEpochMilli(), start), last});
        }
        busy.sort(Comparator.comparingLong(span -> span[0]));
        long seen = busy.isEmpty() ? 0 : end - busy.get(0)[0];
        long busyMillis = 0;
        long coveredTo = Long.MIN_VALUE;
        for (long[] span : busy) {
            long from = Math.max(span[0], coveredTo);
            if (span[1] > from) {
                busyMillis += span[1] - from;
            }
            coveredTo = Math.max(coveredTo, span[1]);
        }
        if (jobs <= 0 || jobs < fewest || busyMillis <= 0 || seen < SHORTEST_SPAN.toMillis()) {
            return null;
        }
        return jobs / (busyMillis / 1000.0);
    }
}
