package dev.bedrockjobs.core.adapter;

import dev.bedrockjobs.core.model.Pricing;
import dev.bedrockjobs.core.port.MessageVisibility;
import dev.bedrockjobs.core.work.JobMessages;
import dev.bedrockjobs.core.work.RedeliveryBackoff;
import dev.bedrockjobs.core.work.WorkerService;
import software.amazon.awssdk.services.sfn.SfnClient;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The worker's wiring, apart from {@link Wiring} because only the worker's jar carries the Step Functions client.
 */
public final class WorkerWiring {
    public static final String STATE_MACHINE_ARN = "STATE_MACHINE_ARN";
    public static final String MAX_RECEIVE_COUNT = "MAX_RECEIVE_COUNT";
    public static final String LEASE_SECONDS = "LEASE_SECONDS";

    private WorkerWiring() {
    }

    /**
     * What the worker handler runs: the worker, and visibility changes for its retries on the queue each message came
     * from (the worker reads both lanes).
     */
    public static JobMessages jobMessages(Map<String, String> env) {
        AwsClients aws = new AwsClients(env);
        Map<String, MessageVisibility> byQueueName = new HashMap<>();
        MessageVisibility interactive = new SqsVisibility(aws.sqs(), aws.required(Wiring.JOBS_QUEUE_URL));
        byQueueName.put(queueName(aws.required(Wiring.JOBS_QUEUE_URL)), interactive);
        String bulk = aws.optional(Wiring.BULK_JOBS_QUEUE_URL, "");
        if (!bulk.isEmpty()) {
            byQueueName.put(queueName(bulk), new SqsVisibility(aws.sqs(), bulk));
        }
        // An event source ARN ends with the queue's name, as its URL does.
        return new JobMessages(workerService(aws), eventSourceArn -> eventSourceArn == null ? interactive
                : byQueueName.getOrDefault(queueName(eventSourceArn.replace(':', '/')), interactive),
                RedeliveryBackoff.STANDARD);
    }

    private static String queueName(String urlOrPath) {
        return urlOrPath.substring(urlOrPath.lastIndexOf('/') + 1);
    }

    public static WorkerService workerService(Map<String, String> env) {
        return workerService(new AwsClients(env));
    }

    private static WorkerService workerService(AwsClients aws) {
        Duration lease = Duration.ofSeconds(Long.parseLong(aws.optional(LEASE_SECONDS, "330")));
        // A synchronous Express execution may run for minutes, and it is at-most-once: wait long, never re-send.
        SfnClient sfn = aws.configure(SfnClient.builder(), "SFN", lease, false).build();
        return new WorkerService(Wiring.jobStore(aws), Wiring.jobOutcomes(aws),
                new StepFunctionsModelCallPolicy(sfn, aws.required(STATE_MACHINE_ARN)),
                Pricing.load(), Clock.systemUTC(), lease,
                Integer.parseInt(aws.optional(MAX_RECEIVE_COUNT, "5")), Wiring.laneStats(aws));
    }
}
