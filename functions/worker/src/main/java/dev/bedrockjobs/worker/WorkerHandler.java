package dev.bedrockjobs.worker;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.bedrockjobs.lambda.PrimedHandler;
import dev.bedrockjobs.lambda.Priming;
import dev.bedrockjobs.lambda.SqsBatchProcessor;
import java.util.Map;

/** SQS jobs queue -> job state machine -> DynamoDB, reporting only the messages that should come back. */
public class WorkerHandler extends PrimedHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private final SqsBatchProcessor messages;

    public WorkerHandler() {
        this(System.getenv());
    }

    public WorkerHandler(Map<String, String> env) {
        this(WorkerRoot.messages(env));
    }

    WorkerHandler(SqsBatchProcessor messages) {
        this.messages = messages;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return messages.process(event);
    }

    /**
     * SnapStart priming: the path of a first request with a message for a job that does not exist: one
     * read, done.
     */
    @Override
    protected void prime() {
        Priming.quietly("worker", () -> handleRequest(Priming.missingJobMessage(), null));
    }
}
