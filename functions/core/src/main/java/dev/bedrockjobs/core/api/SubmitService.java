package dev.bedrockjobs.core.api;

import dev.bedrockjobs.core.domain.Batch;
import dev.bedrockjobs.core.domain.BatchRequest;
import dev.bedrockjobs.core.domain.Ids;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobRequest;
import dev.bedrockjobs.core.domain.JobRequestParser;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.domain.ResponseCacheKey;
import dev.bedrockjobs.core.domain.TenantLimits;
import dev.bedrockjobs.core.model.ModelCatalog;
import dev.bedrockjobs.core.port.BatchStore;
import dev.bedrockjobs.core.port.JobQueue;
import dev.bedrockjobs.core.port.JobStore;
import dev.bedrockjobs.core.port.ResponseCache;
import dev.bedrockjobs.core.work.JobOutcomes;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * POST /v1/jobs. The job is written before its message is sent, so a crash in between leaves a queued job for the
 * reconciler to re-drive rather than a message pointing at nothing. The tenant's limits are checked before anything
 * of the job is written; a request answered from the response cache becomes a job that has already succeeded.
 */
public final class SubmitService {
    private static final Logger LOG = Logger.getLogger(SubmitService.class.getName());
    static final String RETRY_AFTER_SECONDS = "2";

    private final JobStore store;
    private final BatchStore batches;
    private final JobQueue queue;
    private final JobRequestParser parser;
    private final ModelCatalog catalog;
    private final Clock clock;
    private final Duration idempotencyWindow;
    private final SubmitLimits limits;
    private final ResponseCache cache;
    private final JobOutcomes outcomes;

    public SubmitService(JobStore store, BatchStore batches, JobQueue queue, JobRequestParser parser,
                         ModelCatalog catalog, Clock clock, Duration idempotencyWindow, SubmitLimits limits,
                         ResponseCache cache, JobOutcomes outcomes) {
        this.store = store;
        this.batches = batches;
        this.queue = queue;
        this.parser = parser;
        this.catalog = catalog;
        this.clock = clock;
        this.idempotencyWindow = idempotencyWindow;
        this.limits = limits;
        this.cache = cache;
        this.outcomes = outcomes;
    }

    /** Routes a request of the submit function. */
    public ApiResponse handle(ApiRequest request) {
        return request.path() != null && request.path().startsWith("/v1/batches") ? submitBatch(request) : submit(request);
    }

