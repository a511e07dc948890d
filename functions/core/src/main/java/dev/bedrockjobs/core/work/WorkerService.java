package dev.bedrockjobs.core.work;

import dev.bedrockjobs.core.domain.Ids;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.domain.Lane;
import dev.bedrockjobs.core.domain.LogContext;
import dev.bedrockjobs.core.model.Cost;
import dev.bedrockjobs.core.model.ModelCodec;
import dev.bedrockjobs.core.model.ModelCodecs;
import dev.bedrockjobs.core.model.ModelReply;
import dev.bedrockjobs.core.model.ModelReplyException;
import dev.bedrockjobs.core.model.ModelRequest;
import dev.bedrockjobs.core.model.Pricing;
import dev.bedrockjobs.core.model.ReplyJson;
import dev.bedrockjobs.core.port.JobStore;
import dev.bedrockjobs.core.port.LaneStats;
import dev.bedrockjobs.core.port.ModelCallPolicy;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Takes delivered job messages to a terminal state, a batch of messages at a time ({@link #open}). Safe under
 * redelivery: a finished job is left alone, a claim is a conditional write with a fresh fencing token, and only the
 * holder of the current token may finish the job.
 */
public final class WorkerService {
    private static final Logger LOG = Logger.getLogger(WorkerService.class.getName());

    /**
     * What to tell the queue about a message: delete it, or keep it and have it handed back, after {@code retryIn}
     * or, when that is null, after the caller's backoff for a transient failure.
     */
    public record Delivery(boolean retry, Duration retryIn) {
        public static final Delivery DONE = new Delivery(false, null);
        public static final Delivery RETRY_LATER = new Delivery(true, null);

        public static Delivery retryIn(Duration wait) {
            return new Delivery(true, wait);
        }
    }

    private final JobStore store;
    private final JobOutcomes outcomes;
    private final ModelCallPolicy policy;
    private final Pricing pricing;
    private final Clock clock;
    private final Duration lease;
    private final int maxReceiveCount;
    private final LaneStats lanes;

    /** Without lane throughput: queued jobs then show no ETA. */
    public WorkerService(
            JobStore store,
            JobOutcomes outcomes,
            ModelCallPolicy policy,
            Pricing pricing,
            Clock clock,
            Duration lease,
            int maxReceiveCount) {
        this(store, outcomes, policy, pricing, clock, lease, maxReceiveCount, null);
    }

    public WorkerService(
            JobStore store,
            JobOutcomes outcomes,
            ModelCallPolicy policy,
            Pricing pricing,
            Clock clock,
            Duration lease,
            int maxReceiveCount,
            LaneStats lanes) {
        this.lanes = lanes;
        this.store = store;
        this.outcomes = outcomes;
        this.policy = policy;
        this.pricing = pricing;
        this.clock = clock;
        this.lease = lease;
        this.maxReceiveCount = maxReceiveCount;
    }

    /**
     * Opens the work of one batch of messages, to be closed once every message of it is done: the batch's jobs are
     * settled in one {@link Settlement}, and the lanes' throughput is written once, when it closes.
     */
    public Messages open() {
        return new Messages();
    }

    /** One batch of messages: processed side by side, then closed once. */
    public final class Messages implements AutoCloseable {
        private final Settlement settlement = outcomes.open();
        /** Jobs answered in this batch, per lane: the lane's throughput. */
        private final Map<Lane, AtomicInteger> answered = new ConcurrentHashMap<>();
        /**
         * From when the lane was busy with them: a lane's pace is jobs over busy time, so that a quiet lane's idle
         * time between arrivals does not pass for slowness.
         */
        private final Instant opened = clock.instant();

        private Messages() {}

        /**
         * One message from a lane's queue: its job processed under the job's log context. A message that names no
         * job is not ours and never will be: redelivering it cannot help, so it is dropped and logged.
         */
        public Delivery processMessage(String body, int receiveCount) {
            String jobId = jobIdOf(body);
            if (jobId == null) {
                LOG.warning("a job message names no job; dropped");
                return Delivery.DONE;
            }
            return LogContext.with(Map.of(LogContext.JOB_ID, jobId), () -> process(jobId, receiveCount));
        }

        public Delivery process(String jobId, int receiveCount) {
            boolean lastReceive = receiveCount >= maxReceiveCount;
            try {
                Delivery d = processOnce(jobId, lastReceive);
                if (d.retry() && lastReceive) {
                    return deadLetter(
                            jobId, "the job's message was not processed after " + receiveCount + " deliveries");
                }
                return d;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "job " + jobId + ": delivery " + receiveCount + " failed", e);
                return lastReceive
                        ? deadLetter(
                                jobId,
                                "the last delivery failed: " + e.getClass().getSimpleName())
                        : Delivery.RETRY_LATER;
            }
        }

        private Delivery processOnce(String jobId, boolean lastReceive) {
            // Claim first: a fresh message is by far the common case, and a refused claim costs the read it would have
            // saved (a finished, missing or leased job is then told apart below).
            Instant now = clock.instant();
            String token = Ids.randomToken(16);
            Optional<Job> claimed = store.claim(jobId, token, now, now.plus(lease));
            if (claimed.isEmpty()) {
                Optional<Job> current = store.get(jobId);
                if (current.isEmpty()) {
                    return Delivery.DONE; // past its retention: nothing to do
                }
                if (current.get().progress().status().isTerminal()) {
                    // a duplicate delivery: repeats what a crash cut short
                    outcomes.jobSeenFinished(settlement, current.get());
                    return Delivery.DONE;
                }
                // Another worker holds a live lease. On the last receive, leave it to that worker (or the reconciler)
                // rather than dead-lettering a job that is being worked on. Otherwise come back as the lease ends: if
                // its holder died (a crash, a restart), this message is the one that takes the job over.
                if (lastReceive) {
                    return Delivery.DONE;
                }
                Instant leaseUntil = current.get().progress().leaseUntil();
                return leaseUntil == null
                        ? Delivery.RETRY_LATER
                        : Delivery.retryIn(Duration.between(now, leaseUntil).plusSeconds(1));
            }
            Job job = claimed.get();
            try {
                outcomes.jobStarted(job);
                if (job.progress().cancelRequested()) {
                    finishCanceled(job, null, null, job.progress().attempts());
                    return Delivery.DONE;
                }
                ModelCodec codec = ModelCodecs.forModel(job.request().modelId());
                ModelRequest request = new ModelRequest(
                        job.request().prompt(),
                        job.request().system(),
                        job.request().maxTokens(),
                        job.request().temperature());
                ModelCallPolicy.Outcome outcome = policy.run(
                        job.id(),
                        job.id() + "-" + token.substring(0, 12),
                        job.request().modelId(),
                        codec.requestBody(request),
                        job.request().stream() ? token : null);
                Job finished = outcome instanceof ModelCallPolicy.Answered a
                        ? answered(job, a, codec, request)
                        : outcome instanceof ModelCallPolicy.Streamed st
                                ? streamed(job, st)
                                : failed(job, (ModelCallPolicy.Failed) outcome);
                outcomes.jobAnswered(finished);
                answered.computeIfAbsent(job.request().lane(), l -> new AtomicInteger())
                        .incrementAndGet();
                if (!finishCounted(finished)) {
                    settleLostFinish(finished);
                }
            } catch (RuntimeException e) {
                // A call failed between the claim and the terminal write (Step Functions unreachable, a DynamoDB call
                // that failed past the SDK's retries): release the claim, so that the redelivery claims the job at once
                // instead of waiting out this claim's lease. Refused, harmlessly, if the terminal write did happen.
                releaseQuietly(job.id(), token);
                throw e;
            }
            return Delivery.DONE;
        }

        private void releaseQuietly(String jobId, String token) {
            try {
                store.release(jobId, token);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "job " + jobId + ": claim not released; it ends with its lease", e);
            }
        }

        /**
         * The finish was refused: a cancel arrived while the model ran, another worker took the job over, or this very
         * finish was applied and only its answer was lost (the SDK's retry then finds the job already terminal).
         */
        private void settleLostFinish(Job finished) {
            Optional<Job> now = store.get(finished.id());
            if (now.isEmpty()
                    || !finished.progress()
                            .fencingToken()
                            .equals(now.get().progress().fencingToken())) {
                return; // another worker's claim: its outcome is its own to announce
            }
            Job current = now.get();
            if (current.progress().status().isTerminal()) {
                outcomes.jobFinished(settlement, current);
            } else if (current.progress().cancelRequested()
                    && current.progress().status() == JobStatus.RUNNING) {
                // Tokens were spent, so usage and cost are kept; the answer itself is discarded.
                finishCanceled(
                        current,
                        finished.accounting().usage(),
                        finished.accounting().costUsd(),
                        finished.progress().attempts());
            }
        }

        private void finishCanceled(Job job, Job.Usage usage, BigDecimal cost, int attempts) {
            finishCounted(job.toBuilder()
                    .progress(p -> p.status(JobStatus.CANCELED)
                            .finishedAt(clock.instant())
                            .attempts(attempts)
                            .result(null)
                            .error(null))
                    .accounting(ac -> ac.usage(usage).costUsd(cost))
                    .build());
        }

        /**
         * The usage first, then the terminal write that also marks it counted (and, owing no event, settles the job);
         * if that write is refused, the usage is withdrawn. @return whether this call finished the job
         */
        private boolean finishCounted(Job finished) {
            Job counted = settlement.countAhead(finished);
            if (store.finish(counted)) {
                outcomes.jobFinished(settlement, counted);
                return true;
            }
            settlement.withdrawAhead(finished);
            return false;
        }

        private Delivery deadLetter(String jobId, String why) {
            try {
                if (store.failUndeliverable(jobId, new Job.Error(FailureCodes.DEAD_LETTERED, why), clock.instant())) {
                    store.get(jobId).ifPresent(j -> outcomes.jobFinished(settlement, j));
                }
                return Delivery.DONE;
            } catch (RuntimeException e) {
                // The store is unreachable too: let the message go to the DLQ, where the reconciler will find it.
                LOG.log(Level.SEVERE, "job " + jobId + " could not be marked dead-lettered", e);
                return Delivery.RETRY_LATER;
            }
        }

        /**
         * Writes what settling deferred and the lanes' throughput. Neither failing costs more than tidiness or an
         * ETA, so it never fails the messages.
         */
        @Override
        public void close() {
            settlement.close();
            if (lanes == null) {
                return;
            }
            answered.forEach((lane, count) -> {
                int n = count.getAndSet(0);
                if (n > 0) {
                    try {
                        lanes.finished(lane, n, opened, clock.instant());
                    } catch (RuntimeException e) {
                        // only the lane's ETA misses them
                        LOG.log(Level.WARNING, "lane throughput not recorded", e);
                    }
                }
            });
        }
    }

    private static String jobIdOf(String body) {
        try {
            String id = Json.parse(body).path("jobId").asText(null);
            return Ids.isWellFormed(id, "job_") ? id : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private Job answered(Job job, ModelCallPolicy.Answered a, ModelCodec codec, ModelRequest request) {
        int attempts = job.progress().attempts() + Math.max(1, a.attempts());
        try {
            return succeeded(job, codec.readReply(a.response(), request), attempts);
        } catch (ModelReplyException e) {
            return job.toBuilder()
                    .progress(p -> p.status(JobStatus.FAILED)
                            .finishedAt(clock.instant())
                            .attempts(attempts)
                            .error(new Job.Error(FailureCodes.INVALID_MODEL_RESPONSE, e.getMessage())))
                    .build();
        }
    }

    private Job succeeded(Job job, ModelReply reply, int attempts) {
        return job.toBuilder()
                .progress(p -> p.status(JobStatus.SUCCEEDED)
                        .finishedAt(clock.instant())
                        .attempts(attempts)
                        .result(new Job.Result(reply.text(), reply.stopReason().value())))
                .accounting(ac -> ac.usage(new Job.Usage(reply.inputTokens(), reply.outputTokens()))
                        .costUsd(costOf(job, reply)))
                .build();
    }

    private BigDecimal costOf(Job job, ModelReply reply) {
        Cost priced = pricing.costOf(job.request().modelId(), reply.inputTokens(), reply.outputTokens());
        return priced == null ? null : priced.usd();
    }

    /**
     * A streamed answer ends the job as a plain one does. A canceled one is written as answered too: the store refuses
     * it for the cancel asked for, and the job ends canceled with what it used. One that broke off after its answer
     * began ends failed, its partial text kept in its pieces and the tokens it used charged.
     */
    private Job streamed(Job job, ModelCallPolicy.Streamed st) {
        int attempts = job.progress().attempts() + Math.max(1, st.attempts());
        ModelReply reply;
        try {
            reply = ReplyJson.read(st.reply());
        } catch (ModelReplyException e) {
            return job.toBuilder()
                    .progress(p -> p.status(JobStatus.FAILED)
                            .finishedAt(clock.instant())
                            .attempts(attempts)
                            .error(new Job.Error(FailureCodes.INVALID_MODEL_RESPONSE, e.getMessage())))
                    .build();
        }
        if (st.interruption() == null) {
            return succeeded(job, reply, attempts);
        }
        return job.toBuilder()
                .progress(p -> p.status(JobStatus.FAILED)
                        .finishedAt(clock.instant())
                        .attempts(attempts)
                        .error(new Job.Error(
                                FailureCodes.STREAM_INTERRUPTED,
                                "the answer broke off after it began; the part written is kept: "
                                        + truncate(st.interruption()))))
                .accounting(ac -> ac.usage(new Job.Usage(reply.inputTokens(), reply.outputTokens()))
                        .costUsd(costOf(job, reply)))
                .build();
    }

    private Job failed(Job job, ModelCallPolicy.Failed f) {
        String message = f.error() + (f.cause() == null || f.cause().isBlank() ? "" : ": " + truncate(f.cause()));
        return job.toBuilder()
                .progress(p -> p.status(JobStatus.FAILED)
                        .finishedAt(clock.instant())
                        .attempts(job.progress().attempts() + 1)
                        .error(new Job.Error(FailureCodes.codeFor(f.error(), f.cause()), message)))
                .build();
    }

    private static String truncate(String s) {
        return s.length() > 1000 ? s.substring(0, 1000) + "…" : s;
    }
}
