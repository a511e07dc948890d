package dev.bedrockjobs.worker;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.bedrockjobs.core.adapter.WorkerWiring;
import dev.bedrockjobs.core.work.JobMessages;
import dev.bedrockjobs.core.work.WorkerService;

import java.util.Map;

/** SQS jobs queue -> job state machine -> DynamoDB, reporting only the messages that should come back. */
public class WorkerHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private final JobMessages messages;

    public WorkerHandler() {
        this(System.getenv());
    }

    public WorkerHandler(Map<String, String> env) {
        this(WorkerWiring.workerService(env));
    }

    WorkerHandler(WorkerService service) {
        this.messages = new JobMessages(service);
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return messages.process(event);
    }
}
