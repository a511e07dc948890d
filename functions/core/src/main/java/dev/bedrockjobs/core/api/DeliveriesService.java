package dev.bedrockjobs.core.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.domain.LimitExceeded;
import dev.bedrockjobs.core.domain.WebhookEvent;
import dev.bedrockjobs.core.port.JobStore;
import dev.bedrockjobs.core.port.WebhookDeliveries;
import dev.bedrockjobs.core.port.WebhookQueue;
import dev.bedrockjobs.core.view.DeliveryViews;
import dev.bedrockjobs.core.view.JobViews;
import java.time.Clock;
import java.util.Optional;

/**
 * GET /v1/jobs/{id}/webhook-deliveries and POST /v1/jobs/{id}/webhook-deliveries/replay: a job's webhook delivery
 * log, and its terminal event sent again; scoped to the caller's tenant.
 */
public final class DeliveriesService {
    private final JobStore store;
    private final WebhookDeliveries deliveries;
    private final WebhookQueue webhooks;
    private final Clock clock;

    public DeliveriesService(JobStore store, WebhookDeliveries deliveries, WebhookQueue webhooks, Clock clock) {
        this.store = store;
        this.deliveries = deliveries;
        this.webhooks = webhooks;
        this.clock = clock;
    }

    /** GET /v1/jobs/{id}/webhook-deliveries: every attempt of every event of the job. */
    public ApiResponse list(ApiRequest request) {
        String id = request.pathParameter("id");
        if (Owned.job(store, request, id).isEmpty()) {
            return Problem.notFound("job " + id).toResponse();
        }
        return ApiResponse.json(200, DeliveryViews.list(deliveries.listForJob(id)));
    }

    /**
     * POST /v1/jobs/{id}/webhook-deliveries/replay: the terminal event again, same id and body, its attempts numbered
     * after the earlier ones; a few per job and per tenant each minute, since every replay is a request to the
     * receiver.
     */
    public ApiResponse replay(ApiRequest request) {
        String id = request.pathParameter("id");
        Optional<Job> found = Owned.job(store, request, id);
        if (found.isEmpty()) {
            return Problem.notFound("job " + id).toResponse();
        }
        Job job = found.get();
        if (job.request().webhookUrl() == null) {
            return Problem.conflict("no_webhook", "job " + id + " was submitted without a webhook")
                    .toResponse();
        }
        if (!job.progress().status().isTerminal()) {
            return Problem.conflict("job_not_terminal", "job " + id + " has no terminal event yet")
                    .toResponse();
        }
        WebhookEvent original = JobViews.webhookEvent(job);
        long now = clock.instant().getEpochSecond();
        if (!deliveries.tryCountReplay(original, now / 60)) {
            throw new LimitExceeded(
                    LimitExceeded.RATE_LIMITED,
                    "Too many replays",
                    "job " + id + " or its tenant has used this minute's replays (at most "
                            + WebhookDeliveries.REPLAYS_PER_SUBJECT_PER_MINUTE + " per job and "
                            + WebhookDeliveries.REPLAYS_PER_TENANT_PER_MINUTE + " per tenant)",
                    60 - now % 60);
        }
        webhooks.send(original);
        ObjectNode body = Json.object();
        body.put("eventId", original.id());
        body.put("type", original.type().wire());
        return ApiResponse.json(202, body);
    }
}
