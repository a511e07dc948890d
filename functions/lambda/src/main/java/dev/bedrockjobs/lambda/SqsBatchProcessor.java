package dev.bedrockjobs.lambda;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.bedrockjobs.core.port.MessageVisibility;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Processes a batch of SQS messages side by side (a job waits minutes on a model call, a webhook seconds on a slow
 * receiver: one at a time would let the batch outlive the function) and answers with partial batch failures, so
 * that only the messages to retry stay on the queue. A message to retry is first made invisible for as long as its
 * retry should wait, so that SQS hands it back then, not after the queue's visibility timeout (sized for the
 * function's own timeout). Used by the worker and the webhook function alike.
 */
public final class SqsBatchProcessor {
    private static final Logger LOG = Logger.getLogger(SqsBatchProcessor.class.getName());
    /** The event source mappings' largest batch. */
    private static final int MAX_BATCH = 10;
    /** The longest a message is held back: SQS refuses a visibility timeout past 12 hours from its receipt. */
    private static final long MAX_DELAY_SECONDS =
            Duration.ofHours(12).minusMinutes(15).toSeconds();

    /** What one message asks of its queue: to be deleted, or to come back after a wait. */
    public record Outcome(boolean retry, long waitSeconds) {
        public static final Outcome DONE = new Outcome(false, 0);

        public static Outcome retryIn(long seconds) {
            return new Outcome(true, Math.max(0, Math.min(MAX_DELAY_SECONDS, seconds)));
        }
    }

    /**
     * The work of one batch: each message's, from its body and how many times SQS has handed it out (called from
     * several threads at once), then {@link #close}, once every message is done (the worker's per-batch writes).
     */
    @FunctionalInterface
    public interface BatchWork extends AutoCloseable {
        Outcome handle(String body, int receiveCount);

        @Override
        default void close() {
            // most work leaves nothing for the end of its batch
        }
    }

    private final String kind;
    private final Supplier<? extends BatchWork> batches;
    private final Function<String, MessageVisibility> visibilityOfSource;
    private final ExecutorService pool;

    /**
     * @param kind               what the messages are, for thread names and logs ("job", "webhook")
     * @param batches            opens the work of each batch
     * @param visibilityOfSource the visibility of the queue a message came from, by its event source ARN
     */
    public SqsBatchProcessor(
            String kind,
            Supplier<? extends BatchWork> batches,
            Function<String, MessageVisibility> visibilityOfSource) {
        this.kind = kind;
        this.batches = batches;
        this.visibilityOfSource = visibilityOfSource;
        this.pool = Executors.newFixedThreadPool(MAX_BATCH, r -> {
            Thread t = new Thread(r, kind + "-message");
            t.setDaemon(true);
            return t;
        });
    }

    public SQSBatchResponse process(SQSEvent event) {
        List<SQSEvent.SQSMessage> records =
                event == null || event.getRecords() == null ? List.of() : event.getRecords();
        try (BatchWork work = batches.get()) {
            return process(records, work);
        }
    }

    private SQSBatchResponse process(List<SQSEvent.SQSMessage> records, BatchWork work) {
        List<Future<Outcome>> outcomes = new ArrayList<>(records.size());
        for (SQSEvent.SQSMessage m : records) {
            outcomes.add(pool.submit(() -> processOne(work, m)));
        }
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            boolean retry;
            try {
                retry = outcomes.get(i).get().retry();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                retry = true;
            } catch (Exception e) {
                // it comes back after the queue's visibility timeout; the queue's maxReceiveCount bounds how often
                LOG.log(Level.WARNING, kind + " message " + records.get(i).getMessageId() + " failed", e);
                retry = true;
            }
            if (retry) {
                failures.add(
                        new SQSBatchResponse.BatchItemFailure(records.get(i).getMessageId()));
            }
        }
        return new SQSBatchResponse(failures);
    }

    private Outcome processOne(BatchWork work, SQSEvent.SQSMessage m) {
        Outcome outcome = work.handle(m.getBody(), receiveCount(m));
        if (outcome.retry()) {
            try {
                visibilityOfSource.apply(m.getEventSourceArn()).delay(m.getReceiptHandle(), (int)
                        outcome.waitSeconds());
            } catch (RuntimeException e) {
                // The message still comes back, after the queue's own visibility timeout instead of the wait.
                LOG.log(Level.WARNING, kind + " message " + m.getMessageId() + ": visibility not changed", e);
            }
        }
        return outcome;
    }

    static int receiveCount(SQSEvent.SQSMessage m) {
        String v = m.getAttributes() == null ? null : m.getAttributes().get("ApproximateReceiveCount");
        try {
            return v == null ? 1 : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return 1;
        }
    }
}
