package dev.bedrockjobs.webhook;

import dev.bedrockjobs.core.adapter.AwsClients;
import dev.bedrockjobs.core.port.MessageVisibility;
import dev.bedrockjobs.core.webhook.RetrySchedule;
import dev.bedrockjobs.core.webhook.WebhookDeliveryService;
import dev.bedrockjobs.core.webhook.WebhookSender;
import dev.bedrockjobs.lambda.Components;
import dev.bedrockjobs.lambda.SqsBatchProcessor;
import java.time.Duration;
import java.util.Map;

/** The webhook function's composition root: the delivery service and the processor of the webhooks queue. */
public final class WebhookRoot {
    public static final String WEBHOOK_TIMEOUT_SECONDS = "WEBHOOK_TIMEOUT_SECONDS";
    public static final String WEBHOOK_MAX_ATTEMPTS = "WEBHOOK_MAX_ATTEMPTS";

    private WebhookRoot() {}

    public static SqsBatchProcessor messages(Map<String, String> env) {
        Components c = new Components(env);
        return messages(service(c), c.visibility(c.aws().required(Components.WEBHOOKS_QUEUE_URL)));
    }

    public static SqsBatchProcessor messages(WebhookDeliveryService service, MessageVisibility visibility) {
        SqsBatchProcessor.BatchWork work = (body, receiveCount) ->
                service.process(body, receiveCount) instanceof WebhookDeliveryService.RetryAfter r
                        ? SqsBatchProcessor.Outcome.retryIn(r.seconds())
                        : SqsBatchProcessor.Outcome.DONE;
        return new SqsBatchProcessor("webhook", () -> work, source -> visibility);
    }

    public static WebhookDeliveryService service(Map<String, String> env) {
        return service(new Components(env));
    }

    private static WebhookDeliveryService service(Components c) {
        AwsClients aws = c.aws();
        Duration timeout = Duration.ofSeconds(Long.parseLong(aws.optional(WEBHOOK_TIMEOUT_SECONDS, "10")));
        int maxAttempts = Integer.parseInt(
                aws.optional(WEBHOOK_MAX_ATTEMPTS, Integer.toString(RetrySchedule.DEFAULT_MAX_ATTEMPTS)));
        return new WebhookDeliveryService(
                c.tenants(),
                c.webhookDeliveries(),
                new WebhookSender(c.webhookGuard(), timeout, timeout, c.clock()),
                RetrySchedule.standard(maxAttempts),
                c.clock());
    }
}
