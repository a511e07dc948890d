package dev.bedrockjobs.core.work;

import dev.bedrockjobs.core.domain.Batch;
import dev.bedrockjobs.core.domain.BatchStatus;
import dev.bedrockjobs.core.domain.Ids;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.port.BatchStore;
import dev.bedrockjobs.core.port.DeadLetters;
import dev.bedrockjobs.core.port.JobQueue;
import dev.bedrockjobs.core.port.JobStore;
import dev.bedrockjobs.core.port.Page;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Closes the gaps a crash can leave: a job stored but never enqueued, a job whose worker died holding its lease, a
 * job whose message went to the DLQ, a batch whose completing update was lost, a batch whose submission stopped
 * before all its jobs were written, a finished job or completed batch whose webhook event never reached the webhooks
 * queue (not {@link JobStore#settle settled}, {@link BatchStore#settle settled}). Every step is idempotent (a message
 * for a job that needs none is acknowledged by the worker; counters and completion are guarded per job), so running
 * it twice, or beside live workers, changes nothing more.
 */
public final class Reconciler {
    private static final int MAX_JOBS_PER_RUN = 5_000;
    private static final int MAX_BATCHES_PER_RUN = 200;

    public record Report(
            int requeued, int redriven, int deadLettered, int batchesCompleted, int batchesCanceled, int eventsResent) {
        @Override
        public String toString() {
            return "requeued=" + requeued + " redriven=" + redriven + " deadLettered=" + deadLettered
                    + " batchesCompleted=" + batchesCompleted + " batchesCanceled=" + batchesCanceled
                    + " eventsResent=" + eventsResent;
        }
    }

    private final JobStore jobs;
    private final BatchStore batches;
    private final JobOutcomes outcomes;
    private final JobQueue queue;
    private final DeadLetters deadLetters;
    private final Clock clock;
    private final Duration queuedGrace;

    public Reconciler(
            JobStore jobs,
            BatchStore batches,
            JobOutcomes outcomes,
            JobQueue queue,
            DeadLetters deadLetters,
            Clock clock,
            Duration queuedGrace) {
        this.jobs = jobs;
        this.batches = batches;
        this.outcomes = outcomes;
        this.queue = queue;
        this.deadLetters = deadLetters;
        this.clock = clock;
        this.queuedGrace = queuedGrace;
    }

    public Report run() {
        try (Settlement settlement = outcomes.open()) {
            return run(settlement);
        }
    }

    private Report run(Settlement settlement) {
        Instant now = clock.instant();
        int deadLettered = failDeadLettered(settlement, now);
        int requeued = 0;
        int redriven = 0;
        int eventsResent = 0;
        List<JobQueue.JobMessage> resend = new ArrayList<>();
        for (JobStore.ActiveJob job : jobs.listActive(now.minus(queuedGrace), MAX_JOBS_PER_RUN)) {
            if (job.status() == JobStatus.QUEUED) {
                messageOf(job).ifPresent(resend::add);
                requeued++;
            } else if (job.status() == JobStatus.RUNNING
                    && (job.leaseUntil() == null || job.leaseUntil().isBefore(now))) {
                messageOf(job).ifPresent(resend::add);
                redriven++;
            } else if (job.status().isTerminal()) {
                // Still unsettled: whoever finished it died (or a call failed) before its usage, event or mark
                // were all done. What was done is not repeated; the event, if sent again, keeps its webhook-id.
                // Its batch, if any, is counted by completeBatches below.
                if (settlement
                        .settleIfAbandoned(job.id(), job.finishedAt())
                        .filter(j -> j.request().webhookUrl() != null)
                        .isPresent()) {
                    eventsResent++;
                }
            }
        }
        if (!resend.isEmpty()) {
            queue.sendAll(resend);
        }
        BatchWork batchWork = completeBatches(settlement, now);
        return new Report(
                requeued,
                redriven,
                deadLettered,
                batchWork.completed(),
                batchWork.canceled(),
                eventsResent + batchWork.eventsResent());
    }

    /**
     * The message that puts a job back in its own lane. The active index does not project the lane (changing an
     * index's projection means rebuilding it), so the job is read: one read per job re-sent, which only a crash or a
     * backlog older than the grace period asks for.
     */
    private Optional<JobQueue.JobMessage> messageOf(JobStore.ActiveJob job) {
        return jobs.get(job.id())
                .filter(j -> !j.progress().status().isTerminal())
                .map(JobQueue.JobMessage::of);
    }

    private int failDeadLettered(Settlement settlement, Instant now) {
        int n = 0;
        for (String jobId : deadLetters.jobIds(MAX_JOBS_PER_RUN)) {
            // Only the run that fails the job announces it: the message stays in the DLQ and is seen again.
            if (jobs.failUndeliverable(
                    jobId,
                    new Job.Error(FailureCodes.DEAD_LETTERED, "the job's message reached the dead-letter queue"),
                    now)) {
                n++;
                jobs.get(jobId).ifPresent(j -> outcomes.jobFinished(settlement, j));
            }
        }
        return n;
    }

    /**
     * Re-applies every finished job of an older running batch (the per-job guard makes repeats harmless), cancels an
     * older running batch that has fewer jobs than items, and re-sends the {@code batch.completed} event of a batch
     * completed a while ago and still unsettled: its worker died (or the send failed) between the completing write
     * and the enqueue.
     */
    private BatchWork completeBatches(Settlement settlement, Instant now) {
        int completed = 0;
        int canceled = 0;
        int eventsResent = 0;
        for (Batch batch : batches.listActive(now.minus(queuedGrace), MAX_BATCHES_PER_RUN)) {
            if (batch.status() != BatchStatus.RUNNING) {
                if (batch.finishedAt() == null || batch.finishedAt().isBefore(now.minus(queuedGrace))) {
                    if (batch.webhookUrl() == null) {
                        batches.settle(batch.id());
                    } else if (outcomes.batchCompleted(batch)) {
                        eventsResent++;
                    }
                }
                continue;
            }
            boolean done = false;
            int stored = 0;
            String cursor = null;
            do {
                Page<Job> page = jobs.listByBatch(batch.id(), 100, cursor);
                stored += page.items().size();
                for (Job j : page.items()) {
                    if (j.progress().status().isTerminal()
                            && !batch.finishedItems().contains(j.request().itemIndex())) {
                        done |= outcomes.jobSeenFinished(settlement, j);
                    }
                }
                cursor = page.nextCursor();
            } while (cursor != null);
            if (stored < batch.total()) {
                // Its submit wrote the batch record, then failed (or stopped) before all its jobs, longer ago than a
                // submit runs: the rest will never be written. Its client was answered with an error, so what it has
                // does not run either (a replay with its key now finds it canceled).
                outcomes.cancelBatch(settlement, batch.id(), now);
                canceled++;
                continue;
            }
            if (!done && batch.done()) {
                done = lastFinished(batch)
                        .map(j -> outcomes.jobSeenFinished(settlement, j))
                        .orElse(false);
            }
            completed += done ? 1 : 0;
        }
        return new BatchWork(completed, canceled, eventsResent);
    }

    private record BatchWork(int completed, int canceled, int eventsResent) {}

    private Optional<Job> lastFinished(Batch batch) {
        return batch.finishedItems().stream()
                .findFirst()
                .map(i -> Ids.jobIdInBatch(batch.id(), i))
                .flatMap(jobs::get);
    }
}
