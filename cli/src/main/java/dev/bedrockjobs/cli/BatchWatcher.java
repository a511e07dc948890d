package dev.bedrockjobs.cli;

import com.fasterxml.jackson.databind.JsonNode;

/** Polls {@code GET /v1/batches/{id}} until the batch is done, showing progress as it goes. */
final class BatchWatcher {
    static final long FIRST_DELAY_MILLIS = 250;
    static final long MAX_DELAY_MILLIS = 2_000;

    private BatchWatcher() {
    }

    /** @return the final batch view */
    static JsonNode await(ApiClient api, String batchId, ProgressDisplay progress, CliContext.Sleeper sleeper) {
        long delay = FIRST_DELAY_MILLIS;
        try {
            while (true) {
                JsonNode view = api.getBatch(batchId);
                BatchProgress p = BatchProgress.of(view);
                progress.update(p);
                if (p.done()) {
                    return view;
                }
                try {
                    sleeper.sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CliException(CliException.INTERRUPTED, "interrupted; batch " + batchId
                            + " goes on running on the server");
                }
                delay = Math.min(MAX_DELAY_MILLIS, delay * 3 / 2);
            }
        } finally {
            progress.close();
        }
    }
}
