package dev.bedrockjobs.core.work;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.core.domain.Ids;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.domain.LogContext;
import dev.bedrockjobs.core.port.MessageVisibility;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Processes a batch of job messages side by side (each waits minutes on a model call, so one at a time would let
 * the batch outlive the function) and reports partial batch failures: only messages to redeliver are listed. A
 * message to redeliver is first made invisible for as long as its retry should wait (the backoff after a transient
 * failure, or until another worker's lease ends), so that it comes back in seconds rather than after the jobs
 * queue's visibility timeout, which is sized for the worker's own timeout.
 */
public final class JobMessages {
    private static final Logger LOG = Logger.getLogger(JobMessages.class.getName());
    private static final int MAX_BATCH = 10;

    /** The longest a message is held back: past it, the queue's own visibility timeout takes over. */
    private static final long MAX_DELAY_SECONDS = Duration.ofHours(12).minusMinutes(15).toSeconds();

    private final WorkerService worker;
    private final Function<String, MessageVisibility> visibilityOfQueue;
    private final RedeliveryBackoff backoff;
    private final ExecutorService pool;

    /** For messages from one queue. */
    public JobMessages(WorkerService worker, MessageVisibility visibility, RedeliveryBackoff backoff) {
        this(worker, eventSourceArn -> visibility, backoff);
    }

    /** @param visibilityOfQueue the visibility of the queue with that event source ARN (a message's lane) */
    public JobMessages(WorkerService worker, Function<String, MessageVisibility> visibilityOfQueue,
                       RedeliveryBackoff backoff) {
        this.worker = worker;
        this.visibilityOfQueue = visibilityOfQueue;
        this.backoff = backoff;
        this.pool = Executors.newFixedThreadPool(MAX_BATCH, r -> {
            Thread t = new Thread(r, "job-message");
            t.setDaemon(true);
            return t;
        });
    }

    public SQSBatchResponse process(SQSEvent event) {
        List<SQSEvent.SQSMessage> records = event.getRecords() == null ? List.of() : event.getRecords();
        List<Future<WorkerService.Delivery>> results = new ArrayList<>(records.size());
        for (SQSEvent.SQSMessage m : records) {
            results.add(pool.submit(() -> processOne(m)));
        }
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            WorkerService.Delivery d;
            try {
                d = results.get(i).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                d = WorkerService.Delivery.RETRY_LATER;
            } catch (Exception e) {
                LOG.log(Level.WARNING, "message " + records.get(i).getMessageId() + " failed", e);
                d = WorkerService.Delivery.RETRY_LATER;
            }
            if (d.retry()) {
                failures.add(new SQSBatchResponse.BatchItemFailure(records.get(i).getMessageId()));
            }
        }
        worker.flush();
        return new SQSBatchResponse(failures);
    }

    private WorkerService.Delivery processOne(SQSEvent.SQSMessage m) {
        String jobId = jobId(m);
        if (jobId == null) {
            // Not ours and never will be: redelivering it cannot help, so it is dropped and logged.
            LOG.warning("message " + m.getMessageId() + " names no job; dropped");
            return WorkerService.Delivery.DONE;
        }
        int receiveCount = receiveCount(m);
        WorkerService.Delivery d = LogContext.with(Map.of(LogContext.JOB_ID, jobId),
                () -> worker.process(jobId, receiveCount));
        if (d.retry()) {
            delay(m, d.retryIn() == null ? backoff.secondsAfter(receiveCount)
                    : Math.min(MAX_DELAY_SECONDS, Math.max(1, d.retryIn().toSeconds())));
        }
        return d;
    }

    private void delay(SQSEvent.SQSMessage m, long seconds) {
        try {
            visibilityOfQueue.apply(m.getEventSourceArn()).delay(m.getReceiptHandle(), (int) seconds);
        } catch (RuntimeException e) {
            // The message still comes back, after the queue's own visibility timeout instead of the wait.
            LOG.log(Level.WARNING, "job message " + m.getMessageId() + ": visibility not changed", e);
        }
    }

    private static String jobId(SQSEvent.SQSMessage m) {
        try {
            JsonNode body = Json.parse(m.getBody());
            String id = body.path("jobId").asText(null);
            return Ids.isWellFormed(id, "job_") ? id : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static int receiveCount(SQSEvent.SQSMessage m) {
        String v = m.getAttributes() == null ? null : m.getAttributes().get("ApproximateReceiveCount");
        try {
            return v == null ? 1 : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return 1;
        }
    }
}
