package dev.bedrockjobs.core.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.domain.DeliveryAttempt;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.domain.ValidationException;
import dev.bedrockjobs.core.port.BatchStore;
import dev.bedrockjobs.core.port.JobStore;
import dev.bedrockjobs.core.port.Page;
import dev.bedrockjobs.core.port.WebhookDeliveries;
import dev.bedrockjobs.core.view.JobViews;
import dev.bedrockjobs.core.work.JobOutcomes;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** GET /v1/jobs/{id} (with long poll), GET /v1/jobs and DELETE /v1/jobs/{id}, scoped to the caller's tenant. */
public final class JobsService {
    /** A job is read again after 250 ms, then twice as long each time, up to 2 s between reads. */
    private static final LongPolls.Pace UNTIL_FINISHED =
            new LongPolls.Pace(Duration.ofMillis(250), Duration.ofSeconds(2));

    private static final int DEFAULT_PAGE = 20;
    private static final int MAX_PAGE = 100;

    private final JobStore store;
    private final BatchStore batches;
    private final JobOutcomes outcomes;
    private final WebhookDeliveries deliveries;
    private final LongPolls longPolls;
    private final Clock clock;
    private final QueueEstimates estimates;

    /**
     * @param deliveries the job view counts its webhook's delivery attempts
     * @param longPolls bounds each tenant's held long polls
     * @param estimates a queued job's place in its lane; null shows none
     */
    public JobsService(
            JobStore store,
            BatchStore batches,
            JobOutcomes outcomes,
            WebhookDeliveries deliveries,
            LongPolls longPolls,
            Clock clock,
            QueueEstimates estimates) {
        this.store = store;
        this.batches = batches;
        this.outcomes = outcomes;
        this.deliveries = deliveries;
        this.longPolls = longPolls;
        this.clock = clock;
        this.estimates = estimates;
    }

    /** GET /v1/jobs/{id}: the job view; {@code ?wait=N} holds the request until the job is terminal. */
    public ApiResponse get(ApiRequest request) {
        String id = request.pathParameter("id");
        int waitSeconds = QueryParameters.integer(request, "wait", 0, 0, LongPolls.MAX_WAIT_SECONDS);
        Optional<Job> job = longPolls.hold(
                request.tenantId(),
                waitSeconds,
                Owned.job(store, request, id),
                j -> j.isEmpty() || j.get().progress().status().isTerminal(),
                () -> store.getOwned(request.tenantId(), id),
                j -> UNTIL_FINISHED);
        if (job.isEmpty()) {
            return Problem.notFound("job " + id).toResponse();
        }
        Job j = job.get();
        ObjectNode view = JobViews.view(j);
        if (estimates != null) {
            estimates.forJob(j).ifPresent(q -> view.set("queue", q));
        }
        if (j.request().webhookUrl() != null) {
            List<DeliveryAttempt> attempts = deliveries.listForJob(j.id());
            ObjectNode webhook = (ObjectNode) view.get("webhook");
            webhook.put("deliveries", attempts.size());
            Optional<DeliveryAttempt> last = attempts.stream().max(Comparator.comparing(DeliveryAttempt::at));
            if (last.isPresent() && last.get().httpStatus() != null) {
                webhook.put("lastStatus", last.get().httpStatus());
            } else {
                webhook.putNull("lastStatus");
            }
        }
        return viewResponse(200, j, view);
    }

    /** GET /v1/jobs: the tenant's jobs newest first, or a batch's in item order; {@code ?status=&limit=&cursor=}. */
    public ApiResponse list(ApiRequest request) {
        int limit = QueryParameters.integer(request, "limit", DEFAULT_PAGE, 1, MAX_PAGE);
        String statusText = request.queryParameter("status");
        if (statusText != null && !JobStatus.isWire(statusText)) {
            throw ValidationException.of("status", "must be one of queued, running, succeeded, failed, canceled");
        }
        String cursor = QueryParameters.cursor(request);
        String batchId = request.queryParameter("batchId");
        Page<Job> page;
        if (batchId != null) {
            if (Owned.batch(batches, request, batchId).isEmpty()) {
                return Problem.notFound("batch " + batchId).toResponse();
            }
            Page<Job> inBatch = store.listByBatch(batchId, limit, cursor);
            page = statusText == null
                    ? inBatch
                    : new Page<>(
                            inBatch.items().stream()
                                    .filter(j -> j.progress().status().wire().equals(statusText))
                                    .toList(),
                            inBatch.nextCursor());
        } else {
            page = store.listByTenant(
                    request.tenantId(), statusText == null ? null : JobStatus.fromWire(statusText), limit, cursor);
        }
        ObjectNode body = Json.object();
        ArrayNode items = body.putArray("items");
        page.items().forEach(j -> items.add(JobViews.view(j)));
        if (page.nextCursor() == null) {
            body.putNull("nextCursor");
        } else {
            body.put("nextCursor", page.nextCursor());
        }
        return ApiResponse.json(200, body);
    }

    /** DELETE /v1/jobs/{id}: a queued job is canceled at once, a running one when its model call returns. */
    public ApiResponse cancel(ApiRequest request) {
        String id = request.pathParameter("id");
        // A job moves on while we look at it; a few rounds settle every race between cancel, claim and finish.
        for (int round = 0; round < 3; round++) {
            Optional<Job> current = Owned.job(store, request, id);
            if (current.isEmpty()) {
                return Problem.notFound("job " + id).toResponse();
            }
            Job job = current.get();
            if (job.progress().status().isTerminal()) {
                return Problem.conflict(
                                "job_terminal",
                                "job " + id + " is already "
                                        + job.progress().status().wire() + " and cannot be canceled")
                        .toResponse();
            }
            if (job.progress().status() == JobStatus.QUEUED) {
                Optional<Job> canceled = store.cancelQueued(id, clock.instant());
                if (canceled.isPresent()) {
                    outcomes.jobFinished(canceled.get());
                    return viewResponse(202, canceled.get());
                }
            } else if (store.requestCancel(id)) {
                return viewResponse(202, store.getOwned(request.tenantId(), id).orElse(job));
            }
        }
        return Problem.conflict("job_busy", "job " + id + " changed state during the cancel; retry")
                .toResponse();
    }

    private static ApiResponse viewResponse(int status, Job j) {
        return viewResponse(status, j, JobViews.view(j));
    }

    /** A job that is not terminal yet tells the client when to look again. */
    private static ApiResponse viewResponse(int status, Job j, ObjectNode view) {
        ApiResponse r = ApiResponse.json(status, view);
        return j.progress().status().isTerminal() ? r : r.withHeader("retry-after", SubmitService.RETRY_AFTER_SECONDS);
    }
}
