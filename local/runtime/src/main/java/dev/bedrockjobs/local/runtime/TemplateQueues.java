package dev.bedrockjobs.local.runtime;

import dev.bedrockjobs.core.domain.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Creates every {@code AWS::SQS::Queue} of the template in ElasticMQ, with the attributes that change behaviour
 * (visibility timeout, retention, delay, size, long-poll wait, redrive to a dead-letter queue), and registers each
 * queue's URL ({@code !Ref}), ARN and name ({@code !GetAtt}) in {@link LocalResources}.
 *
 * <p>Queues are created first and redrive policies set afterwards, so a queue may name a dead-letter queue defined
 * later in the template. The SQS API takes every attribute as a string and the redrive policy as JSON text.
 */
final class TemplateQueues {
    private static final Logger LOG = Logger.getLogger(TemplateQueues.class.getName());

    /**
     * CloudFormation property -> SQS attribute, for the plain numeric/boolean attributes. ElasticMQ accepts
     * MessageRetentionPeriod without enforcing it: locally a message lives as long as the process, which is shorter
     * than any retention a template would set.
     */
    private static final Map<String, QueueAttributeName> PLAIN = Map.of(
            "VisibilityTimeout", QueueAttributeName.VISIBILITY_TIMEOUT,
            "MessageRetentionPeriod", QueueAttributeName.MESSAGE_RETENTION_PERIOD,
            "DelaySeconds", QueueAttributeName.DELAY_SECONDS,
            "MaximumMessageSize", QueueAttributeName.MAXIMUM_MESSAGE_SIZE,
            "ReceiveMessageWaitTimeSeconds", QueueAttributeName.RECEIVE_MESSAGE_WAIT_TIME_SECONDS,
            "FifoQueue", QueueAttributeName.FIFO_QUEUE,
            "ContentBasedDeduplication", QueueAttributeName.CONTENT_BASED_DEDUPLICATION);

    /** Encryption at rest and tags change nothing a local client can observe. */
    private static final Set<String> NOT_OBSERVABLE =
            Set.of("SqsManagedSseEnabled", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "Tags");

    private TemplateQueues() {}

    static void create(SqsClient sqs, LocalResources resources) {
        List<String> queues = resources.template().resourcesOfType("AWS::SQS::Queue");
        for (String logicalId : queues) {
            Map<String, Object> props = resources.template().properties(logicalId);
            Map<QueueAttributeName, String> attributes = new LinkedHashMap<>();
            props.forEach((name, value) -> {
                QueueAttributeName attribute = PLAIN.get(name);
                if (attribute != null) {
                    attributes.put(attribute, resources.resolveString(value));
                } else if (!NOT_OBSERVABLE.contains(name)
                        && !name.equals("RedrivePolicy")
                        && !name.equals("QueueName")) {
                    LOG.warning(logicalId + "." + name + " is not emulated locally");
                }
            });
            String name = queueName(logicalId, props, resources);
            String url = sqs.createQueue(c -> c.queueName(name).attributes(attributes))
                    .queueUrl();
            String arn = sqs.getQueueAttributes(g -> g.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                    .attributes()
                    .get(QueueAttributeName.QUEUE_ARN);
            resources.putRef(logicalId, url);
            resources.putAttribute(logicalId, "Arn", arn);
            resources.putAttribute(logicalId, "QueueName", name);
            resources.putAttribute(logicalId, "QueueUrl", url);
        }
        for (String logicalId : queues) {
            Object redrive = resources.template().properties(logicalId).get("RedrivePolicy");
            if (redrive != null) {
                String policy = Json.write(resources.resolve(redrive));
                String url = resources.ref(logicalId);
                sqs.setQueueAttributes(
                        s -> s.queueUrl(url).attributes(Map.of(QueueAttributeName.REDRIVE_POLICY, policy)));
            }
        }
    }

    /** The template's QueueName, else the logical id (CloudFormation would add a stack prefix and a suffix). */
    private static String queueName(String logicalId, Map<String, Object> props, LocalResources resources) {
        Object explicit = props.get("QueueName");
        if (explicit != null) {
            return resources.resolveString(explicit);
        }
        boolean fifo = "true".equalsIgnoreCase(String.valueOf(props.get("FifoQueue")));
        return fifo ? logicalId + ".fifo" : logicalId;
    }
}
