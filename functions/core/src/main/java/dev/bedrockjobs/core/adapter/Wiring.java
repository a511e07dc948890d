package dev.bedrockjobs.core.adapter;

import dev.bedrockjobs.core.api.ApiKeyAuthorizer;
import dev.bedrockjobs.core.api.LongPolls;
import dev.bedrockjobs.core.api.QueueEstimates;
import dev.bedrockjobs.core.api.StatusService;
import dev.bedrockjobs.core.api.SubmitLimits;
import dev.bedrockjobs.core.api.SubmitService;
import dev.bedrockjobs.core.api.UsageService;
import dev.bedrockjobs.core.domain.JobRequestParser;
import dev.bedrockjobs.core.domain.Lane;
import dev.bedrockjobs.core.domain.RequestLimits;
import dev.bedrockjobs.core.domain.TenantLimits;
import dev.bedrockjobs.core.domain.WebhookUrlPolicy;
import dev.bedrockjobs.core.model.ModelCatalog;
import dev.bedrockjobs.core.port.JobStore;
import dev.bedrockjobs.core.model.Pricing;
import dev.bedrockjobs.core.webhook.WebhookWiring;
import dev.bedrockjobs.core.work.JobOutcomes;
import dev.bedrockjobs.core.work.Reconciler;
import dev.bedrockjobs.core.work.TenantLedger;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Builds each function's service from its environment, once per container. The environment names are the ones
 * template.yaml sets; the template test checks that every name read here is set there.
 */
public final class Wiring {
    public static final String JOBS_TABLE = "JOBS_TABLE";
    /** The interactive lane's queue. */
    public static final String JOBS_QUEUE_URL = "JOBS_QUEUE_URL";
    /** The bulk lane's queue; without it, bulk jobs go to the interactive lane's queue. */
    public static final String BULK_JOBS_QUEUE_URL = "BULK_JOBS_QUEUE_URL";
    public static final String BULK_JOBS_DLQ_URL = "BULK_JOBS_DLQ_URL";
    /** The lanes' worker settings, which the status function reads to tell waiting messages from worked-on ones. */
    public static final String WORKER_BATCH_SIZE = "WORKER_BATCH_SIZE";
    public static final String WORKER_MAX_CONCURRENCY = "WORKER_MAX_CONCURRENCY";
    public static final String BULK_WORKER_MAX_CONCURRENCY = "BULK_WORKER_MAX_CONCURRENCY";
    public static final String RETENTION_HOURS = "RETENTION_HOURS";
    public static final String ALLOW_LOOPBACK_WEBHOOKS = "ALLOW_LOOPBACK_WEBHOOKS";
    public static final String JOBS_DLQ_URL = "JOBS_DLQ_URL";
    public static final String RECONCILE_GRACE_SECONDS = "RECONCILE_GRACE_SECONDS";
    public static final String CACHE_TTL_SECONDS = "CACHE_TTL_SECONDS";
    public static final String LONG_POLLS_PER_TENANT = "LONG_POLLS_PER_TENANT";
    /** How long a submit function instance keeps a tenant's own limits before reading them again. */
    static final Duration TENANT_SETTINGS_TTL = Duration.ofSeconds(30);

    private Wiring() {
    }

    public static SubmitService submitService(Map<String, String> env) {
        AwsClients aws = new AwsClients(env);
        ModelCatalog catalog = ModelCatalog.from(env);
        JobRequestParser parser = new JobRequestParser(catalog, RequestLimits.DEFAULT,
                new WebhookUrlPolicy(WebhookWiring.guard(aws)));
        SubmitLimits limits = new SubmitLimits(new DynamoTenantStore(aws.dynamoDb(), aws.required(JOBS_TABLE)),
                TenantLimits.fromEnvironment(env), limitCounters(aws), usageMeter(aws), Pricing.load(),
                Clock.systemUTC(), TENANT_SETTINGS_TTL);
        return new SubmitService(jobStore(aws), batchStore(aws),
                jobQueue(aws), parser, catalog, Clock.systemUTC(),
                Duration.ofHours(24), limits, responseCache(aws), jobOutcomes(aws), laneStats(aws));
    }

    public static StatusService statusService(Map<String, String> env) {
        AwsClients aws = new AwsClients(env);
        // without the lanes' queues (a stack from before lanes), queued jobs show no place
        QueueEstimates estimates = aws.optional(BULK_JOBS_QUEUE_URL, "").isEmpty() ? null
                : new QueueEstimates(laneStats(aws), new SqsLaneDepth(aws.sqs(), laneQueueUrls(aws)),
                laneSlots(aws), Clock.systemUTC());
        return new StatusService(jobStore(aws), batchStore(aws), jobOutcomes(aws), WebhookWiring.deliveries(aws),
                WebhookWiring.queue(aws), new UsageService(usageMeter(aws), Clock.systemUTC()), longPolls(aws),
                Clock.systemUTC(), d -> Thread.sleep(d.toMillis()), estimates);
    }

    /** See the template's LongPollsPerTenant. */
    static LongPolls longPolls(AwsClients aws) {
        return new LongPolls(limitCounters(aws), Integer.parseInt(aws.optional(LONG_POLLS_PER_TENANT,
                String.valueOf(LongPolls.DEFAULT_PER_TENANT))));
    }

