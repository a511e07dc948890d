package dev.bedrockjobs.core.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.domain.Ids;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.domain.ValidationException;
import dev.bedrockjobs.core.port.JobStore;
import dev.bedrockjobs.core.port.Page;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** GET /v1/jobs/{id} (with long poll), GET /v1/jobs, DELETE /v1/jobs/{id}; always scoped to the caller's tenant. */
public final class StatusService {
    public static final int MAX_WAIT_SECONDS = 20;
    private static final Duration POLL_INTERVAL = Duration.ofMillis(250);
    private static final int DEFAULT_PAGE = 20;
    private static final int MAX_PAGE = 100;

    /** How the long poll waits between reads; tests replace it to run without real time passing. */
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final JobStore store;
    private final Clock clock;
    private final Sleeper sleeper;

    public StatusService(JobStore store, Clock clock, Sleeper sleeper) {
        this.store = store;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    public StatusService(JobStore store) {
        this(store, Clock.systemUTC(), d -> Thread.sleep(d.toMillis()));
    }

    /** Routes a request of the status function to the right operation. */
    public ApiResponse handle(ApiRequest request) {
        String id = request.pathParameter("id");
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
        Instant deadline = clock.instant().plusSeconds(waitSeconds);
        while (job.isPresent() && !job.get().status().isTerminal() && clock.instant().isBefore(deadline)) {
            try {
                sleeper.sleep(POLL_INTERVAL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            job = store.getOwned(request.tenantId(), id);
        }
        return job.map(j -> viewResponse(200, j)).orElseGet(() -> Problem.notFound("job " + id).toResponse());
    }

    ApiResponse list(ApiRequest request) {
        int limit = intParameter(request, "limit", DEFAULT_PAGE, 1, MAX_PAGE);
        String statusText = request.queryParameter("status");
        if (statusText != null && !JobStatus.isWire(statusText)) {
            throw ValidationException.of("status", "must be one of queued, running, succeeded, failed, canceled");
        }
        String cursor = request.queryParameter("cursor");
        if (cursor != null && (cursor.isEmpty() || cursor.length() > 1024)) {
            throw ValidationException.of("cursor", "is not a valid cursor");
        }
        Page<Job> page = store.listByTenant(request.tenantId(),
                statusText == null ? null : JobStatus.fromWire(statusText), limit, cursor);
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
                    return viewResponse(202, canceled.get());
                }
            } else if (store.requestCancel(id)) {
                return viewResponse(202, store.getOwned(request.tenantId(), id).orElse(job));
            }
        }
        return Problem.conflict("job_busy", "job " + id + " changed state during the cancel; retry").toResponse();
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
