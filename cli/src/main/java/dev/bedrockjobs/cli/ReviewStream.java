package dev.bedrockjobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Prints the reviews of a batch submitted with {@code stream: true} while the model writes them, one file at a time:
 * a file being reviewed is followed as its answer is written; once it ends, the next file still running is, and a
 * file whose review finished before its turn is printed whole. Each file's answer is printed once, in full, from
 * {@code GET /v1/jobs/{id}/output}, under its heading. A running file goes first because its text is the one still
 * to come; finished ones can be printed at any time and never keep the reader waiting.
 */
final class ReviewStream {
    /** The most jobs one batch view lists: a review batch (at most 1,000 items) fits on one page. */
    static final int PAGE_SIZE = 1000;

    /** One item of the batch as the latest batch view shows it; {@code customId} is the file's path. */
    record Item(String jobId, String customId, String status) {
        boolean running() {
            return "running".equals(status);
        }

        boolean finished() {
            return Jobs.TERMINAL.contains(status);
        }
    }

    private ReviewStream() {}

    /**
     * Prints every item of the batch in turn until each has been printed; returns once the last one has ended.
     *
     * @param heading the line printed before an item's answer, given its customId
     */
    static void print(
            ApiClient api,
            String batchId,
            Function<String, String> heading,
            PrintWriter out,
            CliContext.Sleeper sleeper) {
        Set<String> printed = new HashSet<>();
        long delay = BatchWatcher.FIRST_DELAY_MILLIS;
        while (true) {
            List<Item> items = items(api, batchId);
            Item next = next(items, printed);
            if (next == null) {
                if (printed.size() >= items.size()) {
                    return;
                }
                // every file left is still queued: look again, less often the longer the queue holds them
                pause(sleeper, delay, batchId);
                delay = Math.min(BatchWatcher.MAX_DELAY_MILLIS, delay * 3 / 2);
                continue;
            }
            out.println(heading.apply(next.customId()));
            Jobs.printOutput(api, next.jobId(), out);
            out.println(); // a blank line between files, as in the text report
            out.flush();
            printed.add(next.jobId());
            if (printed.size() >= items.size()) {
                return;
            }
            delay = BatchWatcher.FIRST_DELAY_MILLIS;
        }
    }

    /** The first running item not yet printed, else the first finished one, else null (the rest are queued). */
    static Item next(List<Item> items, Set<String> printed) {
        Item finished = null;
        for (Item i : items) {
            if (printed.contains(i.jobId())) {
                continue;
            }
            if (i.running()) {
                return i;
            }
            if (finished == null && i.finished()) {
                finished = i;
            }
        }
        return finished;
    }

    /** Every item of the batch, in item order, read page by page from the batch view. */
    static List<Item> items(ApiClient api, String batchId) {
        List<Item> items = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode view = api.getBatch(batchId, PAGE_SIZE, cursor);
            for (JsonNode job : view.path("jobs")) {
                items.add(new Item(Json.text(job, "id"), Json.text(job, "customId"), Json.text(job, "status")));
            }
            cursor = Json.text(view, "nextCursor");
        } while (cursor != null);
        return items;
    }

    private static void pause(CliContext.Sleeper sleeper, long millis, String batchId) {
        try {
            sleeper.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(
                    CliException.INTERRUPTED, "interrupted; batch " + batchId + " goes on running on the server");
        }
    }
}
