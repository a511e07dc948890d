package dev.bedrockjobs.reconciler;

import dev.bedrockjobs.core.adapter.SqsDeadLetters;
import dev.bedrockjobs.core.work.Reconciler;
import dev.bedrockjobs.lambda.Components;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The reconciler's composition root: the pass, reading both lanes' dead-letter queues. */
public final class ReconcilerRoot {
    private ReconcilerRoot() {}

    public static Reconciler reconciler(Map<String, String> env) {
        Components c = new Components(env);
        SqsDeadLetters interactive = new SqsDeadLetters(c.aws().sqs(), c.aws().required(Components.JOBS_DLQ_URL));
        String bulkDlq = c.aws().optional(Components.BULK_JOBS_DLQ_URL, "");
        SqsDeadLetters bulk =
                bulkDlq.isEmpty() ? null : new SqsDeadLetters(c.aws().sqs(), bulkDlq);
        return new Reconciler(
                c.jobStore(),
                c.batchStore(),
                c.jobOutcomes(),
                c.jobQueue(),
                max -> {
                    List<String> ids = new ArrayList<>(interactive.jobIds(max));
                    if (bulk != null && ids.size() < max) {
                        ids.addAll(bulk.jobIds(max - ids.size()));
                    }
                    return ids;
                },
                c.clock(),
                c.reconcileGrace());
    }
}