    public static ApiKeyAuthorizer authorizer(Map<String, String> env) {
        AwsClients aws = new AwsClients(env);
        return new ApiKeyAuthorizer(new DynamoTenantStore(aws.dynamoDb(), aws.required(JOBS_TABLE)));
    }

    /**
     * The job store of every function, reporting the writes that store or end a job as metrics: whichever function
     * makes such a write (a cancel through the API, a dead letter failed by the reconciler) counts it.
     */
    public static JobStore jobStore(AwsClients aws) {
        return new MeteredJobStore(new DynamoJobStore(aws.dynamoDb(), aws.required(JOBS_TABLE), retention(aws)),
                EmfJobMetrics.fromEnvironment(aws.env()));
    }

    public static Reconciler reconciler(Map<String, String> env) {
        AwsClients aws = new AwsClients(env);
        SqsDeadLetters interactive = new SqsDeadLetters(aws.sqs(), aws.required(JOBS_DLQ_URL));
        String bulkDlq = aws.optional(BULK_JOBS_DLQ_URL, "");
        SqsDeadLetters bulk = bulkDlq.isEmpty() ? null : new SqsDeadLetters(aws.sqs(), bulkDlq);
        return new Reconciler(jobStore(aws), batchStore(aws), jobOutcomes(aws), jobQueue(aws),
                max -> {
                    List<String> ids = new ArrayList<>(interactive.jobIds(max));
                    if (bulk != null && ids.size() < max) {
                        ids.addAll(bulk.jobIds(max - ids.size()));
                    }
                    return ids;
                }, Clock.systemUTC(), reconcileGrace(aws));
    }

    /** The queue of each lane, as the submit function and the reconciler send to them. */
    public static SqsJobQueue jobQueue(AwsClients aws) {
        return new SqsJobQueue(aws.sqs(), laneQueueUrls(aws));
    }

    private static Map<Lane, String> laneQueueUrls(AwsClients aws) {
        Map<Lane, String> urls = new EnumMap<>(Lane.class);
        urls.put(Lane.INTERACTIVE, aws.required(JOBS_QUEUE_URL));
        urls.put(Lane.BULK, aws.optional(BULK_JOBS_QUEUE_URL, aws.required(JOBS_QUEUE_URL)));
        return urls;
    }

    /** Per lane, the most messages its workers hold at once: the mapping's maximum concurrency times the batch size. */
    private static Map<Lane, Long> laneSlots(AwsClients aws) {
        long batch = Long.parseLong(aws.optional(WORKER_BATCH_SIZE, "1"));
        return Map.of(Lane.INTERACTIVE, batch * Long.parseLong(aws.optional(WORKER_MAX_CONCURRENCY, "0")),
                Lane.BULK, batch * Long.parseLong(aws.optional(BULK_WORKER_MAX_CONCURRENCY, "0")));
    }

    /** Lane tickets and throughput, for the queue position and ETA of a queued job. */
    public static DynamoLaneStats laneStats(AwsClients aws) {
        return new DynamoLaneStats(aws.dynamoDb(), aws.required(JOBS_TABLE));
    }

    public static JobOutcomes jobOutcomes(AwsClients aws) {
        return new JobOutcomes(jobStore(aws), batchStore(aws), WebhookWiring.queue(aws), Clock.systemUTC(),
                tenantLedger(aws), reconcileGrace(aws));
    }

    /** See the template's ReconcileGraceSeconds. */
    static Duration reconcileGrace(AwsClients aws) {
        return Duration.ofSeconds(Long.parseLong(aws.optional(RECONCILE_GRACE_SECONDS, "600")));
    }

    public static TenantLedger tenantLedger(AwsClients aws) {
        return new TenantLedger(usageMeter(aws), limitCounters(aws), responseCache(aws), cacheTtl(aws));
    }

    public static DynamoResponseCache responseCache(AwsClients aws) {
        return new DynamoResponseCache(aws.dynamoDb(), aws.required(JOBS_TABLE));
    }

    public static Duration cacheTtl(AwsClients aws) {
        return Duration.ofSeconds(Long.parseLong(aws.optional(CACHE_TTL_SECONDS, "86400")));
    }

    public static DynamoUsageMeter usageMeter(AwsClients aws) {
        return new DynamoUsageMeter(aws.dynamoDb(), aws.required(JOBS_TABLE));
    }

    public static DynamoLimitCounters limitCounters(AwsClients aws) {
        return new DynamoLimitCounters(aws.dynamoDb(), aws.required(JOBS_TABLE));
    }

    public static DynamoBatchStore batchStore(AwsClients aws) {
        return new DynamoBatchStore(aws.dynamoDb(), aws.required(JOBS_TABLE), retention(aws));
    }

    /** How long jobs, batches and delivery logs are kept (DynamoDB TTL): 1 hour to 1 year, default 30 days. */
    public static Duration retention(AwsClients aws) {
        long hours = Long.parseLong(aws.optional(RETENTION_HOURS, "720"));
        if (hours < 1 || hours > 8760) {
            throw new IllegalStateException(RETENTION_HOURS + " must be from 1 to 8760, not " + hours);
        }
        return Duration.ofHours(hours);
    }
}
