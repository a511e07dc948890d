package dev.bedrockjobs.core.api;

import dev.bedrockjobs.core.domain.Batch;
import dev.bedrockjobs.core.domain.BatchRequest;
import dev.bedrockjobs.core.domain.BatchStatus;
import dev.bedrockjobs.core.domain.Ids;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobRequest;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.domain.Lane;
import dev.bedrockjobs.core.domain.ResponseCacheKey;
import dev.bedrockjobs.core.model.ModelCatalog;
import dev.bedrockjobs.core.port.BatchStore;
import dev.bedrockjobs.core.port.JobQueue;
import dev.bedrockjobs.core.port.JobStore;
import dev.bedrockjobs.core.port.LaneStats;
import dev.bedrockjobs.core.port.Page;
import dev.bedrockjobs.core.port.ResponseCache;
import dev.bedrockjobs.core.view.BatchViews;
import dev.bedrockjobs.core.view.JobViews;
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
 * POST /v1/jobs and POST /v1/batches. The job is written before its message is sent, so a crash in between leaves a queued job for the
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
    private final LaneStats lanes;

    /** @param lanes where each job takes its lane ticket; null: queued jobs then show no position */
    public SubmitService(
            JobStore store,
            BatchStore batches,
            JobQueue queue,
            JobRequestParser parser,
            ModelCatalog catalog,
            Clock clock,
            Duration idempotencyWindow,
            SubmitLimits limits,
            ResponseCache cache,
            JobOutcomes outcomes,
            LaneStats lanes) {
        this.lanes = lanes;
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

    /** POST /v1/jobs: one prompt. */
    public ApiResponse submit(ApiRequest request) {
        Optional<ApiResponse> unsupported = requireJson(request);
        if (unsupported.isPresent()) {
            return unsupported.get();
        }
        JobRequest jr = parser.parseJob(request.body(), request.header("idempotency-key"));
        String tenantId = request.tenantId();
        try (Admission admission = limits.admit(tenantId)) {
            Instant now = clock.instant();
            String hash = JobRequestParser.fingerprint(jr);
            Job.Builder draft = newJob(Ids.newJobId(now), tenantId, jr, now)
                    .request(r -> r.webhookUrl(jr.webhookUrl())
                            .idempotencyKey(jr.idempotencyKey())
                            .requestHash(hash));
            boolean useCache =
                    jr.cache() != null ? jr.cache() : admission.limits().cacheResponses();
            String cacheKey = useCache ? ResponseCacheKey.of(tenantId, catalog.modelIdFor(jr.tier()), jr) : null;
            Optional<Job.Result> hit = cacheKey == null ? Optional.empty() : cache.find(cacheKey, tenantId, now);
            if (hit.isPresent()) {
                // Nothing to count; with no webhook event owed either, it is settled from the start.
                draft.progress(p -> p.status(JobStatus.SUCCEEDED)
                                .result(hit.get())
                                .startedAt(now)
                                .finishedAt(now))
                        .accounting(a -> a.cached(true).usageRecorded(true).settled(jr.webhookUrl() == null));
            } else {
                draft = admission
                        .take(List.of(draft.request(r -> r.cacheKey(cacheKey)).build()))
                        .get(0)
                        .toBuilder();
            }
            Job drafted = draft.build();
            Reservation key = reserve(tenantId, JobStore.KeyScope.JOB, jr.idempotencyKey(), hash, drafted.id(), now);
            if (key.conflict()) {
                return keyReused();
            }
            if (key.earlier()) {
                Optional<Job> original = store.getOwned(tenantId, key.id());
                if (original.isPresent()) {
                    return accepted(200, original.get()); // the original holds its own
                }
                // The key was reserved but the job never written (a crash in between): finish that submission, with
                // what this request took.
            }
            Job job = drafted.toBuilder().id(key.id()).build();
            if (!job.accounting().cached()) {
                job = ticketed(List.of(job)).get(0);
            }
            if (!create(job)) {
                Optional<Job> existing = store.getOwned(tenantId, job.id());
                if (existing.isEmpty()) {
                    return Problem.internal(request.requestId()).toResponse();
                }
                if (!existing.get().progress().createdAt().equals(job.progress().createdAt())) {
                    // A concurrent replay of the same idempotent request created it: answer with what it created.
                    return accepted(200, existing.get());
                }
                // Our own write, applied by an attempt whose answer was lost: carry on.
            }
            admission.commit();
            if (job.accounting().cached()) {
                outcomes.jobFinished(job); // its webhook, exactly as the worker would send it
                return accepted(202, job);
            }
            try {
                queue.send(JobQueue.JobMessage.of(job));
            } catch (RuntimeException e) {
                // The job is durable and stays queued; the reconciler re-enqueues queued jobs that have no message.
                LOG.log(
                        Level.WARNING,
                        "job " + job.id() + " stored but not enqueued; the reconciler will re-drive it",
                        e);
            }
            return accepted(202, job);
        }
    }

    /**
     * Writes a new job. @return false if the write was refused (a job with its id is there) or failed (perhaps applied
     * with every answer lost): the caller reads the job to learn whether it is stored, and by whom
     */
    private boolean create(Job job) {
        try {
            return store.create(job);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "job " + job.id() + " not written, or written with its answer lost", e);
            return false;
        }
    }

    /**
     * POST /v1/batches: all items validated first (nothing is written if any is bad), then the batch record, then the
     * jobs in bulk, then the messages in parallel batches of ten. The batch record (with the parts that count its
     * items) goes first so that no job is ever stored without it: a worker counts every job it claims in its batch. A
     * submit that stops in between leaves a batch short of jobs, which a replay with the same key finishes and the
     * reconciler otherwise cancels.
     */
    public ApiResponse submitBatch(ApiRequest request) {
        Optional<ApiResponse> unsupported = requireJson(request);
        if (unsupported.isPresent()) {
            return unsupported.get();
        }
        BatchRequest br = parser.parseBatch(request.body(), request.header("idempotency-key"));
        String tenantId = request.tenantId();
        try (Admission admission = limits.admit(tenantId)) {
            if (br.lane() == Lane.INTERACTIVE && !admission.limits().interactiveBatches()) {
                return Problem.forbidden(
                                "interactive_batches_not_allowed",
                                "This tenant's batches run in the bulk "
                                        + "lane; an operator allows 'priority: interactive' with 'admin limits set "
                                        + "--interactive-batches true'.")
                        .toResponse();
            }
            Instant now = clock.instant();
            String hash = JobRequestParser.fingerprint(br);
            String freshId = Ids.newBatchId(now);
            List<Job> fresh = admission.take(batchJobs(freshId, tenantId, br, now));
            Reservation key = reserve(tenantId, JobStore.KeyScope.BATCH, br.idempotencyKey(), hash, freshId, now);
            if (key.conflict()) {
                return keyReused();
            }
            if (key.earlier()) {
                // An earlier request owns this key, and its jobs what they hold: what this one took is released.
                return replay(key.id(), tenantId, br, hash, now);
            }
            Batch batch =
                    Batch.accepted(freshId, tenantId, now, fresh.size(), br.webhookUrl(), br.idempotencyKey(), hash);
            fresh = ticketed(fresh);
            batches.create(batch);
            createAll(fresh, admission);
            enqueue(batch.id(), fresh);
            return batchAccepted(202, batch, fresh);
        }
    }

    /**
     * Answers a request whose key an earlier one reserved with the earlier batch, finishing it first if that request
     * stopped part way (before its batch record, or before all its jobs). The jobs are written as the earlier request
     * meant them, one by one and conditionally, holding nothing: those it wrote are left alone, with what they hold.
     * Just after the earlier request, the index may not show all its jobs yet; finishing it again only repeats
     * refused writes and harmless messages.
     */
    private ApiResponse replay(String batchId, String tenantId, BatchRequest br, String hash, Instant now) {
        Optional<Batch> original = batches.getOwned(tenantId, batchId);
        if (original.isPresent()) {
            Page<Job> first = store.listByBatch(batchId, JobRequestParser.MAX_BATCH_ITEMS, null);
            int stored = first.items().size();
            for (String cursor = first.nextCursor(); cursor != null; ) {
                Page<Job> page = store.listByBatch(batchId, JobRequestParser.MAX_BATCH_ITEMS, cursor);
                stored += page.items().size();
                cursor = page.nextCursor();
            }
            if (original.get().status() != BatchStatus.RUNNING
                    || stored >= original.get().total()) {
                return batchAccepted(200, original.get(), first.items());
            }
        }
        Batch batch = original.orElseGet(() ->
                Batch.accepted(batchId, tenantId, now, br.items().size(), br.webhookUrl(), br.idempotencyKey(), hash));
        batches.create(batch); // conditional: a record that is there, and its parts, are left as they are
        List<Job> jobs = batchJobs(batchId, tenantId, br, batch.createdAt());
        jobs.forEach(store::create);
        enqueue(batchId, jobs);
        return batchAccepted(202, batch, jobs);
    }

    /**
     * Writes a fresh batch's jobs in bulk and commits what they took. The bulk write goes in parallel parts, so one
     * that fails may leave some jobs stored: those are found with a consistent read each and keep what they hold
     * (unless a concurrent replay stored its own copy, holding nothing). A job that cannot be read is taken as not
     * stored (DynamoDB failing both calls, yet having applied the write, is the one case where its hold would then
     * be released twice).
     */
    private void createAll(List<Job> jobs, Admission admission) {
        try {
            store.createAll(jobs);
        } catch (RuntimeException e) {
            List<Job> stored = new ArrayList<>();
            try {
                for (Job j : jobs) {
                    store.get(j.id())
                            .filter(found -> found.accounting().holdsActiveSlot()
                                            == j.accounting().holdsActiveSlot()
                                    && found.accounting().reservedTokens()
                                            == j.accounting().reservedTokens())
                            .ifPresent(found -> stored.add(j));
                }
            } catch (RuntimeException unreadable) {
                e.addSuppressed(unreadable);
            }
            admission.commit(stored);
            throw e;
        }
        admission.commit();
    }

    /**
     * The jobs (all of one lane) with consecutive tickets of their lane, in order: one write however many. Without a
     * ticket a job runs all the same and only its view lacks a queue position, so a failure here fails nothing.
     */
    private List<Job> ticketed(List<Job> jobs) {
        if (lanes == null || jobs.isEmpty()) {
            return jobs;
        }
        long first;
        try {
            first = lanes.takeTickets(jobs.get(0).request().lane(), jobs.size());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "no lane tickets taken; these jobs will show no queue position", e);
            return jobs;
        }
        List<Job> out = new ArrayList<>(jobs.size());
        for (int i = 0; i < jobs.size(); i++) {
            long ticket = first + i;
            out.add(jobs.get(i).toBuilder().progress(p -> p.ticket(ticket)).build());
        }
        return out;
    }

    /** Sends the jobs' messages; a job whose message is not sent stays queued, and the reconciler re-drives it. */
    private void enqueue(String batchId, List<Job> jobs) {
        List<JobQueue.JobMessage> messages =
                jobs.stream().map(JobQueue.JobMessage::of).toList();
        List<JobQueue.JobMessage> unsent = queue.sendAll(messages);
        if (!unsent.isEmpty()) {
            LOG.warning("batch " + batchId + ": " + unsent.size() + " of " + messages.size()
                    + " messages not sent; the reconciler will re-drive those jobs");
        }
    }

    private List<Job> batchJobs(String batchId, String tenantId, BatchRequest br, Instant now) {
        List<Job> jobs = new ArrayList<>(br.items().size());
        for (int i = 0; i < br.items().size(); i++) {
            BatchRequest.Item item = br.items().get(i);
            int index = i;
            jobs.add(newJob(Ids.jobIdInBatch(batchId, i), tenantId, item.request(), now)
                    .request(r -> r.batchId(batchId)
                            .customId(item.customId())
                            .itemIndex(index)
                            .lane(br.lane() == null ? Lane.BULK : br.lane()))
                    .build());
        }
        return jobs;
    }

    /** Where an idempotency key stands: new (the fresh id is ours), replayed (an earlier id), or reused. */
    private record Reservation(String id, boolean earlier, boolean conflict) {}

    private Reservation reserve(
            String tenantId, JobStore.KeyScope scope, String key, String hash, String freshId, Instant now) {
        if (key == null) {
            return new Reservation(freshId, false, false);
        }
        return store.reserveIdempotencyKey(tenantId, scope, key, hash, freshId, now.plus(idempotencyWindow))
                .map(e -> new Reservation(e.jobId(), true, !e.requestHash().equals(hash)))
                .orElseGet(() -> new Reservation(freshId, false, false));
    }

    private Job.Builder newJob(String id, String tenantId, JobRequest jr, Instant now) {
        return Job.builder()
                .id(id)
                .tenantId(tenantId)
                .request(r -> r
                        .tier(jr.tier())
                        .modelId(catalog.modelIdFor(jr.tier()))
                        .prompt(jr.prompt())
                        .system(jr.system())
                        .maxTokens(jr.maxTokens())
                        .temperature(jr.temperature())
                        .metadata(jr.metadata())
                        .lane(jr.lane())
                        .stream(jr.stream()))
                .progress(p -> p.createdAt(now));
    }

    private static ApiResponse keyReused() {
        return Problem.conflict(
                        "idempotency_key_reused",
                        "This Idempotency-Key was already used with a different request body.")
                .toResponse();
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
            return Optional.of(new Problem(
                            415,
                            "unsupported_media_type",
                            "Unsupported media type",
                            "Send the body as 'Content-Type: application/json'.",
                            null)
                    .toResponse());
        }
        return Optional.empty();
    }
}
