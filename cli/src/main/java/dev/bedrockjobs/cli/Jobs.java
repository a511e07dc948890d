package dev.bedrockjobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Set;

/** What the job commands share: waiting for a job to finish and printing a job view for people. */
final class Jobs {
    static final Set<String> TERMINAL = Set.of("succeeded", "failed", "canceled");

    private Jobs() {}

    static boolean terminal(JsonNode job) {
        return TERMINAL.contains(Json.text(job, "status"));
    }

    static boolean succeeded(JsonNode job) {
        return "succeeded".equals(Json.text(job, "status"));
    }

    /**
     * Long-polls {@code GET /v1/jobs/{id}?wait=20} until the job is terminal; should an answer come back early
     * without the job being finished, the next poll waits a second, so a server that does not hold never gets a
     * stream of requests.
     */
    static JsonNode await(ApiClient api, String id, CliContext.Sleeper sleeper) {
        return await(api, id, sleeper, null);
    }

    /** As {@link #await(ApiClient, String, CliContext.Sleeper)}, giving up (exit 1) once {@code timeout} has passed. */
    static JsonNode await(ApiClient api, String id, CliContext.Sleeper sleeper, Duration timeout) {
        long start = System.nanoTime();
        while (true) {
            long asked = System.nanoTime();
            long left = timeout == null ? Long.MAX_VALUE : timeout.toNanos() - (asked - start);
            int hold = (int) Math.max(1, Math.min(ApiClient.MAX_WAIT_SECONDS, left / 1_000_000_000L));
            JsonNode job = api.getJob(id, hold);
            if (terminal(job)) {
                return job;
            }
            if (timeout != null && System.nanoTime() - start >= timeout.toNanos()) {
                throw new CliException(
                        CliException.FAILED,
                        "job " + id + " is still " + Json.text(job, "status") + " after " + timeout.toSeconds() + " s");
            }
            try {
                if (System.nanoTime() - asked < 1_000_000_000L) {
                    sleeper.sleep(1000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException(CliException.INTERRUPTED, "interrupted; job " + id + " goes on running");
            }
        }
    }

    /**
     * Prints a job's answer as it is written, then a line break. @return 0 when the job succeeded, else
     * {@link CliException#FAILED} with its outcome on {@code err}
     */
    static int follow(ApiClient client, String id, PrintWriter out, PrintWriter err) {
        if (!"succeeded".equals(printOutput(client, id, out))) {
            err.println("bedrock-jobs: " + outcome(client.getJob(id, 0)));
            return CliException.FAILED;
        }
        return 0;
    }

    /**
     * Prints a job's answer from its start as it is written, reading on from each next offset (each read held by the
     * server until there is more) until the job has ended, then a line break. A job already finished is printed
     * whole. @return the job's final status
     */
    static String printOutput(ApiClient client, String id, PrintWriter out) {
        long offset = 0;
        JsonNode read;
        do {
            read = client.getOutput(id, offset, ApiClient.MAX_WAIT_SECONDS);
            out.print(Json.text(read, "text"));
            out.flush();
            offset = read.path("nextOffset").asLong(offset);
        } while (!read.path("done").asBoolean(false));
        out.println();
        out.flush();
        return Json.text(read, "status");
    }

    /** "failed: model_timeout: The model did not answer in time." */
    static String outcome(JsonNode job) {
        JsonNode error = job.get("error");
        String status = Json.text(job, "status");
        if (error == null || error.isNull()) {
            return "job " + Json.text(job, "id") + " " + status;
        }
        return "job " + Json.text(job, "id") + " " + status + ": " + Json.text(error, "code") + ": "
                + Json.text(error, "message");
    }

    /** The job view as aligned "name  value" lines, then the answer's text after a blank line. */
    static String human(JsonNode job) {
        StringBuilder sb = new StringBuilder();
        line(sb, "id", Json.text(job, "id"));
        line(sb, "status", Json.text(job, "status"));
        line(sb, "model", Json.text(job, "model"));
        if (Json.text(job, "batchId") != null) {
            String custom = Json.text(job, "customId");
            line(sb, "batch", Json.text(job, "batchId") + (custom != null ? " (item " + custom + ")" : ""));
        }
        line(sb, "created", Json.text(job, "createdAt"));
        line(sb, "started", Json.text(job, "startedAt"));
        line(sb, "finished", Json.text(job, "finishedAt"));
        if (job.has("attempts")) {
            line(sb, "attempts", job.get("attempts").asText());
        }
        if (job.hasNonNull("usage")) {
            line(
                    sb,
                    "tokens",
                    Format.tokens(Json.count(job, "usage", "inputTokens")) + " in / "
                            + Format.tokens(Json.count(job, "usage", "outputTokens")) + " out");
        }
        if (job.hasNonNull("cost")) {
            line(sb, "cost", Format.usd(Json.usd(job)));
        }
        JsonNode result = job.get("result");
        if (result != null && result.hasNonNull("stopReason")) {
            line(sb, "stop", Json.text(result, "stopReason"));
        }
        JsonNode error = job.get("error");
        if (error != null && !error.isNull()) {
            line(sb, "error", Json.text(error, "code") + ": " + Json.text(error, "message"));
        }
        if (result != null && result.hasNonNull("text")) {
            sb.append('\n').append(Json.text(result, "text").strip()).append('\n');
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, String name, String value) {
        if (value != null) {
            sb.append(String.format("%-9s %s%n", name, value));
        }
    }
}
