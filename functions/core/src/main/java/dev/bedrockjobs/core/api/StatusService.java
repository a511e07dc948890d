package dev.bedrockjobs.core.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.domain.Batch;
import dev.bedrockjobs.core.domain.BatchStatus;
import dev.bedrockjobs.core.domain.DeliveryAttempt;
import dev.bedrockjobs.core.domain.Ids;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.domain.LimitExceeded;
import dev.bedrockjobs.core.domain.ValidationException;
import dev.bedrockjobs.core.domain.WebhookEvent;
import dev.bedrockjobs.core.port.BatchStore;
import dev.bedrockjobs.core.port.JobStore;
import dev.bedrockjobs.core.port.Page;
import dev.bedrockjobs.core.port.WebhookDeliveries;
import dev.bedrockjobs.core.port.WebhookQueue;
import dev.bedrockjobs.core.view.BatchViews;
import dev.bedrockjobs.core.view.DeliveryViews;
import dev.bedrockjobs.core.view.JobViews;
import dev.bedrockjobs.core.work.JobOutcomes;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * GET /v1/jobs/{id} (with long poll), GET /v1/jobs, DELETE /v1/jobs/{id}, the batch and webhook-delivery routes, and
 * GET /v1/usage; always scoped to the caller's tenant.
 */
public final class StatusService {
    public static final int MAX_WAIT_SECONDS = 20;
    /** A long poll reads again after 250 ms, then twice as long each time, up to 2 s between reads. */
    private static final Duration FIRST_POLL_INTERVAL = Duration.ofMillis(250);
    private static final Duration LONGEST_POLL_INTERVAL = Duration.ofSeconds(2);
    private static final int DEFAULT_PAGE = 20;
    private static final int MAX_PAGE = 100;
    private static final int RESULTS_PAGE = 100;
    private static final int RESULTS_BYTE_BUDGET = 5_000_000;

    /** How the long poll waits between reads; tests replace it to run without real time passing. */
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final JobStore store;
    private final BatchStore batches;
    private final JobOutcomes outcomes;
    private final WebhookDeliveries deliveries;
    private final WebhookQueue webhooks;
    private final Clock clock;
    private final Sleeper sleeper;
    private final UsageService usage;
    private final LongPolls longPolls;
    private final QueueEstimates estimates;

    /**
     * @param longPolls bounds each tenant's held long polls
     * @param estimates a queued job's place in its lane; null shows none
     */
    public StatusService(JobStore store, BatchStore batches, JobOutcomes outcomes, WebhookDeliveries deliveries,
                         WebhookQueue webhooks, UsageService usage, LongPolls longPolls, Clock clock,
                         Sleeper sleeper, QueueEstimates estimates) {
        this.estimates = estimates;
        this.store = store;
        this.batches = batches;
        this.outcomes = outcomes;
        this.deliveries = deliveries;
        this.webhooks = webhooks;
        this.clock = clock;
        this.sleeper = sleeper;
        this.usage = usage;
        this.longPolls = longPolls;
    }

    public StatusService(JobStore store, BatchStore batches, JobOutcomes outcomes, WebhookDeliveries deliveries,
                         WebhookQueue webhooks, UsageService usage, LongPolls longPolls, Clock clock,
                         Sleeper sleeper) {
        this(store, batches, outcomes, deliveries, webhooks, usage, longPolls, clock, sleeper, null);
    }

    public StatusService(JobStore store, BatchStore batches, JobOutcomes outcomes, WebhookDeliveries deliveries,
                         WebhookQueue webhooks, UsageService usage, LongPolls longPolls) {
        this(store, batches, outcomes, deliveries, webhooks, usage, longPolls, Clock.systemUTC(),
                d -> Thread.sleep(d.toMillis()));
    }