    public ApiResponse submit(ApiRequest request) {
        Optional<ApiResponse> unsupported = requireJson(request);
        if (unsupported.isPresent()) {
            return unsupported.get();
        }
        JobRequest jr = parser.parseJob(request.body(), request.header("idempotency-key"));
        String tenantId = request.tenantId();
        TenantLimits tenant = limits.limitsOf(tenantId);
        Optional<ApiResponse> refused = limits.countRequest(tenantId, tenant);
        if (refused.isPresent()) {
            return refused.get();
        }
        Instant now = clock.instant();
        String hash = JobRequestParser.fingerprint(jr);
        String freshId = Ids.newJobId(now);
        Job.Builder draft = newJob(freshId, tenantId, jr, now)
                .webhookUrl(jr.webhookUrl())
                .idempotencyKey(jr.idempotencyKey())
                .requestHash(hash);
        boolean useCache = jr.cache() != null ? jr.cache() : tenant.cacheResponses();
        String cacheKey = useCache ? ResponseCacheKey.of(tenantId, catalog.modelIdFor(jr.tier()), jr) : null;
        Optional<Job.Result> hit = cacheKey == null ? Optional.empty() : cache.find(cacheKey, tenantId, now);
        int slots = 0;
        if (hit.isPresent()) {
            // Nothing to count; with no webhook event owed either, it is settled from the start.
            draft.status(JobStatus.SUCCEEDED).cached(true).result(hit.get()).startedAt(now).finishedAt(now)
                    .usageRecorded(true).settled(jr.webhookUrl() == null);
        } else {
            Job drafted = limits.withBudgetHold(tenant, draft.cacheKey(cacheKey).build());
            draft.reserved(drafted.reservedTokens(), drafted.reservedUsd());
            refused = limits.holdBudget(tenantId, tenant, List.of(drafted));
            if (refused.isEmpty()) {
                refused = limits.reserveActive(tenantId, tenant, 1);
                if (refused.isPresent()) {
                    limits.release(tenantId, tenant, 0, List.of(drafted));
                }
            }
            if (refused.isPresent()) {
                return refused.get();
            }
            slots = tenant.capsActiveJobs() ? 1 : 0;
        }
        List<Job> held = List.of(draft.build());
        Reservation key = reserve(tenantId, jr.idempotencyKey(), hash, freshId, now);
        if (key.conflict()) {
            limits.release(tenantId, tenant, slots, held);
            return keyReused();
        }
        if (key.earlier()) {
            Optional<Job> original = store.getOwned(tenantId, key.id());
            if (original.isPresent()) {
                limits.release(tenantId, tenant, slots, held); // the original holds its own
                return accepted(200, original.get());
            }
            // The key was reserved but the job never written (a crash in between): finish that submission, with
            // this request's slot.
        }
        Job job = draft.id(key.id()).holdsActiveSlot(slots > 0).build();
        if (!store.create(job)) {
            Optional<Job> existing = store.getOwned(tenantId, job.id());
            if (existing.isEmpty()) {
                limits.release(tenantId, tenant, slots, held);
                return Problem.internal(request.requestId()).toResponse();
            }
            if (!existing.get().createdAt().equals(job.createdAt())) {
                // A concurrent replay of the same idempotent request created it: answer with what it created.
                limits.release(tenantId, tenant, slots, held);
                return accepted(200, existing.get());
            }
            // Our own write, applied by an attempt whose answer was lost and refused on the SDK's retry: carry on.
        }
        if (job.cached()) {
            outcomes.jobFinished(job); // its webhook, exactly as the worker would send it
            return accepted(202, job);
        }
        try {
            queue.send(new JobQueue.JobMessage(job.id(), job.tenantId()));
        } catch (RuntimeException e) {
            // The job is durable and stays queued; the reconciler re-enqueues queued jobs that have no message.
            LOG.log(Level.WARNING, "job " + job.id() + " stored but not enqueued; the reconciler will re-drive it", e);
        }
        return accepted(202, job);
    }

    /**
     * POST /v1/batches: all items validated first (nothing is written if any is bad), then the jobs in bulk, then the
     * batch record that makes them visible as a batch, then the messages in parallel batches of ten.
     */
    public ApiResponse submitBatch(ApiRequest request) {
        Optional<ApiResponse> unsupported = requireJson(request);
        if (unsupported.isPresent()) {
            return unsupported.get();
        }
        BatchRequest br = parser.parseBatch(request.body(), request.header("idempotency-key"));
        String tenantId = request.tenantId();
        TenantLimits tenant = limits.limitsOf(tenantId);
        Optional<ApiResponse> refused = limits.countRequest(tenantId, tenant);
        if (refused.isPresent()) {
            return refused.get();
        }
        Instant now = clock.instant();
        String hash = JobRequestParser.fingerprint(br);
        String freshId = Ids.newBatchId(now);
        List<Job> fresh = batchJobs(freshId, tenantId, br, now, tenant.capsActiveJobs()).stream()
                .map(j -> limits.withBudgetHold(tenant, j)).toList();
        int slots = tenant.capsActiveJobs() ? fresh.size() : 0;
        refused = limits.holdBudget(tenantId, tenant, fresh);
        if (refused.isEmpty()) {
            refused = limits.reserveActive(tenantId, tenant, slots);
            if (refused.isPresent()) {
                limits.release(tenantId, tenant, 0, fresh);
            }
        }
        if (refused.isPresent()) {
            return refused.get();
        }
        Reservation key = reserve(tenantId, br.idempotencyKey() == null ? null : "batch:" + br.idempotencyKey(),
                hash, freshId, now);
        if (key.conflict() || key.earlier()) {
            limits.release(tenantId, tenant, slots, fresh); // an earlier request owns this key
        }
        if (key.conflict()) {
            return keyReused();
        }
        String batchId = key.id();
        if (key.earlier()) {
            Optional<Batch> original = batches.getOwned(tenantId, batchId);
            if (original.isPresent()) {
                return batchAccepted(200, original.get(),
                        store.listByBatch(batchId, JobRequestParser.MAX_BATCH_ITEMS, null).items());
            }
        }
        boolean replay = key.earlier();
        // A replay finishing an interrupted submission writes its jobs uncounted and unheld: their slots and holds
        // were given back above.
        List<Job> jobs = replay ? batchJobs(batchId, tenantId, br, now, false) : fresh;
        if (replay) {
            jobs.forEach(store::create); // conditional: jobs an interrupted attempt wrote are left alone
        } else {
            store.createAll(jobs);
        }
        Batch batch = Batch.accepted(batchId, tenantId, now, jobs.size(), br.webhookUrl(),
                br.idempotencyKey(), hash);
        batches.create(batch);
        List<JobQueue.JobMessage> messages = jobs.stream()
                .map(j -> new JobQueue.JobMessage(j.id(), j.tenantId())).toList();
        List<JobQueue.JobMessage> unsent = queue.sendAll(messages);
        if (!unsent.isEmpty()) {
            LOG.warning("batch " + batchId + ": " + unsent.size() + " of " + messages.size()
                    + " messages not sent; the reconciler will re-drive those jobs");
        }
        return batchAccepted(202, batch, jobs);
    }

