package dev.bedrockjobs.core.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.domain.Batch;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.domain.Lane;
import dev.bedrockjobs.core.port.LaneStats;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
 * the jobs ahead and those being worked on, at the lane's throughput over the last minute. Until jobs have finished
 * over a few seconds of that minute there is no ETA.
 *
 * <p>A batch's ETA is its remaining items at the pace its own items have finished since the first of them did (the
 * time before that is one model call, not pace): no read beyond the batch and the page of its jobs the view shows.
 */
public final class QueueEstimates {
    private static final Logger LOG = Logger.getLogger(QueueEstimates.class.getName());
    /**
     * A pace measured over less than this is too noisy to extrapolate from: model calls started together finish
     * together, so the first seconds of a drain come in waves.
     */
    private static final Duration SHORTEST_SPAN = Duration.ofSeconds(3);

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
            if (s.finishedRecently() > 0 && s.over().compareTo(SHORTEST_SPAN) >= 0) {
                double perSecond = s.finishedRecently() / (s.over().toMillis() / 1000.0);
                q.put("etaSeconds", (long) Math.ceil((position + working) / perSecond));
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
     * Seconds until a running batch should be done; null when it is done, or too few of its items have finished to
     * tell its pace.
     *
     * @param firstFinished when its first item finished, as far as the caller knows (the earliest finish among the
     *                      jobs it read); null to count from the batch's creation
     */
    public static Long batchEtaSeconds(Batch b, Instant firstFinished, Instant now) {
        long finished = (long) b.succeeded() + b.failed() + b.canceled();
        long remaining = b.total() - finished;
        Duration paced = Duration.between(firstFinished == null ? b.createdAt() : firstFinished, now);
        if (finished == 0 || remaining <= 0 || paced.compareTo(SHORTEST_SPAN) < 0) {
            return null;
        }
        return (long) Math.ceil(remaining * (paced.toMillis() / 1000.0) / finished);
    }
}
