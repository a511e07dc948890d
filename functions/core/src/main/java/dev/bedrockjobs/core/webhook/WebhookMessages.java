package dev.bedrockjobs.core.webhook;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.bedrockjobs.core.port.MessageVisibility;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Processes a batch of webhook messages side by side (each may wait seconds on a slow receiver) and answers with
 * partial batch failures. A message to retry is first made invisible for its wait, then reported as failed, so the
 * event source leaves it on the queue and SQS hands it back when the wait is over.
 */
public final class WebhookMessages {
    private static final Logger LOG = Logger.getLogger(WebhookMessages.class.getName());
    private static final int MAX_BATCH = 10;

    private final WebhookDeliveryService service;
    private final MessageVisibility visibility;
    private final ExecutorService pool;

    public WebhookMessages(WebhookDeliveryService service, MessageVisibility visibility) {
        this.service = service;
        this.visibility = visibility;
        this.pool = Executors.newFixedThreadPool(MAX_BATCH, r -> {
            Thread t = new Thread(r, "webhook-message");
            t.setDaemon(true);
            return t;
        });
    }

    public SQSBatchResponse process(SQSEvent event) {
        List<SQSEvent.SQSMessage> records = event == null || event.getRecords() == null ? List.of()
                : event.getRecords();
        List<Future<Boolean>> keep = new ArrayList<>(records.size());
        for (SQSEvent.SQSMessage m : records) {
            keep.add(pool.submit(() -> processOne(m)));
        }
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            boolean again;
            try {
                again = keep.get(i).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                again = true;
            } catch (Exception e) {
                LOG.log(Level.WARNING, "webhook message " + records.get(i).getMessageId() + " failed", e);
                again = true;
            }
            if (again) {
                failures.add(new SQSBatchResponse.BatchItemFailure(records.get(i).getMessageId()));
            }
        }
        return new SQSBatchResponse(failures);
    }

    /** @return whether the message should stay on the queue */
    private boolean processOne(SQSEvent.SQSMessage m) {
        WebhookDeliveryService.Disposition d = service.process(m.getBody(), receiveCount(m));
        if (d instanceof WebhookDeliveryService.RetryAfter r) {
            try {
                visibility.delay(m.getReceiptHandle(), r.seconds());
            } catch (RuntimeException e) {
                // The message still comes back, after the queue's own visibility timeout instead of the wait.
                LOG.log(Level.WARNING, "webhook message " + m.getMessageId() + ": visibility not changed", e);
            }
            return true;
        }
        return false;
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
