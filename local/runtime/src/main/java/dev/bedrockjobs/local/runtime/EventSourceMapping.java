package dev.bedrockjobs.local.runtime;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * Lambda's SQS event source mapping for one function and queue: {@code maximumConcurrency} pollers, each with its own
 * function instance (one execution environment per concurrent invocation), long-poll the queue with every system and
 * message attribute, gather up to {@code batchSize} messages within the batching window, invoke the function with a
 * real-shaped {@link SQSEvent} and then delete what succeeded.
 *
 * <p>Success is decided as Lambda decides it: a handler that throws fails the whole batch (nothing is deleted);
 * with {@code ReportBatchItemFailures} the listed messages stay and the rest are deleted, and a response naming an
 * unknown or empty id fails the whole batch. Messages not deleted come back after the queue's visibility timeout,
 * and ElasticMQ moves them to the dead-letter queue past {@code maxReceiveCount}: the queue's attributes, set from
 * the template, do that part.
 *
 * <p>With {@code fairShare} (every mapping the template declares) the messages come through a
 * {@link FairShareReceiver}, which hands them out as SQS fair queues do and ElasticMQ does not.
 */
final class EventSourceMapping implements AutoCloseable {
    /**
     * Lambda's pollers long-poll for 20 s. ElasticMQ does not stop while a long poll is open, so a shorter wait keeps
     * a stack's stop quick; nothing a handler sees changes, since a long poll returns as soon as a message arrives.
     */
    static final int LONG_POLL_SECONDS = 2;

    private static final int SQS_MAX_RECEIVE = 10;
    private static final Logger LOG = Logger.getLogger(EventSourceMapping.class.getName());

    /** The mapping's settings, from the function's {@code Type: SQS} event. */
    record Settings(
            String queueUrl,
            String queueArn,
            int batchSize,
            Duration batchingWindow,
            int maximumConcurrency,
            boolean reportBatchItemFailures,
            boolean fairShare,
            int visibilityTimeoutSeconds) {

        /** Messages in arrival order, as ElasticMQ hands them out. */
        Settings(
                String queueUrl,
                String queueArn,
                int batchSize,
                Duration batchingWindow,
                int maximumConcurrency,
                boolean reportBatchItemFailures) {
            this(queueUrl, queueArn, batchSize, batchingWindow, maximumConcurrency, reportBatchItemFailures, false, 30);
        }
    }

    private final LambdaFunction function;
    private final Settings settings;
    private final SqsClient sqs;
    private final ExecutorService pollers;
    private final AtomicInteger inFlight = new AtomicInteger();
    private FairShareReceiver fairShare;
    private volatile boolean running;