    private List<Job> batchJobs(String batchId, String tenantId, BatchRequest br, Instant now, boolean counted) {
        List<Job> jobs = new ArrayList<>(br.items().size());
        for (int i = 0; i < br.items().size(); i++) {
            BatchRequest.Item item = br.items().get(i);
            jobs.add(newJob(Ids.jobIdInBatch(batchId, i), tenantId, item.request(), now)
                    .batchId(batchId)
                    .customId(item.customId())
                    .itemIndex(i)
                    .holdsActiveSlot(counted)
                    .build());
        }
        return jobs;
    }

    /** Where an idempotency key stands: new (the fresh id is ours), replayed (an earlier id), or reused. */
    private record Reservation(String id, boolean earlier, boolean conflict) {
    }

    private Reservation reserve(String tenantId, String key, String hash, String freshId, Instant now) {
        if (key == null) {
            return new Reservation(freshId, false, false);
        }
        return store.reserveIdempotencyKey(tenantId, key, hash, freshId, now.plus(idempotencyWindow))
                .map(e -> new Reservation(e.jobId(), true, !e.requestHash().equals(hash)))
                .orElseGet(() -> new Reservation(freshId, false, false));
    }

    private Job.Builder newJob(String id, String tenantId, JobRequest jr, Instant now) {
        return Job.builder()
                .id(id)
                .tenantId(tenantId)
                .tier(jr.tier())
                .modelId(catalog.modelIdFor(jr.tier()))
                .prompt(jr.prompt())
                .system(jr.system())
                .maxTokens(jr.maxTokens())
                .temperature(jr.temperature())
                .metadata(jr.metadata())
                .createdAt(now);
    }

    private static ApiResponse keyReused() {
        return Problem.conflict("idempotency_key_reused",
                "This Idempotency-Key was already used with a different request body.").toResponse();
    }

    private static ApiResponse batchAccepted(int status, Batch batch, List<Job> jobs) {
        return ApiResponse.json(status, BatchViews.view(batch, jobs, null))
                .withHeader("location", "/v1/batches/" + batch.id())
                .withHeader("retry-after", RETRY_AFTER_SECONDS);
    }

    private static ApiResponse accepted(int status, Job job) {
        return ApiResponse.json(status, JobViews.view(job))
                .withHeader("location", "/v1/jobs/" + job.id())
                .withHeader("retry-after", RETRY_AFTER_SECONDS);
    }

    static Optional<ApiResponse> requireJson(ApiRequest request) {
        String type = request.header("content-type");
        if (type == null || !type.toLowerCase(Locale.ROOT).trim().matches("application/(.+\\+)?json\\s*(;.*)?")) {
            return Optional.of(new Problem(415, "unsupported_media_type", "Unsupported media type",
                    "Send the body as 'Content-Type: application/json'.", null).toResponse());
        }
        return Optional.empty();
    }
}
