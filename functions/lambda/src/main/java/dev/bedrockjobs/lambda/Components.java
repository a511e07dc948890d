package dev.bedrockjobs.lambda;

import dev.bedrockjobs.core.adapter.AwsClients;
import dev.bedrockjobs.core.adapter.DynamoApiKeys;
import dev.bedrockjobs.core.adapter.DynamoBatchStore;
import dev.bedrockjobs.core.adapter.DynamoJobOutput;
import dev.bedrockjobs.core.adapter.DynamoJobStore;
import dev.bedrockjobs.core.adapter.DynamoLaneStats;
import dev.bedrockjobs.core.adapter.DynamoLimitCounters;
import dev.bedrockjobs.core.adapter.DynamoResponseCache;
import dev.bedrockjobs.core.adapter.DynamoTenantLimitOverrides;
import dev.bedrockjobs.core.adapter.DynamoTenants;
import dev.bedrockjobs.core.adapter.DynamoUsageMeter;
import dev.bedrockjobs.core.adapter.DynamoWebhookDeliveries;
import dev.bedrockjobs.core.adapter.EmfJobMetrics;
import dev.bedrockjobs.core.adapter.MeteredJobStore;
import dev.bedrockjobs.core.adapter.MeteredWebhookDeliveries;
import dev.bedrockjobs.core.adapter.SqsJobQueue;
import dev.bedrockjobs.core.adapter.SqsVisibility;
import dev.bedrockjobs.core.adapter.SqsWebhookQueue;
import dev.bedrockjobs.core.domain.Lane;
import dev.bedrockjobs.core.port.ApiKeys;
import dev.bedrockjobs.core.port.BatchStore;
import dev.bedrockjobs.core.port.JobMetrics;
import dev.bedrockjobs.core.port.JobOutput;
import dev.bedrockjobs.core.port.JobStore;
import dev.bedrockjobs.core.port.LaneStats;
import dev.bedrockjobs.core.port.LimitCounters;
import dev.bedrockjobs.core.port.MessageVisibility;
import dev.bedrockjobs.core.port.ResponseCache;
import dev.bedrockjobs.core.port.TenantLimitOverrides;
import dev.bedrockjobs.core.port.Tenants;
import dev.bedrockjobs.core.port.UsageMeter;
import dev.bedrockjobs.core.port.WebhookDeliveries;
import dev.bedrockjobs.core.port.WebhookQueue;
import dev.bedrockjobs.core.webhook.WebhookAddressGuard;
import dev.bedrockjobs.core.work.JobOutcomes;
import dev.bedrockjobs.core.work.TenantLedger;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The parts every function's composition root shares, built from the environment template.yaml sets, each at most
 * once per instance: one DynamoDB and one SQS client, one store per concept, one queue per lane. Decorators are
 * applied here and nowhere else, so whichever function writes a job or records a delivery reports it as a metric.
 * The template test checks that every variable read here is set for the function that reads it.
 */
public final class Components {
    public static final String JOBS_TABLE = "JOBS_TABLE";
    /** The interactive lane's queue. */
    public static final String JOBS_QUEUE_URL = "JOBS_QUEUE_URL";
    /** The bulk lane's queue; without it, bulk jobs go to the interactive lane's queue. */
    public static final String BULK_JOBS_QUEUE_URL = "BULK_JOBS_QUEUE_URL";

    public static final String JOBS_DLQ_URL = "JOBS_DLQ_URL";
    public static final String BULK_JOBS_DLQ_URL = "BULK_JOBS_DLQ_URL";
    public static final String WEBHOOKS_QUEUE_URL = "WEBHOOKS_QUEUE_URL";
    public static final String RETENTION_HOURS = "RETENTION_HOURS";
    public static final String ALLOW_LOOPBACK_WEBHOOKS = "ALLOW_LOOPBACK_WEBHOOKS";
    /** The ports receivers may listen on, comma separated (template parameter WebhookAllowedPorts). */
    public static final String WEBHOOK_ALLOWED_PORTS = "WEBHOOK_ALLOWED_PORTS";

    public static final String RECONCILE_GRACE_SECONDS = "RECONCILE_GRACE_SECONDS";
    public static final String CACHE_TTL_SECONDS = "CACHE_TTL_SECONDS";

    private final AwsClients aws;
    private final Map<String, Object> built = new HashMap<>();

    public Components(Map<String, String> env) {
        this.aws = new AwsClients(env);
    }

    public AwsClients aws() {
        return aws;
    }

    public Clock clock() {
        return Clock.systemUTC();
    }

    private String table() {
        return aws.required(JOBS_TABLE);
    }

    @SuppressWarnings("unchecked")
    private synchronized <T> T once(String name, Supplier<T> make) {
        Object made = built.get(name);
        if (made == null) {
            made = make.get();
            built.put(name, made);
        }
        return (T) made;
    }

    public JobMetrics metrics() {
        return once("metrics", () -> EmfJobMetrics.fromEnvironment(aws.env()));
    }

