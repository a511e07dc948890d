package dev.bedrockjobs.local.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.logging.Level;
import java.util.logging.Logger;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * What SQS fair queues do on delivery, which ElasticMQ does not: ElasticMQ 1.7.1 stores a standard queue's
 * {@code MessageGroupId} and returns it, but hands messages out in arrival order, so one group's backlog holds every
 * message sent after it. SQS instead, once a group holds a disproportionate share of the messages in flight, hands
 * out the other groups' messages first, and among busy groups the one with the fewest in flight
 * (docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-fair-queues-detailed.html).
 *
 * <p>Here one thread receives everything visible into memory, by group, and each batch taken goes to the groups with
 * the fewest messages in flight, oldest first within a group (by the time it was sent: ElasticMQ's receives do not
 * keep that order, SQS's best-effort order mostly does); a message without a group is a group of its own. The
 * rule applies from the first message on, where SQS waits until a group holds more than about a tenth and at least
 * 30 of the messages in flight: locally, sharing starts sooner. A message counts as in flight from its hand-out until
 * its invocation ends. Each message is received once per delivery, as SQS counts receives, and its visibility
 * timeout starts again when it is handed out, so the function sees the queue's own timeout; a message held longer
 * than half that timeout has its visibility extended, so it never comes back to this receiver while it waits.
 */
final class FairShareReceiver implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FairShareReceiver.class.getName());
    /** The most messages held in memory: far above what any local run queues. */
    private static final int CAPACITY = 50_000;

    private static final int SQS_MAX = 10;

    /** A held message: its latest receive (handle, time), when it was sent, and its place in arrival order. */
    private static final class Waiting {
        Message message;
        long receivedAtNanos;
        final long sentAt;
        final long arrival;

        Waiting(Message message, long arrival, long receivedAtNanos) {
            this.message = message;
            this.arrival = arrival;
            this.receivedAtNanos = receivedAtNanos;
            String sent = message.attributes().get(MessageSystemAttributeName.SENT_TIMESTAMP);
            this.sentAt = sent == null ? Long.MAX_VALUE : Long.parseLong(sent);
        }
    }

    private static final Comparator<Waiting> OLDEST_FIRST =
            Comparator.<Waiting>comparingLong(w -> w.sentAt).thenComparingLong(w -> w.arrival);

    private final SqsClient sqs;
    private final String queueUrl;
    private final int visibilitySeconds;
    private final int longPollSeconds;
    private final Map<String, PriorityQueue<Waiting>> waiting = new LinkedHashMap<>();
    private final Map<String, Integer> inFlight = new HashMap<>();
    private final Map<String, String> groupOfMessage = new HashMap<>();
    private final Thread receiver;
    private long arrivals;
    private int held;
    private volatile boolean running = true;

    FairShareReceiver(SqsClient sqs, String queueUrl, int visibilitySeconds, int longPollSeconds, String name) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.visibilitySeconds = visibilitySeconds;
        this.longPollSeconds = longPollSeconds;
        this.receiver = new Thread(this::receive, "fair-share-" + name);
        this.receiver.setDaemon(true);
        this.receiver.start();
    }

    private void receive() {
        long lastExtension = System.nanoTime();
        while (running) {
            try {
                if (heldCount() >= CAPACITY) {
                    Thread.sleep(100);
                } else {
                    List<Message> got = sqs.receiveMessage(r -> r.queueUrl(queueUrl)
                                    .maxNumberOfMessages(SQS_MAX)
                                    .waitTimeSeconds(longPollSeconds)
                                    .visibilityTimeout(visibilitySeconds)
                                    .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                                    .messageAttributeNames("All"))
                            .messages();
                    if (!got.isEmpty()) {
                        add(got);
                    }
                }
                if (System.nanoTime() - lastExtension
                        > Duration.ofSeconds(Math.max(1, visibilitySeconds / 4)).toNanos()) {
                    extendLongWaits();
                    lastExtension = System.nanoTime();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                LOG.log(Level.WARNING, "receiving from " + queueUrl + " failed; retrying in 1 s", e);
                sleepQuietly();
            }
        }
    }

    private synchronized int heldCount() {
        return held;
    }

    private synchronized void add(List<Message> messages) {
        long now = System.nanoTime();
        for (Message m : messages) {
            String group = m.attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID);
            String key = group == null ? "message:" + m.messageId() : group;
            PriorityQueue<Waiting> queue = waiting.computeIfAbsent(key, k -> new PriorityQueue<>(OLDEST_FIRST));
            // A message this receiver already holds came back (its visibility ran out): keep its place, new handle.
            if (groupOfMessage.containsKey(m.messageId())) {
                for (Waiting w : queue) {
                    if (w.message.messageId().equals(m.messageId())) {
                        w.message = m;
                        w.receivedAtNanos = now;
                    }
                }
                continue;
            }
            queue.add(new Waiting(m, arrivals++, now));
            groupOfMessage.put(m.messageId(), key);
            held++;
        }
        notifyAll();
    }

    /**
     * Takes up to {@code max} messages, the first as soon as one is there (waiting at most a long poll), more until
     * {@code window} ends. @return empty when nothing came
     */
    List<Message> take(int max, Duration window) throws InterruptedException {
        List<Message> batch = new ArrayList<>();
        long windowEnd = System.nanoTime() + window.toNanos();
        long pollEnd = System.nanoTime() + Duration.ofSeconds(longPollSeconds).toNanos();
        synchronized (this) {
            while (running && batch.size() < max) {
                Message next = nextFairly();
                if (next != null) {
                    batch.add(next);
                    continue;
                }
                long until = batch.isEmpty() ? pollEnd : windowEnd;
                long waitMillis = (until - System.nanoTime()) / 1_000_000;
                if (waitMillis <= 0) {
                    break;
                }
                wait(waitMillis);
            }
        }
        changeVisibility(batch);
        return batch;
    }

    /** The oldest message of the group with the fewest in flight (ties to the group whose oldest is older). */
    private Message nextFairly() {
        String best = null;
        int bestInFlight = Integer.MAX_VALUE;
        Waiting bestHead = null;
        for (Map.Entry<String, PriorityQueue<Waiting>> e : waiting.entrySet()) {
            Waiting head = e.getValue().peek();
            if (head == null) {
                continue;
            }
            int n = inFlight.getOrDefault(e.getKey(), 0);
            if (n < bestInFlight || (n == bestInFlight && OLDEST_FIRST.compare(head, bestHead) < 0)) {
                best = e.getKey();
                bestInFlight = n;
                bestHead = head;
            }
        }
        if (best == null) {
            return null;
        }
        PriorityQueue<Waiting> queue = waiting.get(best);
        Message m = queue.poll().message;
        if (queue.isEmpty()) {
            waiting.remove(best);
        }
        inFlight.merge(best, 1, Integer::sum);
        held--;
        return m;
    }

    /** The messages' invocation ended: they no longer count as in flight for their groups. */
    synchronized void done(List<Message> batch) {
        for (Message m : batch) {
            String group = groupOfMessage.remove(m.messageId());
            if (group != null && inFlight.merge(group, -1, Integer::sum) <= 0) {
                inFlight.remove(group);
            }
        }
        notifyAll();
    }

    private void extendLongWaits() {
        long threshold =
                System.nanoTime() - Duration.ofSeconds(visibilitySeconds).toNanos() / 2;
        List<Message> old = new ArrayList<>();
        synchronized (this) {
            long now = System.nanoTime();
            for (PriorityQueue<Waiting> queue : waiting.values()) {
                for (Waiting w : queue) {
                    if (w.receivedAtNanos - threshold < 0) {
                        old.add(w.message);
                        w.receivedAtNanos = now;
                    }
                }
            }
        }
        changeVisibility(old);
    }

    private void changeVisibility(List<Message> messages) {
        for (int from = 0; from < messages.size(); from += SQS_MAX) {
            List<Message> chunk = messages.subList(from, Math.min(messages.size(), from + SQS_MAX));
            List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>();
            for (int i = 0; i < chunk.size(); i++) {
                entries.add(ChangeMessageVisibilityBatchRequestEntry.builder()
                        .id(Integer.toString(i))
                        .receiptHandle(chunk.get(i).receiptHandle())
                        .visibilityTimeout(visibilitySeconds)
                        .build());
            }
            try {
                sqs.changeMessageVisibilityBatch(c -> c.queueUrl(queueUrl).entries(entries));
            } catch (RuntimeException e) {
                // the message then comes back a little sooner than the function expects: a duplicate, never a loss
                LOG.log(Level.FINE, "visibility not restarted on " + queueUrl, e);
            }
        }
    }

    /**
     * Stops receiving after the long poll in progress (not interrupted: an interrupted request can leave its
     * connection open, and ElasticMQ then waits on it when it stops). What it holds reappears after its visibility
     * timeout.
     */
    @Override
    public void close() {
        running = false;
        synchronized (this) {
            notifyAll();
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
