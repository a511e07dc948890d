package dev.bedrockjobs.worker;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.bedrockjobs.lambda.Priming;
import dev.bedrockjobs.lambda.SqsBatchProcessor;
import org.crac.Core;
import org.crac.Resource;

import java.util.Map;

/** SQS jobs queue -> job state machine -> DynamoDB, reporting only the messages that should come back. */
public class WorkerHandler implements RequestHandler<SQSEvent, SQSBatchResponse>, Resource {
    private final SqsBatchProcessor messages;

    public WorkerHandler() {
        this(System.getenv());
    }

    public WorkerHandler(Map<String, String> env) {
        this(WorkerRoot.messages(env));
    }

    WorkerHandler(SqsBatchProcessor messages) {
        this.messages = messages;
        Core.getGlobalContext().register(this);
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return messages.process(event);
    }

    /**
     * SnapStart: before the snapshot, the path of a first request with a message for a job that does not exist: one
     * read, done.
     */
    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        Priming.jobJsonAndItems();
        Priming.quietly("worker", () -> handleRequest(Priming.missingJobMessage(), null));
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        // nothing was made at snapshot time that must differ per environment
    }
}
