package dev.bedrockjobs.webhook;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.bedrockjobs.core.port.MessageVisibility;
import dev.bedrockjobs.core.webhook.WebhookDeliveryService;
import dev.bedrockjobs.lambda.PrimedHandler;
import dev.bedrockjobs.lambda.SqsBatchProcessor;
import java.util.Map;

/**
 * SQS webhooks queue -> signed HTTP POST. A message to try again is made invisible for its backoff and reported as
 * a batch item failure, so SQS hands it back when the retry is due; delivered and given-up messages are deleted. It
 * primes no delivery of its own for SnapStart: every delivery, even a refused one, is recorded, and priming must not
 * write.
 */
public class WebhookHandler extends PrimedHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private final SqsBatchProcessor messages;

    public WebhookHandler() {
        this(System.getenv());
    }

    public WebhookHandler(Map<String, String> env) {
        this.messages = WebhookRoot.messages(env);
    }

    WebhookHandler(WebhookDeliveryService service, MessageVisibility visibility) {
        this.messages = WebhookRoot.messages(service, visibility);
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return messages.process(event);
    }
}
