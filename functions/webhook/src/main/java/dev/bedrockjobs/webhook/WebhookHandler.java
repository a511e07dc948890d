package dev.bedrockjobs.webhook;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.bedrockjobs.core.webhook.MessageVisibility;
import dev.bedrockjobs.core.webhook.WebhookDeliveryService;
import dev.bedrockjobs.core.webhook.WebhookMessages;
import dev.bedrockjobs.core.webhook.WebhookWiring;

import java.util.Map;

/**
 * SQS webhooks queue -> signed HTTP POST. A message to try again is made invisible for its backoff and reported as
 * a batch item failure, so SQS hands it back when the retry is due; delivered and given-up messages are deleted.
 */
public class WebhookHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private final WebhookMessages messages;

    public WebhookHandler() {
        this(System.getenv());
    }

    public WebhookHandler(Map<String, String> env) {
        this.messages = WebhookWiring.messages(env);
    }

    WebhookHandler(WebhookDeliveryService service, MessageVisibility visibility) {
        this.messages = new WebhookMessages(service, visibility);
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return messages.process(event);
    }
}
