package dev.bedrockjobs.webhook;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.bedrockjobs.core.port.MessageVisibility;
import dev.bedrockjobs.core.webhook.WebhookDeliveryService;
import dev.bedrockjobs.lambda.Priming;
import dev.bedrockjobs.lambda.SqsBatchProcessor;
import org.crac.Core;
import org.crac.Resource;

import java.util.Map;

/**
 * SQS webhooks queue -> signed HTTP POST. A message to try again is made invisible for its backoff and reported as
 * a batch item failure, so SQS hands it back when the retry is due; delivered and given-up messages are deleted.
 */
public class WebhookHandler implements RequestHandler<SQSEvent, SQSBatchResponse>, Resource {
    private final SqsBatchProcessor messages;

    public WebhookHandler() {
        this(System.getenv());
    }

    public WebhookHandler(Map<String, String> env) {
        this.messages = WebhookRoot.messages(env);
        Core.getGlobalContext().register(this);
    }

    WebhookHandler(WebhookDeliveryService service, MessageVisibility visibility) {
        this.messages = WebhookRoot.messages(service, visibility);
        Core.getGlobalContext().register(this);
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return messages.process(event);
    }

    /**
     * SnapStart: before the snapshot, the JSON, signing and item mapping of a delivery. No message is handled: every
     * delivery, even a refused one, is recorded, and priming must not write.
     */
    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        Priming.jobJsonAndItems();
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        // nothing was made at snapshot time that must differ per environment
    }
}
