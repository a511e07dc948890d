package dev.bedrockjobs.core.adapter;

import dev.bedrockjobs.core.api.ApiKeyAuthorizer;
import dev.bedrockjobs.core.api.StatusService;
import dev.bedrockjobs.core.api.SubmitService;
import dev.bedrockjobs.core.domain.JobRequestParser;
import dev.bedrockjobs.core.domain.RequestLimits;
import dev.bedrockjobs.core.domain.WebhookUrlPolicy;
import dev.bedrockjobs.core.model.ModelCatalog;
import dev.bedrockjobs.core.webhook.WebhookWiring;
import dev.bedrockjobs.core.work.JobOutcomes;
import dev.bedrockjobs.core.work.Reconciler;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * Builds each function's service from its environment, once per container. The environment names are the ones
 * template.yaml sets; the template test checks that every name read here is set there.
 */
public final class Wiring {
    public static final String JOBS_TABLE = "JOBS_TABLE";
    public static final String JOBS_QUEUE_URL = "JOBS_QUEUE_URL";
    public static final String RETENTION_DAYS = "RETENTION_DAYS";
    public static final String ALLOW_LOOPBACK_WEBHOOKS = "ALLOW_LOOPBACK_WEBHOOKS";
    public static final String JOBS_DLQ_URL = "JOBS_DLQ_URL";
    public static final String QUEUED_GRACE_SECONDS = "QUEUED_GRACE_SECONDS";

    private Wiring() {
    }

    public static SubmitService submitService(Map<String, String> env) {
        AwsClients aws = new AwsClients(env);
        ModelCatalog catalog = ModelCatalog.from(env);
        JobRequestParser parser = new JobRequestParser(catalog, RequestLimits.DEFAULT,
                new WebhookUrlPolicy(Boolean.parseBoolean(aws.optional(ALLOW_LOOPBACK_WEBHOOKS, "false"))));
        return new SubmitService(jobStore(aws), batchStore(aws),
                new SqsJobQueue(aws.sqs(), aws.required(JOBS_QUEUE_URL)), parser, catalog, Clock.systemUTC(),
                Duration.ofHours(24));
    }

    public static StatusService statusService(Map<String, String> env) {
        AwsClients aws = new AwsClients(env);
        return new StatusService(jobStore(aws), batchStore(aws), jobOutcomes(aws), WebhookWiring.deliveries(aws),
                WebhookWiring.queue(aws));
    }

    public static ApiKeyAuthorizer authorizer(Map<String, String> env) {
        AwsClients aws = new AwsClients(env);
        return new ApiKeyAuthorizer(new DynamoTenantStore(aws.dynamoDb(), aws.required(JOBS_TABLE)));
    }

    public static DynamoJobStore jobStore(AwsClients aws) {
        return new DynamoJobStore(aws.dynamoDb(), aws.required(JOBS_TABLE), retention(aws));
    }

    public static Reconciler reconciler(Map<String, String> env) {
        AwsClients aws = new AwsClients(env);
        return new Reconciler(jobStore(aws), batchStore(aws), jobOutcomes(aws),
                new SqsJobQueue(aws.sqs(), aws.required(JOBS_QUEUE_URL)),
                new SqsDeadLetters(aws.sqs(), aws.required(JOBS_DLQ_URL)), Clock.systemUTC(),
                Duration.ofSeconds(Long.parseLong(aws.optional(QUEUED_GRACE_SECONDS, "600"))));
    }

    public static JobOutcomes jobOutcomes(AwsClients aws) {
        return new JobOutcomes(jobStore(aws), batchStore(aws), WebhookWiring.queue(aws), Clock.systemUTC());
    }

    public static DynamoBatchStore batchStore(AwsClients aws) {
        return new DynamoBatchStore(aws.dynamoDb(), aws.required(JOBS_TABLE), retention(aws));
    }

    public static Duration retention(AwsClients aws) {
        return Duration.ofDays(Long.parseLong(aws.optional(RETENTION_DAYS, "30")));
    }
}