    /** Every function's job store reports the writes that store or end a job, whichever function makes them. */
    public JobStore jobStore() {
        return once(
                "jobStore",
                () -> new MeteredJobStore(new DynamoJobStore(aws.dynamoDb(), table(), retention()), metrics()));
    }

    public BatchStore batchStore() {
        return once("batchStore", () -> new DynamoBatchStore(aws.dynamoDb(), table(), retention()));
    }

    public ApiKeys apiKeys() {
        return once("apiKeys", () -> new DynamoApiKeys(aws.dynamoDb(), table()));
    }

    public Tenants tenants() {
        return once("tenants", () -> new DynamoTenants(aws.dynamoDb(), table()));
    }

    public TenantLimitOverrides tenantLimitOverrides() {
        return once("tenantLimitOverrides", () -> new DynamoTenantLimitOverrides(aws.dynamoDb(), table()));
    }

    public UsageMeter usageMeter() {
        return once("usageMeter", () -> new DynamoUsageMeter(aws.dynamoDb(), table()));
    }

    public LimitCounters limitCounters() {
        return once("limitCounters", () -> new DynamoLimitCounters(aws.dynamoDb(), table()));
    }

    public ResponseCache responseCache() {
        return once("responseCache", () -> new DynamoResponseCache(aws.dynamoDb(), table()));
    }

    /** A job's answer as its model call streams it, piece by piece. */
    public JobOutput jobOutput() {
        return once("jobOutput", () -> new DynamoJobOutput(aws.dynamoDb(), table(), retention(), clock()));
    }

    /** Lane tickets and throughput, for the queue position and ETA of a queued job. */
    public LaneStats laneStats() {
        return once("laneStats", () -> new DynamoLaneStats(aws.dynamoDb(), table()));
    }

    /** Every function's delivery log reports its attempts as metrics, as the job store reports its writes. */
    public WebhookDeliveries webhookDeliveries() {
        return once(
                "webhookDeliveries",
                () -> new MeteredWebhookDeliveries(
                        new DynamoWebhookDeliveries(aws.dynamoDb(), table(), retention()), metrics()));
    }

    /** The queue of each lane, as the submit function and the reconciler send to them. */
    public SqsJobQueue jobQueue() {
        return once("jobQueue", () -> new SqsJobQueue(aws.sqs(), laneQueueUrls()));
    }

    public Map<Lane, String> laneQueueUrls() {
        Map<Lane, String> urls = new EnumMap<>(Lane.class);
        urls.put(Lane.INTERACTIVE, aws.required(JOBS_QUEUE_URL));
        urls.put(Lane.BULK, aws.optional(BULK_JOBS_QUEUE_URL, aws.required(JOBS_QUEUE_URL)));
        return urls;
    }

    /** The queue to send webhook events to, for the worker, batch progress and replays. */
    public WebhookQueue webhookQueue() {
        return once("webhookQueue", () -> new SqsWebhookQueue(aws.sqs(), aws.required(WEBHOOKS_QUEUE_URL)));
    }

    public MessageVisibility visibility(String queueUrl) {
        return once("visibility " + queueUrl, () -> new SqsVisibility(aws.sqs(), queueUrl));
    }

    /** The address guard as the deployment sets it: loopback receivers (the local runtime only) and ports. */
    public WebhookAddressGuard webhookGuard() {
        return once(
                "webhookGuard",
                () -> new WebhookAddressGuard(
                        Boolean.parseBoolean(aws.optional(ALLOW_LOOPBACK_WEBHOOKS, "false")),
                        WebhookAddressGuard.SYSTEM_DNS,
                        WebhookAddressGuard.parsePorts(aws.optional(WEBHOOK_ALLOWED_PORTS, ""))));
    }

    public TenantLedger tenantLedger() {
        return once("tenantLedger", () -> new TenantLedger(usageMeter(), limitCounters(), responseCache(), cacheTtl()));
    }

    public JobOutcomes jobOutcomes() {
        return once(
                "jobOutcomes",
                () -> new JobOutcomes(
                        jobStore(), batchStore(), webhookQueue(), clock(), tenantLedger(), reconcileGrace()));
    }

    /** How long jobs, batches and delivery logs are kept (DynamoDB TTL): 1 hour to 1 year, default 30 days. */
    public Duration retention() {
        long hours = Long.parseLong(aws.optional(RETENTION_HOURS, "720"));
        if (hours < 1 || hours > 8760) {
            throw new IllegalStateException(RETENTION_HOURS + " must be from 1 to 8760, not " + hours);
        }
        return Duration.ofHours(hours);
    }

    /** See the template's ReconcileGraceSeconds. */
    public Duration reconcileGrace() {
        return Duration.ofSeconds(Long.parseLong(aws.optional(RECONCILE_GRACE_SECONDS, "600")));
    }

    public Duration cacheTtl() {
        return Duration.ofSeconds(Long.parseLong(aws.optional(CACHE_TTL_SECONDS, "86400")));
    }
}
