package dev.bedrockjobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/** Polls {@code GET /v1/batches/{id}} until the batch is done, showing progress as it goes. */
final class BatchWatcher {
    static final long FIRST_DELAY_MILLIS = 250;
    static final long MAX_DELAY_MILLIS = 2_000;

    private BatchWatcher() {}

    /** @return the final batch view */
    static JsonNode await(ApiClient api, String batchId, ProgressDisplay progress, CliContext.Sleeper sleeper) {
        return await(api, batchId, progress, sleeper, null);
    }

    /** As the overload without a timeout, giving up (exit 1) once {@code timeout} has passed. */
    static JsonNode await(
            ApiClient api, String batchId, ProgressDisplay progress, CliContext.Sleeper sleeper, Duration timeout) {
        long start = System.nanoTime();
        long delay = FIRST_DELAY_MILLIS;
        try {
            while (true) {
                JsonNode view = api.getBatch(batchId);
                BatchProgress p = BatchProgress.of(view);
                progress.update(p);
                if (p.done()) {
                    return view;
                }
                if (timeout != null && System.nanoTime() - start >= timeout.toNanos()) {
                    throw new CliException(
                            CliException.FAILED,
                            "batch " + batchId + " has " + p.finished() + " of " + p.total() + " items finished after "
                                    + timeout.toSeconds() + " s");
                }
                try {
                    sleeper.sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CliException(
                            CliException.INTERRUPTED,
                            "interrupted; batch " + batchId + " goes on running on the server");
                }
                delay = Math.min(MAX_DELAY_MILLIS, delay * 3 / 2);
            }
        } finally {
            progress.close();
        }
    }
}
