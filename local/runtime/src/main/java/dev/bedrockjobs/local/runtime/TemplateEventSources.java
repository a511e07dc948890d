package dev.bedrockjobs.local.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Reads the {@code Type: SQS} events of the template's functions into {@link EventSourceMapping}s, with Lambda's
 * defaults where the template is silent.
 */
final class TemplateEventSources {
    /** Lambda's defaults: batches of 10, no batching window, and 5 concurrent batches to begin with. */
    private static final int DEFAULT_BATCH_SIZE = 10;

    private static final int DEFAULT_CONCURRENCY = 5;
    private static final Logger LOG = Logger.getLogger(TemplateEventSources.class.getName());

    private TemplateEventSources() {}

    static List<EventSourceMapping> read(
            LocalResources resources, Map<String, LambdaFunction> functions, SqsClient sqs) {
        List<EventSourceMapping> mappings = new ArrayList<>();
        functions.forEach((id, function) -> {
            Object events = resources.template().functionProperties(id).get("Events");
            if (!(events instanceof Map<?, ?> byName)) {
                return;
            }
            byName.forEach((eventName, e) -> {
                Map<?, ?> event = (Map<?, ?>) e;
                if (!"SQS".equals(event.get("Type"))) {
                    return;
                }
                Map<?, ?> p = event.get("Properties") instanceof Map<?, ?> m ? m : Map.of();
                if ("false".equalsIgnoreCase(String.valueOf(resources.resolve(p.get("Enabled"))))) {
                    LOG.info(id + "." + eventName + " is disabled in the template");
                    return;
                }
                String arn = resources.resolveString(p.get("Queue"));
                String name = arn.substring(arn.lastIndexOf(':') + 1);
                String url = sqs.getQueueUrl(g -> g.queueName(name)).queueUrl();
                int batchSize = TemplateFunctions.number(resources, p.get("BatchSize"), DEFAULT_BATCH_SIZE);
                int window = TemplateFunctions.number(resources, p.get("MaximumBatchingWindowInSeconds"), 0);
                int concurrency = DEFAULT_CONCURRENCY;
                if (p.get("ScalingConfig") instanceof Map<?, ?> scaling && scaling.get("MaximumConcurrency") != null) {
                    concurrency =
                            TemplateFunctions.number(resources, scaling.get("MaximumConcurrency"), DEFAULT_CONCURRENCY);
                }
                Object types = resources.resolve(p.get("FunctionResponseTypes"));
                boolean partial = types instanceof List<?> l && l.contains("ReportBatchItemFailures");
                // SQS applies fair-queue delivery to every standard queue whose messages carry a group
                int visibility = Integer.parseInt(sqs.getQueueAttributes(
                                g -> g.queueUrl(url).attributeNames(QueueAttributeName.VISIBILITY_TIMEOUT))
                        .attributes()
                        .get(QueueAttributeName.VISIBILITY_TIMEOUT));
                mappings.add(new EventSourceMapping(
                        function,
                        new EventSourceMapping.Settings(
                                url,
                                arn,
                                batchSize,
                                Duration.ofSeconds(window),
                                concurrency,
                                partial,
                                true,
                                visibility),
                        sqs));
            });
        });
        return mappings;
    }
}
