package dev.bedrockjobs.reconciler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.bedrockjobs.core.work.Reconciler;
import dev.bedrockjobs.lambda.Priming;
import org.crac.Core;
import org.crac.Resource;

import java.util.Map;

/** Runs on a schedule: re-drives jobs a crash left behind and completes batches whose last update was lost. */
public class ReconcileHandler implements RequestHandler<ScheduledEvent, String>, Resource {
    private final Reconciler reconciler;

    public ReconcileHandler() {
        this(System.getenv());
    }

    public ReconcileHandler(Map<String, String> env) {
        this(ReconcilerRoot.reconciler(env));
    }

    ReconcileHandler(Reconciler reconciler) {
        this.reconciler = reconciler;
        Core.getGlobalContext().register(this);
    }

    @Override
    public String handleRequest(ScheduledEvent event, Context context) {
        return reconciler.run().toString();
    }

    /**
     * SnapStart: before the snapshot, the JSON and item mapping of a job. A reconcile pass is not run: it re-sends
     * messages, which belongs to the schedule, not to a deployment.
     */
    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        Priming.jobJsonAndItems();
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        // nothing was made at snapshot time that must differ per environment
    }
}
