package dev.bedrockjobs.reconciler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.bedrockjobs.core.work.Reconciler;
import dev.bedrockjobs.lambda.PrimedHandler;
import java.util.Map;

/**
 * Runs on a schedule: re-drives jobs a crash left behind and completes batches whose last update was lost. It primes
 * no pass of its own for SnapStart: a pass re-sends messages, which belongs to the schedule, not to a deployment.
 */
public class ReconcileHandler extends PrimedHandler implements RequestHandler<ScheduledEvent, String> {
    private final Reconciler reconciler;

    public ReconcileHandler() {
        this(System.getenv());
    }

    public ReconcileHandler(Map<String, String> env) {
        this(ReconcilerRoot.reconciler(env));
    }

    ReconcileHandler(Reconciler reconciler) {
        this.reconciler = reconciler;
    }

    @Override
    public String handleRequest(ScheduledEvent event, Context context) {
        return reconciler.run().toString();
    }
}
