package dev.bedrockjobs.reconciler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.bedrockjobs.core.adapter.Wiring;
import dev.bedrockjobs.core.work.Reconciler;

import java.util.Map;

/** Runs on a schedule: re-drives jobs a crash left behind and completes batches whose last update was lost. */
public class ReconcileHandler implements RequestHandler<ScheduledEvent, String> {
    private final Reconciler reconciler;

    public ReconcileHandler() {
        this(System.getenv());
    }

    public ReconcileHandler(Map<String, String> env) {
        this(Wiring.reconciler(env));
    }

    ReconcileHandler(Reconciler reconciler) {
        this.reconciler = reconciler;
    }

    @Override
    public String handleRequest(ScheduledEvent event, Context context) {
        return reconciler.run().toString();
    }
}
