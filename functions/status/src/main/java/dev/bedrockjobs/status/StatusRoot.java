package dev.bedrockjobs.status;

import dev.bedrockjobs.core.adapter.AwsClients;
import dev.bedrockjobs.core.adapter.SqsLaneDepth;
import dev.bedrockjobs.core.api.LongPolls;
import dev.bedrockjobs.core.api.QueueEstimates;
import dev.bedrockjobs.core.api.StatusService;
import dev.bedrockjobs.core.api.UsageService;
import dev.bedrockjobs.core.domain.Lane;
import dev.bedrockjobs.lambda.Components;

import java.util.Map;

/** The status function's composition root: its service, built once per instance from the environment. */
public final class StatusRoot {
    /** The lanes' worker settings, which tell waiting messages from worked-on ones. */
    public static final String WORKER_BATCH_SIZE = "WORKER_BATCH_SIZE";
    public static final String WORKER_MAX_CONCURRENCY = "WORKER_MAX_CONCURRENCY";
    public static final String BULK_WORKER_MAX_CONCURRENCY = "BULK_WORKER_MAX_CONCURRENCY";
    /** See the template's LongPollsPerTenant. */
    public static final String LONG_POLLS_PER_TENANT = "LONG_POLLS_PER_TENANT";

    private StatusRoot() {
    }

    public static StatusService service(Map<String, String> env) {
        Components c = new Components(env);
        AwsClients aws = c.aws();
        // without the lanes' queues (a stack from before lanes), queued jobs show no place
        QueueEstimates estimates = aws.optional(Components.BULK_JOBS_QUEUE_URL, "").isEmpty() ? null
                : new QueueEstimates(c.laneStats(), new SqsLaneDepth(aws.sqs(), c.laneQueueUrls()),
                laneSlots(aws), c.clock());
        LongPolls longPolls = new LongPolls(c.limitCounters(), Integer.parseInt(aws.optional(LONG_POLLS_PER_TENANT,
                String.valueOf(LongPolls.DEFAULT_PER_TENANT))));
        return new StatusService(c.jobStore(), c.batchStore(), c.jobOutcomes(), c.webhookDeliveries(),
                c.webhookQueue(), new UsageService(c.usageMeter(), c.clock()), longPolls, c.clock(),
                d -> Thread.sleep(d.toMillis()), estimates);
    }

    /** Per lane, the most messages its workers hold at once: the mapping's maximum concurrency times the batch size. */
    private static Map<Lane, Long> laneSlots(AwsClients aws) {
        long batch = Long.parseLong(aws.optional(WORKER_BATCH_SIZE, "1"));
        return Map.of(Lane.INTERACTIVE, batch * Long.parseLong(aws.optional(WORKER_MAX_CONCURRENCY, "0")),
                Lane.BULK, batch * Long.parseLong(aws.optional(BULK_WORKER_MAX_CONCURRENCY, "0")));
    }
}