    /** Routes a request of the status function to the right operation. */
    public ApiResponse handle(ApiRequest request) {
        String id = request.pathParameter("id");
        String path = request.path() == null ? "" : request.path();
        if (path.equals("/v1/usage")) {
            return "GET".equals(request.method()) ? usage.report(request) : methodNotAllowed();
        }
        if (path.startsWith("/v1/batches/")) {
            if (id == null) {
                return Problem.notFound("batch").toResponse();
            }
            return switch (request.method()) {
                case "GET" -> path.endsWith("/results") ? batchResults(request, id) : getBatch(request, id);
                case "DELETE" -> cancelBatch(request, id);
                default -> methodNotAllowed();
            };
        }
        if (id != null && path.contains("/webhook-deliveries")) {
            return switch (request.method()) {
                case "GET" -> webhookDeliveries(request, id);
                case "POST" -> path.endsWith("/replay") ? replayWebhook(request, id) : methodNotAllowed();
                default -> methodNotAllowed();
            };
        }
        return switch (request.method()) {
            case "GET" -> id == null ? list(request) : get(request, id);
            case "DELETE" -> id == null ? methodNotAllowed() : cancel(request, id);
            default -> methodNotAllowed();
        };
    }

    ApiResponse get(ApiRequest request, String id) {
        int waitSeconds = intParameter(request, "wait", 0, 0, MAX_WAIT_SECONDS);
        if (!Ids.isWellFormed(id, "job_")) {
            return Problem.notFound("job " + id).toResponse();
        }
        Optional<Job> job = store.getOwned(request.tenantId(), id);
        if (waitSeconds > 0 && job.isPresent() && !job.get().status().isTerminal()) {
            job = waitForTerminal(request.tenantId(), id, job, waitSeconds);
        }
        if (job.isEmpty()) {
            return Problem.notFound("job " + id).toResponse();
        }
        Job j = job.get();
        ObjectNode view = JobViews.view(j);
        if (estimates != null) {
            estimates.forJob(j).ifPresent(q -> view.set("queue", q));
        }
        if (j.webhookUrl() != null) {
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
        ApiResponse r = ApiResponse.json(200, view);
        return j.status().isTerminal() ? r : r.withHeader("retry-after", SubmitService.RETRY_AFTER_SECONDS);
    }

    /**
     * Holds the request until the job is terminal or {@code waitSeconds} have passed, reading it again after 250 ms,
     * then after twice as long each time up to 2 s. Over the tenant's bound on polls held open, no wait: the job as
     * it is now.
     */
    private Optional<Job> waitForTerminal(String tenantId, String id, Optional<Job> job, int waitSeconds) {
        Instant start = clock.instant();
        if (!longPolls.tryStart(tenantId, start)) {
            return job;
        }
        try {
            Instant deadline = start.plusSeconds(waitSeconds);
            Duration interval = FIRST_POLL_INTERVAL;
            while (job.isPresent() && !job.get().status().isTerminal()) {
                Duration left = Duration.between(clock.instant(), deadline);
                if (left.isNegative() || left.isZero()) {
                    break;
                }
                sleeper.sleep(interval.compareTo(left) < 0 ? interval : left);
                job = store.getOwned(tenantId, id);
                interval = interval.multipliedBy(2).compareTo(LONGEST_POLL_INTERVAL) < 0
                        ? interval.multipliedBy(2) : LONGEST_POLL_INTERVAL;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            longPolls.end(tenantId);
        }
        return job;
    }

    /** GET /v1/jobs/{id}/webhook-deliveries: every attempt of every event of the job. */
    ApiResponse webhookDeliveries(ApiRequest request, String id) {
        Optional<Job> job = Ids.isWellFormed(id, "job_") ? store.getOwned(request.tenantId(), id) : Optional.empty();
        if (job.isEmpty()) {
            return Problem.notFound("job " + id).toResponse();
        }
        return ApiResponse.json(200, DeliveryViews.list(deliveries.listForJob(id)));
    }

    /**
     * POST /v1/jobs/{id}/webhook-deliveries/replay: the terminal event again, same id and body, its attempts numbered
     * after the earlier ones; a few per job and per tenant each minute, since every replay is a request to the
     * receiver.
     */
    ApiResponse replayWebhook(ApiRequest request, String id) {
        Optional<Job> found = Ids.isWellFormed(id, "job_") ? store.getOwned(request.tenantId(), id) : Optional.empty();
        if (found.isEmpty()) {
            return Problem.notFound("job " + id).toResponse();
        }
        Job job = found.get();
        if (job.webhookUrl() == null) {
            return Problem.conflict("no_webhook", "job " + id + " was submitted without a webhook").toResponse();
        }
        if (!job.status().isTerminal()) {
            return Problem.conflict("job_not_terminal", "job " + id + " has no terminal event yet").toResponse();
        }
        WebhookEvent original = JobViews.webhookEvent(job);
        long now = clock.instant().getEpochSecond();
        if (!deliveries.tryCountReplay(original, now / 60)) {
            throw new LimitExceeded(LimitExceeded.RATE_LIMITED, "Too many replays",
                    "job " + id + " or its tenant has used this minute's replays (at most "
                    + WebhookDeliveries.REPLAYS_PER_SUBJECT_PER_MINUTE + " per job and "
                    + WebhookDeliveries.REPLAYS_PER_TENANT_PER_MINUTE + " per tenant)", 60 - now % 60);
        }
        webhooks.send(original);
        ObjectNode body = Json.object();
        body.put("eventId", original.id());
        body.put("type", original.type().wire());
        return ApiResponse.json(202, body);
    }

    ApiResponse list(ApiRequest request) {
        int limit = intParameter(request, "limit", DEFAULT_PAGE, 1, MAX_PAGE);
        String statusText = request.queryParameter("status");
        if (statusText != null && !JobStatus.isWire(statusText)) {
            throw ValidationException.of("status", "must be one of queued, running, succeeded, failed, canceled");
        }
        String cursor = cursor(request);
        String batchId = request.queryParameter("batchId");
        Page<Job> page;
        if (batchId != null) {
            if (!Ids.isWellFormed(batchId, "bat_") || batches.getOwned(request.tenantId(), batchId).isEmpty()) {
                return Problem.notFound("batch " + batchId).toResponse();
            }
            Page<Job> inBatch = store.listByBatch(batchId, limit, cursor);
            page = statusText == null ? inBatch : new Page<>(inBatch.items().stream()
                    .filter(j -> j.status().wire().equals(statusText)).toList(), inBatch.nextCursor());
        } else {
            page = store.listByTenant(request.tenantId(),
                    statusText == null ? null : JobStatus.fromWire(statusText), limit, cursor);
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

    ApiResponse cancel(ApiRequest request, String id) {
        if (!Ids.isWellFormed(id, "job_")) {
            return Problem.notFound("job " + id).toResponse();
        }
        // A job moves on while we look at it; a few rounds settle every race between cancel, claim and finish.
        for (int round = 0; round < 3; round++) {
            Optional<Job> current = store.getOwned(request.tenantId(), id);
            if (current.isEmpty()) {
                return Problem.notFound("job " + id).toResponse();
            }
            Job job = current.get();
            if (job.status().isTerminal()) {
                return Problem.conflict("job_terminal", "job " + id + " is already " + job.status().wire()
                        + " and cannot be canceled").toResponse();
            }
            if (job.status() == JobStatus.QUEUED) {
                Optional<Job> canceled = store.cancelQueued(id, clock.instant());
                if (canceled.isPresent()) {
                    outcomes.jobFinished(canceled.get());
                    outcomes.flush();
                    return viewResponse(202, canceled.get());
                }
            } else if (store.requestCancel(id)) {
                return viewResponse(202, store.getOwned(request.tenantId(), id).orElse(job));
            }
        }
        return Problem.conflict("job_busy", "job " + id + " changed state during the cancel; retry").toResponse();
    }

    ApiResponse getBatch(ApiRequest request, String id) {
        int limit = intParameter(request, "limit", MAX_PAGE, 1, JobRequestParser.MAX_BATCH_ITEMS);
        String cursor = cursor(request);
        Optional<Batch> batch = ownedBatch(request, id);
        if (batch.isEmpty()) {
            return Problem.notFound("batch " + id).toResponse();
        }
        Page<Job> jobs = store.listByBatch(id, limit, cursor);
        ObjectNode view = BatchViews.view(batch.get(), jobs.items(), jobs.nextCursor());
        if (!batch.get().done()) {
            Instant firstFinished = jobs.items().stream().map(Job::finishedAt).filter(Objects::nonNull)
                    .min(Comparator.naturalOrder()).orElse(null);
            Long eta = QueueEstimates.batchEtaSeconds(batch.get(), firstFinished, clock.instant());
            if (eta == null) {
                view.putNull("etaSeconds");
            } else {
                view.put("etaSeconds", eta);
            }
        }
        ApiResponse r = ApiResponse.json(200, view);
        return batch.get().settled() ? r : r.withHeader("retry-after", SubmitService.RETRY_AFTER_SECONDS);
    }

    /**
     * One JSON line per item in item order. A Lambda response is limited to 6 MB, so a long result set is cut at a
     * byte budget and continued through the {@code Link: <...>; rel="next"} header.
     */
    ApiResponse batchResults(ApiRequest request, String id) {
        if (ownedBatch(request, id).isEmpty()) {
            return Problem.notFound("batch " + id).toResponse();
        }
        StringBuilder body = new StringBuilder();
        String cursor = cursor(request);
        String next = null;
        do {
            Page<Job> page = store.listByBatch(id, RESULTS_PAGE, cursor);
            for (Job j : page.items()) {
                body.append(Json.write(BatchViews.resultLine(j))).append('\n');
            }
            cursor = page.nextCursor();
            if (cursor != null && body.length() > RESULTS_BYTE_BUDGET) {
                next = cursor;
                break;
            }
        } while (cursor != null);
        ApiResponse r = new ApiResponse(200, java.util.Map.of("content-type", "application/x-ndjson"), body.toString());
        return next == null ? r : r.withHeader("link", "</v1/batches/" + id + "/results?cursor=" + next + ">; rel=\"next\"");
    }

    /** Cancels every job of the batch that has not finished; finished results stay. */
    ApiResponse cancelBatch(ApiRequest request, String id) {
        Optional<Batch> batch = ownedBatch(request, id);
        if (batch.isEmpty()) {
            return Problem.notFound("batch " + id).toResponse();
        }
        if (batch.get().status() == BatchStatus.COMPLETED) {
            return Problem.conflict("batch_terminal", "batch " + id + " has already completed").toResponse();
        }
        outcomes.cancelBatch(id, clock.instant());
        outcomes.flush();
        Batch after = batches.get(id).orElseThrow();
        Page<Job> first = store.listByBatch(id, MAX_PAGE, null);
        return ApiResponse.json(202, BatchViews.view(after, first.items(), first.nextCursor()));
    }

    private Optional<Batch> ownedBatch(ApiRequest request, String id) {
        return Ids.isWellFormed(id, "bat_") ? batches.getOwned(request.tenantId(), id) : Optional.empty();
    }

    private static String cursor(ApiRequest request) {
        String cursor = request.queryParameter("cursor");
        if (cursor != null && (cursor.isEmpty() || cursor.length() > 1024)) {
            throw ValidationException.of("cursor", "is not a valid cursor");
        }
        return cursor;
    }

    private static ApiResponse viewResponse(int status, Job j) {
        ApiResponse r = ApiResponse.json(status, JobViews.view(j));
        return j.status().isTerminal() ? r : r.withHeader("retry-after", SubmitService.RETRY_AFTER_SECONDS);
    }

    private static ApiResponse methodNotAllowed() {
        return new Problem(405, "method_not_allowed", "Method not allowed", "This route does not take that method.",
                null).toResponse();
    }

    private static int intParameter(ApiRequest request, String name, int fallback, int min, int max) {
        String v = request.queryParameter(name);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ValidationException.of(name, "must be an integer from " + min + " to " + max);
    }
}