    EventSourceMapping(LambdaFunction function, Settings settings, SqsClient sqs) {
        this.function = function;
        this.settings = settings;
        this.sqs = sqs;
        AtomicInteger n = new AtomicInteger();
        this.pollers = Executors.newFixedThreadPool(settings.maximumConcurrency(), r -> {
            Thread t = new Thread(r, "esm-" + function.name() + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    LambdaFunction function() {
        return function;
    }

    Settings settings() {
        return settings;
    }

    EventSourceMapping start() {
        running = true;
        if (settings.fairShare()) {
            fairShare = new FairShareReceiver(
                    sqs, settings.queueUrl(), settings.visibilityTimeoutSeconds(), LONG_POLL_SECONDS, function.name());
        }
        for (int i = 0; i < settings.maximumConcurrency(); i++) {
            pollers.execute(this::poll);
        }
        return this;
    }

    private void poll() {
        LambdaFunction.Instance instance = null;
        while (running) {
            List<Message> batch;
            try {
                batch = fairShare != null
                        ? fairShare.take(settings.batchSize(), settings.batchingWindow())
                        : receiveBatch();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                LOG.log(
                        Level.WARNING,
                        function.name() + ": receiving from " + settings.queueUrl() + " failed; " + "retrying in 1 s",
                        e);
                sleepQuietly(Duration.ofSeconds(1));
                continue;
            }
            if (batch.isEmpty() || !running) {
                continue; // when stopping, received messages simply reappear after their visibility timeout
            }
            inFlight.incrementAndGet();
            try {
                if (instance == null) {
                    instance = function.newInstance();
                }
                settle(batch, invoke(instance, batch));
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, function.name() + ": settling a batch failed", e);
            } finally {
                if (fairShare != null) {
                    fairShare.done(batch);
                }
                inFlight.decrementAndGet();
            }
        }
    }

    /** Receives until the batch is full or the batching window closes (one receive when the window is zero). */
    private List<Message> receiveBatch() {
        List<Message> batch = new ArrayList<>();
        long windowEnd = System.nanoTime() + settings.batchingWindow().toNanos();
        do {
            int wanted = Math.min(SQS_MAX_RECEIVE, settings.batchSize() - batch.size());
            long remainingMillis = (windowEnd - System.nanoTime()) / 1_000_000;
            int wait = batch.isEmpty()
                    ? LONG_POLL_SECONDS
                    : (int) Math.max(0, Math.min(LONG_POLL_SECONDS, remainingMillis / 1000));
            batch.addAll(sqs.receiveMessage(r -> r.queueUrl(settings.queueUrl())
                            .maxNumberOfMessages(wanted)
                            .waitTimeSeconds(wait)
                            .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                            .messageAttributeNames("All"))
                    .messages());
        } while (running
                && !batch.isEmpty()
                && batch.size() < settings.batchSize()
                && System.nanoTime() - windowEnd < 0);
        return batch;
    }

    /** @return the ids to keep (redeliver), or null when the whole batch failed */
    private Set<String> invoke(LambdaFunction.Instance instance, List<Message> batch) {
        Object response;
        try {
            response = instance.invoke(toEvent(batch));
        } catch (RuntimeException | LinkageError e) {
            LOG.log(
                    Level.WARNING,
                    function.name() + " failed on a batch of " + batch.size()
                            + "; the messages return after the visibility timeout",
                    e);
            return null;
        }
        if (!settings.reportBatchItemFailures()
                || !(response instanceof SQSBatchResponse r)
                || r.getBatchItemFailures() == null) {
            return Set.of();
        }
        Set<String> ids = new HashSet<>();
        batch.forEach(m -> ids.add(m.messageId()));
        Set<String> keep = new HashSet<>();
        for (SQSBatchResponse.BatchItemFailure f : r.getBatchItemFailures()) {
            String id = f == null ? null : f.getItemIdentifier();
            if (id == null || id.isEmpty() || !ids.contains(id)) {
                LOG.warning(function.name() + " reported a failure for '" + id + "', which is not in the batch: "
                        + "the whole batch is treated as failed");
                return null;
            }
            keep.add(id);
        }
        return keep;
    }

    private void settle(List<Message> batch, Set<String> keep) {
        if (keep == null) {
            return;
        }
        List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
        for (Message m : batch) {
            if (!keep.contains(m.messageId())) {
                entries.add(DeleteMessageBatchRequestEntry.builder()
                        .id(Integer.toString(entries.size()))
                        .receiptHandle(m.receiptHandle())
                        .build());
            }
        }
        for (int from = 0; from < entries.size(); from += SQS_MAX_RECEIVE) {
            List<DeleteMessageBatchRequestEntry> chunk =
                    entries.subList(from, Math.min(entries.size(), from + SQS_MAX_RECEIVE));
            var result =
                    sqs.deleteMessageBatch(d -> d.queueUrl(settings.queueUrl()).entries(chunk));
            result.failed()
                    .forEach(f -> LOG.warning(function.name() + ": could not delete a message (" + f.code() + " "
                            + f.message() + "); it will be delivered again"));
        }
    }

    private SQSEvent toEvent(List<Message> batch) {
        List<SQSEvent.SQSMessage> records = new ArrayList<>(batch.size());
        for (Message m : batch) {
            SQSEvent.SQSMessage r = new SQSEvent.SQSMessage();
            r.setMessageId(m.messageId());
            r.setReceiptHandle(m.receiptHandle());
            r.setBody(m.body());
            r.setMd5OfBody(m.md5OfBody());
            r.setMd5OfMessageAttributes(m.md5OfMessageAttributes());
            Map<String, String> attributes = new LinkedHashMap<>();
            m.attributesAsStrings().forEach(attributes::put);
            r.setAttributes(attributes);
            Map<String, SQSEvent.MessageAttribute> messageAttributes = new LinkedHashMap<>();
            m.messageAttributes().forEach((name, v) -> {
                SQSEvent.MessageAttribute a = new SQSEvent.MessageAttribute();
                a.setDataType(v.dataType());
                a.setStringValue(v.stringValue());
                a.setBinaryValue(
                        v.binaryValue() == null ? null : v.binaryValue().asByteBuffer());
                a.setStringListValues(v.stringListValues());
                a.setBinaryListValues(
                        v.binaryListValues().stream().map(b -> b.asByteBuffer()).toList());
                messageAttributes.put(name, a);
            });
            r.setMessageAttributes(messageAttributes);
            r.setEventSource("aws:sqs");
            r.setEventSourceArn(settings.queueArn());
            r.setAwsRegion(LocalResources.REGION);
            records.add(r);
        }
        SQSEvent event = new SQSEvent();
        event.setRecords(records);
        return event;
    }

    /** Stops taking new batches; batches being processed run to their end. */
    void stopPolling() {
        running = false;
        if (fairShare != null) {
            fairShare.close();
        }
    }

    /** Waits until no batch is being processed, or the grace period ends. @return true if idle */
    boolean awaitIdle(Duration grace) {
        long end = System.nanoTime() + grace.toNanos();
        while (inFlight.get() > 0) {
            if (System.nanoTime() - end > 0) {
                return false;
            }
            sleepQuietly(Duration.ofMillis(20));
        }
        return true;
    }

    /** Ends the pollers; call after the queue server stops, which releases their long polls at once. */
    @Override
    public void close() {
        stopPolling();
        pollers.shutdownNow();
        try {
            pollers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepQuietly(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
