package dev.bedrockjobs.local.runtime;

import dev.bedrockjobs.core.api.BatchViews;
import dev.bedrockjobs.core.domain.Batch;
import dev.bedrockjobs.core.domain.BatchStatus;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.port.BatchStore;
import dev.bedrockjobs.core.port.JobStore;
import dev.bedrockjobs.core.webhook.DeliveryAttempt;
import dev.bedrockjobs.core.webhook.WebhookDeliveries;
import dev.bedrockjobs.core.webhook.WebhookEvent;
import dev.bedrockjobs.core.webhook.WebhookQueue;
import dev.bedrockjobs.core.port.JobQueue;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Re-sends the message of every job that is still queued or running when the stack starts. DynamoDB (dynalite on
 * disk) survives a restart but the embedded ElasticMQ does not, so without this the backlog of the last run would
 * wait forever. A duplicate message is harmless: the worker skips finished jobs and claims with a fencing token.
 */
final class JobRedrive {
    private static final Logger LOG = Logger.getLogger(JobRedrive.class.getName());
    private static final int SEND_CHUNK = 100;

    private JobRedrive() {
    }

    /**
     * @param queue the jobs queue, written the way the submit function writes it (an {@code SqsJobQueue})
     * @return how many messages were sent
     */
    static int run(DynamoDbClient dynamo, String table, JobQueue queue) {
        int sent = 0;
        Map<String, AttributeValue> start = null;
        List<JobQueue.JobMessage> pending = new ArrayList<>();
        do {
            Map<String, AttributeValue> from = start;
            ScanResponse page = dynamo.scan(s -> s.tableName(table)
                    .filterExpression("sk = :job AND #status IN (:queued, :running)")
                    .projectionExpression("id, tenantId")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.of(":job", AttributeValue.fromS("JOB"),
                            ":queued", AttributeValue.fromS(JobStatus.QUEUED.wire()),
                            ":running", AttributeValue.fromS(JobStatus.RUNNING.wire())))
                    .exclusiveStartKey(from));
            for (Map<String, AttributeValue> item : page.items()) {
                pending.add(new JobQueue.JobMessage(item.get("id").s(), item.get("tenantId").s()));
                if (pending.size() == SEND_CHUNK) {
                    sent += send(queue, pending);
                }
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        sent += send(queue, pending);
        return sent;
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
    static int redriveWebhookEvents(DynamoDbClient dynamo, String table, JobStore jobs, WebhookQueue webhooks,
                                    WebhookDeliveries deliveries) {
        int sent = 0;
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            ScanResponse page = dynamo.scan(s -> s.tableName(table)
                    .filterExpression("sk = :job AND attribute_exists(webhookUrl) AND #status IN (:succeeded, "
                            + ":failed, :canceled)")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.of(":job", AttributeValue.fromS("JOB"),
                            ":succeeded", AttributeValue.fromS(JobStatus.SUCCEEDED.wire()),
                            ":failed", AttributeValue.fromS(JobStatus.FAILED.wire()),
                            ":canceled", AttributeValue.fromS(JobStatus.CANCELED.wire())))
                    .exclusiveStartKey(from));
            for (Map<String, AttributeValue> item : page.items()) {
                String jobId = item.get("id").s();
                boolean settled = deliveries.listForJob(jobId).stream().anyMatch(a ->
                        a.outcome() == DeliveryAttempt.Outcome.DELIVERED
                                || a.outcome() == DeliveryAttempt.Outcome.GIVE_UP);
                Optional<Job> job = settled ? Optional.empty() : jobs.get(jobId);
                if (job.isPresent()) {
                    webhooks.send(WebhookEvent.forJob(job.get()));
                    sent++;
                }
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return sent;
    }

    /**
     * As {@link #redriveWebhookEvents}, for the {@code batch.completed} event of every completed batch with a webhook
     * whose deliveries record neither a delivery nor a give-up.
     *
     * @return how many events were sent
     */
    static int redriveBatchEvents(DynamoDbClient dynamo, String table, BatchStore batches, WebhookQueue webhooks,
                                  WebhookDeliveries deliveries) {
        int sent = 0;
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            ScanResponse page = dynamo.scan(s -> s.tableName(table)
                    .filterExpression("sk = :batch AND attribute_exists(webhookUrl) AND #status = :completed")
                    .projectionExpression("id")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.of(":batch", AttributeValue.fromS("BATCH"),
                            ":completed", AttributeValue.fromS(BatchStatus.COMPLETED.wire())))
                    .exclusiveStartKey(from));
            for (Map<String, AttributeValue> item : page.items()) {
                String batchId = item.get("id").s();
                boolean settled = deliveries.listForBatch(batchId).stream().anyMatch(a ->
                        a.outcome() == DeliveryAttempt.Outcome.DELIVERED
                                || a.outcome() == DeliveryAttempt.Outcome.GIVE_UP);
                Optional<Batch> batch = settled ? Optional.empty() : batches.get(batchId);
                if (batch.isPresent()) {
                    webhooks.send(WebhookEvent.batchCompleted(batch.get(),
                            BatchViews.view(batch.get(), List.of(), null)));
                    sent++;
                }
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return sent;
    }
}
