package dev.bedrockjobs.local.runtime;

import dev.bedrockjobs.core.adapter.DynamoPages;
import dev.bedrockjobs.core.domain.BatchStatus;
import dev.bedrockjobs.core.domain.DeliveryAttempt;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.domain.Lane;
import dev.bedrockjobs.core.domain.WebhookEvent;
import dev.bedrockjobs.core.port.BatchStore;
import dev.bedrockjobs.core.port.JobQueue;
import dev.bedrockjobs.core.port.JobStore;
import dev.bedrockjobs.core.port.WebhookDeliveries;
import dev.bedrockjobs.core.port.WebhookQueue;
import dev.bedrockjobs.core.view.BatchViews;
import dev.bedrockjobs.core.view.JobViews;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Logger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

/**
 * Re-sends the message of every job that is still queued or running when the stack starts. DynamoDB (dynalite on
 * disk) survives a restart but the embedded ElasticMQ does not, so without this the backlog of the last run would
 * wait forever. A duplicate message is harmless: the worker skips finished jobs and claims with a fencing token.
 */
final class JobRedrive {
    private static final Logger LOG = Logger.getLogger(JobRedrive.class.getName());
    private static final int SEND_CHUNK = 100;

    private JobRedrive() {}

    /**
     * @param queue the lanes' queues, written the way the submit function writes them (an {@code SqsJobQueue})
     * @return how many messages were sent
     */
    static int run(DynamoDbClient dynamo, String table, JobQueue queue) {
        int[] sent = {0};
        List<JobQueue.JobMessage> pending = new ArrayList<>();
        scan(
                dynamo,
                table,
                "sk = :job AND #status IN (:queued, :running)",
                "id, tenantId, batchId, lane",
                Map.of(
                        ":job",
                        AttributeValue.fromS("JOB"),
                        ":queued",
                        AttributeValue.fromS(JobStatus.QUEUED.wire()),
                        ":running",
                        AttributeValue.fromS(JobStatus.RUNNING.wire())),
                item -> {
                    // back to its own lane, in its own share group
                    pending.add(JobQueue.JobMessage.of(Job.builder()
                            .id(item.get("id").s())
                            .tenantId(item.get("tenantId").s())
                            .request(r -> r.batchId(
                                            item.containsKey("batchId")
                                                    ? item.get("batchId").s()
                                                    : null)
                                    .lane(
                                            item.containsKey("lane")
                                                    ? Lane.fromWire(
                                                            item.get("lane").s())
                                                    : null))
                            .build()));
                    if (pending.size() == SEND_CHUNK) {
                        sent[0] += send(queue, pending);
                    }
                });
        return sent[0] + send(queue, pending);
    }

    /** Every item of the table the filter keeps ({@code #status} names the status attribute), page by page. */
    private static void scan(
            DynamoDbClient dynamo,
            String table,
            String filter,
            String projection,
            Map<String, AttributeValue> values,
            Consumer<Map<String, AttributeValue>> each) {
        DynamoPages.items(
                        dynamo,
                        ScanRequest.builder()
                                .tableName(table)
                                .filterExpression(filter)
                                .projectionExpression(projection)
                                .expressionAttributeNames(Map.of("#status", "status"))
                                .expressionAttributeValues(values)
                                .build())
                .forEach(each);
    }

    /** Whether a subject's deliveries already ended: delivered, or given up. */
    private static boolean ended(List<DeliveryAttempt> attempts) {
        return attempts.stream()
                .anyMatch(a -> a.outcome() == DeliveryAttempt.Outcome.DELIVERED
                        || a.outcome() == DeliveryAttempt.Outcome.GIVE_UP);
    }

    private static int send(JobQueue queue, List<JobQueue.JobMessage> pending) {
        int n = pending.size();
        List<JobQueue.JobMessage> failed = queue.sendAll(List.copyOf(pending));
        pending.clear();
        if (!failed.isEmpty()) {
            LOG.warning(failed.size() + " job messages could not be re-sent; those jobs stay queued until the next "
                    + "start");
        }
        return n - failed.size();
    }

    /**
     * Re-sends the terminal webhook event of every finished job with a webhook whose deliveries record neither a
     * delivery nor a give-up: ElasticMQ loses the webhooks queue on a restart just as it loses the jobs queue, and
     * an event enqueued before the stop would otherwise never arrive. A repeat keeps its {@code webhook-id}, which
     * receivers use to drop duplicates.
     *
     * @return how many events were sent
     */
    static int redriveWebhookEvents(
            DynamoDbClient dynamo, String table, JobStore jobs, WebhookQueue webhooks, WebhookDeliveries deliveries) {
        int[] sent = {0};
        scan(
                dynamo,
                table,
                "sk = :job AND attribute_exists(webhookUrl) AND #status IN (:succeeded, :failed, " + ":canceled)",
                "id",
                Map.of(
                        ":job",
                        AttributeValue.fromS("JOB"),
                        ":succeeded",
                        AttributeValue.fromS(JobStatus.SUCCEEDED.wire()),
                        ":failed",
                        AttributeValue.fromS(JobStatus.FAILED.wire()),
                        ":canceled",
                        AttributeValue.fromS(JobStatus.CANCELED.wire())),
                item -> {
                    String jobId = item.get("id").s();
                    if (!ended(deliveries.listForJob(jobId))) {
                        jobs.get(jobId).ifPresent(job -> {
                            webhooks.send(JobViews.webhookEvent(job));
                            sent[0]++;
                        });
                    }
                });
        return sent[0];
    }

    /**
     * As {@link #redriveWebhookEvents}, for the {@code batch.completed} event of every completed batch with a webhook
     * whose deliveries record neither a delivery nor a give-up.
     *
     * @return how many events were sent
     */
    static int redriveBatchEvents(
            DynamoDbClient dynamo,
            String table,
            BatchStore batches,
            WebhookQueue webhooks,
            WebhookDeliveries deliveries) {
        int[] sent = {0};
        scan(
                dynamo,
                table,
                "sk = :batch AND attribute_exists(webhookUrl) AND #status = :completed",
                "id",
                Map.of(
                        ":batch",
                        AttributeValue.fromS("BATCH"),
                        ":completed",
                        AttributeValue.fromS(BatchStatus.COMPLETED.wire())),
                item -> {
                    String batchId = item.get("id").s();
                    if (!ended(deliveries.listForBatch(batchId))) {
                        batches.get(batchId).ifPresent(batch -> {
                            webhooks.send(WebhookEvent.batchCompleted(batch, BatchViews.view(batch, List.of(), null)));
                            sent[0]++;
                        });
                    }
                });
        return sent[0];
    }
}
