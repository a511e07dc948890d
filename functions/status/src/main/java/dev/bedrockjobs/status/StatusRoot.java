package dev.bedrockjobs.status;

import dev.bedrockjobs.core.adapter.AwsClients;
import dev.bedrockjobs.core.adapter.SqsLaneDepth;
import dev.bedrockjobs.core.api.BatchesService;
import dev.bedrockjobs.core.api.DeliveriesService;
import dev.bedrockjobs.core.api.EventsService;
import dev.bedrockjobs.core.api.JobsService;
import dev.bedrockjobs.core.api.LongPolls;
import dev.bedrockjobs.core.api.OutputService;
import dev.bedrockjobs.core.api.QueueEstimates;
import dev.bedrockjobs.core.api.Routes;
import dev.bedrockjobs.core.api.UsageService;
import dev.bedrockjobs.core.domain.Lane;
import dev.bedrockjobs.lambda.Components;
import java.util.Map;

/**
 * The status function's composition root: its services and their routes, built once per instance, and the service
 * of its one route that can also stream.
 */
public record StatusRoot(Routes routes, EventsService events) {
    /** The lanes' worker settings, which tell waiting messages from worked-on ones. */
    public static final String WORKER_BATCH_SIZE = "WORKER_BATCH_SIZE";

    public static final String WORKER_MAX_CONCURRENCY = "WORKER_MAX_CONCURRENCY";
    public static final String BULK_WORKER_MAX_CONCURRENCY = "BULK_WORKER_MAX_CONCURRENCY";
    /** See the template's LongPollsPerTenant. */
    public static final String LONG_POLLS_PER_TENANT = "LONG_POLLS_PER_TENANT";

    public static StatusRoot of(Map<String, String> env) {
        Components c = new Components(env);
        AwsClients aws = c.aws();
        // without the lanes' queues (a stack from before lanes), queued jobs show no place
        QueueEstimates estimates = aws.optional(Components.BULK_JOBS_QUEUE_URL, "")
                        .isEmpty()
                ? null
                : new QueueEstimates(
                        c.laneStats(), new SqsLaneDepth(aws.sqs(), c.laneQueueUrls()), laneSlots(aws), c.clock());
        LongPolls longPolls = new LongPolls(
                c.limitCounters(),
                Integer.parseInt(aws.optional(LONG_POLLS_PER_TENANT, String.valueOf(LongPolls.DEFAULT_PER_TENANT))),
                c.clock(),
                LongPolls.Sleeper.REAL);
        OutputService output = new OutputService(c.jobStore(), c.jobOutput(), longPolls);
        EventsService events = new EventsService(output, longPolls);
        Routes routes = routes(
                new JobsService(
                        c.jobStore(),
                        c.batchStore(),
                        c.jobOutcomes(),
                        c.webhookDeliveries(),
                        longPolls,
                        c.clock(),
                        estimates),
                output,
                events,
                new BatchesService(c.jobStore(), c.batchStore(), c.jobOutcomes(), c.clock()),
                new DeliveriesService(c.jobStore(), c.webhookDeliveries(), c.webhookQueue(), c.clock()),
                new UsageService(c.usageMeter(), c.clock()));
        return new StatusRoot(routes, events);
    }

    /**
     * Every route of the template's StatusFunction but {@code GET /healthz} (which {@link StatusHandler} answers
     * without a tenant), by the route key API Gateway sends.
     */
    static Routes routes(
            JobsService jobs,
            OutputService output,
            EventsService events,
            BatchesService batches,
            DeliveriesService deliveries,
            UsageService usage) {
        return Routes.builder()
                .route("GET /v1/jobs", jobs::list)
                .route("GET /v1/jobs/{id}", jobs::get)
                .route("DELETE /v1/jobs/{id}", jobs::cancel)
                .route("GET /v1/jobs/{id}/output", output::get)
                .route(StatusHandler.EVENTS, events::get)
                .route("GET /v1/batches/{id}", batches::get)
                .route("GET /v1/batches/{id}/results", batches::results)
                .route("DELETE /v1/batches/{id}", batches::cancel)
                .route("GET /v1/jobs/{id}/webhook-deliveries", deliveries::list)
                .route("POST /v1/jobs/{id}/webhook-deliveries/replay", deliveries::replay)
                .route("GET /v1/usage", usage::report)
                .build();
    }

    /** Per lane, the most messages its workers hold at once: the mapping's maximum concurrency times the batch size. */
    private static Map<Lane, Long> laneSlots(AwsClients aws) {
        long batch = Long.parseLong(aws.optional(WORKER_BATCH_SIZE, "1"));
        return Map.of(
                Lane.INTERACTIVE,
                batch * Long.parseLong(aws.optional(WORKER_MAX_CONCURRENCY, "0")),
                Lane.BULK,
                batch * Long.parseLong(aws.optional(BULK_WORKER_MAX_CONCURRENCY, "0")));
    }
}
