package dev.bedrockjobs.worker;

import dev.bedrockjobs.core.adapter.AwsClients;
import dev.bedrockjobs.core.adapter.StepFunctionsModelCallPolicy;
import dev.bedrockjobs.core.model.Pricing;
import dev.bedrockjobs.core.port.MessageVisibility;
import dev.bedrockjobs.core.work.RedeliveryBackoff;
import dev.bedrockjobs.core.work.WorkerService;
import dev.bedrockjobs.lambda.Components;
import dev.bedrockjobs.lambda.SqsBatchProcessor;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * The worker's composition root: the worker service, and the processor of its messages with visibility changes on
 * the queue each message came from (the worker reads both lanes). Only the worker's jar carries Step Functions.
 */
public final class WorkerRoot {
    public static final String STATE_MACHINE_ARN = "STATE_MACHINE_ARN";
    public static final String MAX_RECEIVE_COUNT = "MAX_RECEIVE_COUNT";
    public static final String LEASE_SECONDS = "LEASE_SECONDS";

    private WorkerRoot() {}

    public static SqsBatchProcessor messages(Map<String, String> env) {
        Components c = new Components(env);
        return messages(service(c), lanesVisibility(c), RedeliveryBackoff.STANDARD);
    }

    /**
     * @param visibilityOfSource the visibility of the queue with that event source ARN (a message's lane)
     * @param backoff            the wait before a message comes back after a transient failure
     */
    public static SqsBatchProcessor messages(
            WorkerService worker, Function<String, MessageVisibility> visibilityOfSource, RedeliveryBackoff backoff) {
        return new SqsBatchProcessor(
                "job",
                () -> new SqsBatchProcessor.BatchWork() {
                    // each batch's jobs are settled in one unit, closed once all its messages are done
                    private final WorkerService.Messages messages = worker.open();

                    @Override
                    public SqsBatchProcessor.Outcome handle(String body, int receiveCount) {
                        WorkerService.Delivery d = messages.processMessage(body, receiveCount);
                        if (!d.retry()) {
                            return SqsBatchProcessor.Outcome.DONE;
                        }
                        return SqsBatchProcessor.Outcome.retryIn(
                                d.retryIn() == null
                                        ? backoff.secondsAfter(receiveCount)
                                        : Math.max(1, d.retryIn().toSeconds()));
                    }

                    @Override
                    public void close() {
                        messages.close();
                    }
                },
                visibilityOfSource);
    }

    public static WorkerService service(Map<String, String> env) {
        return service(new Components(env));
    }

    private static WorkerService service(Components c) {
        AwsClients aws = c.aws();
        Duration lease = Duration.ofSeconds(Long.parseLong(aws.optional(LEASE_SECONDS, "330")));
        // A synchronous Express execution may run for minutes, and it is at-most-once: wait long, never re-send.
        SfnClient sfn = aws.configure(SfnClient.builder(), "SFN", lease, false).build();
        return new WorkerService(
                c.jobStore(),
                c.jobOutcomes(),
                new StepFunctionsModelCallPolicy(sfn, aws.required(STATE_MACHINE_ARN)),
                Pricing.load(),
                c.clock(),
                lease,
                Integer.parseInt(aws.optional(MAX_RECEIVE_COUNT, "5")),
                c.laneStats());
    }

    /** An event source ARN ends with the queue's name, as its URL does; an unknown source is the interactive lane. */
    private static Function<String, MessageVisibility> lanesVisibility(Components c) {
        Map<String, MessageVisibility> byQueueName = new HashMap<>();
        String interactiveUrl = c.aws().required(Components.JOBS_QUEUE_URL);
        MessageVisibility interactive = c.visibility(interactiveUrl);
        byQueueName.put(queueName(interactiveUrl), interactive);
        String bulk = c.aws().optional(Components.BULK_JOBS_QUEUE_URL, "");
        if (!bulk.isEmpty()) {
            byQueueName.put(queueName(bulk), c.visibility(bulk));
        }
        return arn ->
                arn == null ? interactive : byQueueName.getOrDefault(queueName(arn.replace(':', '/')), interactive);
    }

    private static String queueName(String urlOrPath) {
        return urlOrPath.substring(urlOrPath.lastIndexOf('/') + 1);
    }
}
