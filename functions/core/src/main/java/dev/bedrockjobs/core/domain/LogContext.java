package dev.bedrockjobs.core.domain;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The correlation ids of the work on this thread (request id, tenant, job id, batch id), which the JSON log lines
 * carry beside their message. Ids only: prompts, results and secrets never go here.
 */
public final class LogContext {
    public static final String REQUEST_ID = "requestId";
    public static final String TENANT_ID = "tenantId";
    public static final String JOB_ID = "jobId";
    public static final String BATCH_ID = "batchId";

    private static final ThreadLocal<Map<String, String>> CURRENT = ThreadLocal.withInitial(LinkedHashMap::new);

    private LogContext() {}

    /** Runs {@code work} with these ids added to the thread's context, and takes them away afterwards. */
    public static <T> T with(Map<String, String> ids, Supplier<T> work) {
        Map<String, String> context = CURRENT.get();
        Map<String, String> before = new LinkedHashMap<>(context);
        ids.forEach((k, v) -> {
            if (v != null) {
                context.put(k, v);
            }
        });
        try {
            return work.get();
        } finally {
            context.clear();
            context.putAll(before);
        }
    }

    /** A copy of the ids in effect on this thread. */
    public static Map<String, String> current() {
        return Map.copyOf(CURRENT.get());
    }
}
