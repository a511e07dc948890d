package dev.bedrockjobs.core.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.domain.Batch;
import dev.bedrockjobs.core.domain.BatchStatus;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.port.BatchStore;
import dev.bedrockjobs.core.port.JobStore;
import dev.bedrockjobs.core.port.Page;
import dev.bedrockjobs.core.view.BatchViews;
import dev.bedrockjobs.core.work.JobOutcomes;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/** GET /v1/batches/{id}, GET /v1/batches/{id}/results and DELETE /v1/batches/{id}, scoped to the caller's tenant. */
public final class BatchesService {
    private static final int FIRST_PAGE = 100;
    private static final int RESULTS_PAGE = 100;
    private static final int RESULTS_BYTE_BUDGET = 5_000_000;

    private final JobStore store;
    private final BatchStore batches;
    private final JobOutcomes outcomes;
    private final Clock clock;

    public BatchesService(JobStore store, BatchStore batches, JobOutcomes outcomes, Clock clock) {
        this.store = store;
        this.batches = batches;
        this.outcomes = outcomes;
        this.clock = clock;
    }

    /** GET /v1/batches/{id}: counts, usage and cost so far, an ETA while items remain, and a page of its jobs. */
    public ApiResponse get(ApiRequest request) {
        String id = request.pathParameter("id");
        int limit = QueryParameters.integer(request, "limit", FIRST_PAGE, 1, JobRequestParser.MAX_BATCH_ITEMS);
        String cursor = QueryParameters.cursor(request);
        Optional<Batch> batch = Owned.batch(batches, request, id);
        if (batch.isEmpty()) {
            return Problem.notFound("batch " + id).toResponse();
        }
        Page<Job> jobs = store.listByBatch(id, limit, cursor);
        ObjectNode view = BatchViews.view(batch.get(), jobs.items(), jobs.nextCursor());
        if (!batch.get().done()) {
            Long eta = QueueEstimates.batchEtaSeconds(batch.get(), clock.instant());
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
     * GET /v1/batches/{id}/results: one JSON line per item in item order. A Lambda response is limited to 6 MB, so a
     * long result set is cut at a byte budget and continued through the {@code Link: <...>; rel="next"} header.
     */
    public ApiResponse results(ApiRequest request) {
        String id = request.pathParameter("id");
        if (Owned.batch(batches, request, id).isEmpty()) {
            return Problem.notFound("batch " + id).toResponse();
        }
        StringBuilder body = new StringBuilder();
        String cursor = QueryParameters.cursor(request);
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
        ApiResponse r = new ApiResponse(200, Map.of("content-type", "application/x-ndjson"), body.toString());
        return next == null
                ? r
                : r.withHeader("link", "</v1/batches/" + id + "/results?cursor=" + next + ">; rel=\"next\"");
    }

    /** DELETE /v1/batches/{id}: cancels every job of the batch that has not finished; finished results stay. */
    public ApiResponse cancel(ApiRequest request) {
        String id = request.pathParameter("id");
        Optional<Batch> batch = Owned.batch(batches, request, id);
        if (batch.isEmpty()) {
            return Problem.notFound("batch " + id).toResponse();
        }
        if (batch.get().status() == BatchStatus.COMPLETED) {
            return Problem.conflict("batch_terminal", "batch " + id + " has already completed")
                    .toResponse();
        }
        outcomes.cancelBatch(id, clock.instant());
        Batch after = batches.get(id).orElseThrow();
        Page<Job> first = store.listByBatch(id, FIRST_PAGE, null);
        return ApiResponse.json(202, BatchViews.view(after, first.items(), first.nextCursor()));
    }
}
