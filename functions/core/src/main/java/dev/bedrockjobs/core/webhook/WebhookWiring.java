package dev.bedrockjobs.core.webhook;

import dev.bedrockjobs.core.adapter.AwsClients;
import dev.bedrockjobs.core.adapter.DynamoTenantStore;
import dev.bedrockjobs.core.adapter.EmfJobMetrics;
import dev.bedrockjobs.core.adapter.SqsVisibility;
import dev.bedrockjobs.core.adapter.Wiring;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * The webhook function's wiring (and the webhook queue for the functions that send events), from the environment
 * template.yaml sets. Apart from {@link Wiring} because only functions that send to SQS carry the SQS client.
 */
public final class WebhookWiring {
    public static final String WEBHOOKS_QUEUE_URL = "WEBHOOKS_QUEUE_URL";
    public static final String WEBHOOK_TIMEOUT_SECONDS = "WEBHOOK_TIMEOUT_SECONDS";
    public static final String WEBHOOK_MAX_ATTEMPTS = "WEBHOOK_MAX_ATTEMPTS";
    /** The ports receivers may listen on, comma separated (template parameter WebhookAllowedPorts). */
    public static final String WEBHOOK_ALLOWED_PORTS = "WEBHOOK_ALLOWED_PORTS";

    private WebhookWiring() {
    }

    /** What the webhook handler runs: the delivery service, and visibility changes on the webhooks queue. */
    public static WebhookMessages messages(Map<String, String> env) {
        AwsClients aws = new AwsClients(env);
        return new WebhookMessages(deliveryService(aws),
                new SqsVisibility(aws.sqs(), aws.required(WEBHOOKS_QUEUE_URL)));
    }

    public static WebhookDeliveryService deliveryService(AwsClients aws) {
        Duration timeout = Duration.ofSeconds(Long.parseLong(aws.optional(WEBHOOK_TIMEOUT_SECONDS, "10")));
        int maxAttempts = Integer.parseInt(aws.optional(WEBHOOK_MAX_ATTEMPTS,
                Integer.toString(RetrySchedule.DEFAULT_MAX_ATTEMPTS)));
        String table = aws.required(Wiring.JOBS_TABLE);
        return new WebhookDeliveryService(
                new DynamoTenantStore(aws.dynamoDb(), table),
                new MeteredWebhookDeliveries(deliveries(aws), EmfJobMetrics.fromEnvironment(aws.env())),
                new WebhookSender(guard(aws), timeout, timeout, Clock.systemUTC()),
                RetrySchedule.standard(maxAttempts),
                Clock.systemUTC());
    }

    /** The address guard as the deployment sets it: loopback receivers (the local runtime only) and ports. */
    public static WebhookAddressGuard guard(AwsClients aws) {
        return new WebhookAddressGuard(Boolean.parseBoolean(aws.optional(Wiring.ALLOW_LOOPBACK_WEBHOOKS, "false")),
                WebhookAddressGuard.SYSTEM_DNS,
                WebhookAddressGuard.parsePorts(aws.optional(WEBHOOK_ALLOWED_PORTS, "")));
    }

    /** The delivery log, for the status function's {@code GET /v1/jobs/{id}/webhook-deliveries}. */
    public static DynamoWebhookDeliveries deliveries(AwsClients aws) {
        return new DynamoWebhookDeliveries(aws.dynamoDb(), aws.required(Wiring.JOBS_TABLE), Wiring.retention(aws));
    }

    /** The queue to send events to, for the worker, batch progress and replays. */
    public static SqsWebhookQueue queue(AwsClients aws) {
        return new SqsWebhookQueue(aws.sqs(), aws.required(WEBHOOKS_QUEUE_URL));
    }
}
