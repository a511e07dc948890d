package dev.bedrockjobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "doctor",
        mixinStandardHelpOptions = true,
        description = {
            "Check a deployment (or the local stack) end to end by walking jobs through their life: "
                    + "health, refused keys, a job, a batch and its results, a cancel, usage, and with --webhook-url a "
                    + "webhook delivery.",
            "Prints one line per check: PASS or FAIL, its name, how long it took, and for a failure what was "
                    + "expected and what came back. Exit 1 if any check failed.",
            "The jobs are small (fast tier, at most " + DoctorCommand.MAX_TOKENS + " output tokens each, six "
                    + "at most in all) and carry the metadata doctor=1."
        })
final class DoctorCommand implements Callable<Integer> {
    static final int MAX_TOKENS = 16;
    static final String LABEL_KEY = "doctor";
    static final String LABEL_VALUE = "1";
    static final List<String> BATCH_IDS = List.of("doctor-1", "doctor-2", "doctor-3");
    /** Well-formed, so that it reaches the authorizer, and never issued: API keys are bjk_ and 43 random characters. */
    static final String WRONG_KEY = "bjk_" + "doctor".repeat(7) + "x";
    /** How long usage may lag behind the jobs it counts. */
    private static final Duration USAGE_SETTLE = Duration.ofSeconds(30);

    private final CliContext ctx;

    @Spec
    CommandSpec spec;

    @Mixin
    ApiOptions api;

    @Option(
            names = "--webhook-url",
            paramLabel = "URL",
            description = "a public https receiver you control that answers 2xx: one job's webhook must be "
                    + "delivered to it (without it, the webhook check is skipped)")
    String webhookUrl;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            defaultValue = "120",
            description = "how long a job or the batch may take to finish (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    private ApiClient client;
    private Duration timeout;
    private PrintWriter out;
    private int passed;
    private int failed;
    /** What the checks before usage submitted and saw finish, for the usage check to find. */
    private final Tally tally = new Tally();

    DoctorCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        if (timeoutSeconds < 1) {
            throw CliException.usage("--timeout must be at least 1 second");
        }
        out = spec.commandLine().getOut();
        client = api.client(ctx, spec.commandLine().getErr());
        timeout = Duration.ofSeconds(timeoutSeconds);
        out.println("bedrock-jobs doctor: " + client.config().baseUrl());
        out.flush();

        check("health", this::health);
        check("no key refused", this::noKeyRefused);
        check("wrong key refused", this::wrongKeyRefused);
        JsonNode usageBefore = usageOrNull();
        check("job", this::job);
        check("batch", this::batch);
        check("cancel", this::cancel);
        check("usage", () -> usage(usageBefore));
        if (webhookUrl == null) {
            out.printf("SKIP  %-18s %7s     no --webhook-url given%n", "webhook", "");
        } else {
            check("webhook", this::webhook);
        }
        out.println(passed + " passed, " + failed + " failed");
        out.flush();
        return failed == 0 ? 0 : CliException.FAILED;
    }

    // --- the checks: each returns what it saw, or throws Failure -----------------------------------------------

    private String health() {
        ApiClient.Answer a = client.probe("/healthz", null);
        if (a.status() != 200 || !"ok".equals(field(a.body(), "status"))) {
            throw new Failure("200 {\"status\":\"ok\"} from GET /healthz", brief(a));
        }
        return brief(a);
    }

    /**
     * Locally the answer is a 401 {@code unauthorized} problem; deployed, API Gateway answers 401
     * {@code {"message":"Unauthorized"}} itself before any function runs (README, Authentication).
     */
    private String noKeyRefused() {
        ApiClient.Answer a = client.probe("/v1/jobs?limit=1", null);
        if (a.status() != 401) {
            throw new Failure("401 from GET /v1/jobs without a key", brief(a));
        }
        return brief(a);
    }

    /** A key the API-key authorizer refuses is API Gateway's 403; locally, and in JWT mode, a 401. */
    private String wrongKeyRefused() {
        ApiClient.Answer a = client.probe("/v1/jobs?limit=1", WRONG_KEY);
        if (a.status() != 401 && a.status() != 403) {
            throw new Failure("401 or 403 from GET /v1/jobs with a key never issued", brief(a));
        }
        return brief(a);
    }

    private String job() {
        JsonNode done = runToTheEnd(job("Reply with the single word: ok."));
        tally.finished(done);
        String id = Json.text(done, "id");
        if (!Jobs.succeeded(done)) {
            throw new Failure("job " + id + " to succeed", Jobs.outcome(done));
        }
        long in = Json.count(done, "usage", "inputTokens");
        long outTokens = Json.count(done, "usage", "outputTokens");
        JsonNode usd = done.path("cost").get("usd");
        if (in <= 0 || outTokens <= 0 || usd == null || !usd.isNumber() || usd.doubleValue() <= 0) {
            throw new Failure(
                    "usage with input and output tokens and a cost in USD",
                    "usage " + done.path("usage") + ", cost " + done.path("cost"));
        }
        if (!LABEL_VALUE.equals(Json.text(done.path("metadata"), LABEL_KEY))) {
            throw new Failure("metadata " + LABEL_KEY + "=" + LABEL_VALUE, "metadata " + done.path("metadata"));
        }
        return id + " succeeded: " + Format.tokens(in) + " in / " + Format.tokens(outTokens) + " out tokens, "
                + Format.usd(usd.doubleValue());
    }

    private String batch() {
        ObjectNode body = Json.object();
        ArrayNode items = body.putArray("items");
        for (String customId : BATCH_IDS) {
            ObjectNode item = items.addObject()
                    .put("customId", customId)
                    .put("prompt", "Reply with the single word: " + customId + ".");
            item.putObject("metadata").put(LABEL_KEY, LABEL_VALUE);
        }
        body.putObject("defaults").put("model", "fast").put("maxTokens", MAX_TOKENS);
        body.put("idempotencyKey", "doctor-" + UUID.randomUUID());
        JsonNode batch = call("202 from POST /v1/batches", () -> client.submitBatch(body));
        String id = Json.text(batch, "id");
        tally.submitted += BATCH_IDS.size();
        JsonNode view = call(
                "batch " + id + " to finish within " + timeout.toSeconds() + " s",
                () -> BatchWatcher.await(
                        client,
                        id,
                        new ProgressDisplay(
                                spec.commandLine().getErr(), ProgressDisplay.Mode.NONE, System::currentTimeMillis),
                        ctx.sleeper(),
                        timeout));
        List<JsonNode> lines = new ArrayList<>();
        call("the NDJSON results of batch " + id, () -> {
            client.batchResults(id, line -> lines.add(parse(line)));
            return null;
        });
        lines.forEach(tally::finished);
        List<String> customIds =
                lines.stream().map(l -> Json.text(l, "customId")).toList();
        if (!customIds.equals(BATCH_IDS)) {
            throw new Failure(
                    BATCH_IDS.size() + " result lines in item order " + BATCH_IDS,
                    lines.size() + " lines " + customIds);
        }
        List<String> statuses = lines.stream().map(l -> Json.text(l, "status")).toList();
        if (!statuses.stream().allMatch("succeeded"::equals)) {
            throw new Failure("every item succeeded", "statuses " + statuses + ", counts " + view.path("counts"));
        }
        return id + ": " + lines.size() + " results in item order " + customIds;
    }

    /**
     * Cancels a job right after submitting it, so that it is most likely still queued: 202 and canceled. Should it
     * have been claimed already, the 202 carries {@code cancelRequested} and the job ends canceled when its model
     * call returns; should it have finished first, the answer is 409 {@code job_terminal}, which is as correct. A
     * 409 {@code job_busy} (the job changed state during the cancel) is asked again.
     */
    private String cancel() {
        JsonNode submitted =
                call("202 from POST /v1/jobs", () -> client.submitJob(job("Count slowly from one to " + "ten.")));
        String id = Json.text(submitted, "id");
        tally.submitted++;
        for (int attempt = 1; ; attempt++) {
            try {
                JsonNode answer = client.cancelJob(id);
                JsonNode done = Jobs.terminal(answer)
                        ? answer
                        : call(
                                "job " + id + " to finish within " + timeout.toSeconds() + " s",
                                () -> Jobs.await(client, id, ctx.sleeper(), timeout));
                tally.finished(done);
                if (!"canceled".equals(Json.text(done, "status"))) {
                    throw new Failure("job " + id + " canceled after 202 from DELETE", Jobs.outcome(done));
                }
                return id + " canceled (202, " + Json.text(answer, "status") + " when the cancel arrived)";
            } catch (ApiException e) {
                if (e.status() == 409 && "job_busy".equals(e.code()) && attempt < 3) {
                    continue;
                }
                if (e.status() != 409 || !"job_terminal".equals(e.code())) {
                    throw new Failure("202 (canceled) or 409 job_terminal from DELETE /v1/jobs/" + id, got(e));
                }
                JsonNode done = call("the view of job " + id, () -> client.getJob(id, 0));
                tally.finished(done);
                return id + " finished first: 409 job_terminal, " + Json.text(done, "status");
            }
        }
    }

    /**
     * Usage counts by the month a job was submitted in, and may lag its jobs a moment: the check waits until every
     * job the checks above submitted and saw finish is counted (more is fine: other clients of the tenant count too).
     */
    private String usage(JsonNode counted) {
        JsonNode before = counted != null ? counted : call("200 from GET /v1/usage", client::usage);
        long deadline = System.nanoTime() + USAGE_SETTLE.toNanos();
        while (true) {
            JsonNode now = call("200 from GET /v1/usage", client::usage);
            List<String> missing = tally.missingFrom(before, now);
            if (missing.isEmpty()) {
                return "this month: +" + delta(before, now, "jobs", "submitted") + " submitted, +"
                        + delta(before, now, "jobs", "succeeded") + " succeeded, +"
                        + delta(before, now, "jobs", "canceled") + " canceled, +"
                        + Format.tokens(delta(before, now, "inputTokens")) + " in / +"
                        + Format.tokens(delta(before, now, "outputTokens")) + " out tokens";
            }
            if (System.nanoTime() > deadline) {
                throw new Failure(
                        "the month's usage to count " + tally,
                        String.join(", ", missing) + " after " + USAGE_SETTLE.toSeconds() + " s");
            }
            pause(1000);
        }
    }

    /** The job's terminal event must reach the receiver: its first recorded delivery attempt must be a 2xx. */
    private String webhook() {
        ObjectNode request = job("Reply with the single word: hook.");
        request.putObject("webhook").put("url", webhookUrl);
        JsonNode done = runToTheEnd(request);
        String id = Json.text(done, "id");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode items = call(
                            "200 from GET /v1/jobs/" + id + "/webhook-deliveries", () -> client.webhookDeliveries(id))
                    .path("items");
            if (!items.isEmpty()) {
                JsonNode first = items.get(0);
                String attempt = Json.text(first, "eventType") + " attempt "
                        + first.path("attempt").asInt() + ": "
                        + Json.text(first, "outcome") + ", HTTP "
                        + first.path("httpStatus").asText("none")
                        + (Json.text(first, "error") != null ? ", " + Json.text(first, "error") : "") + ", "
                        + first.path("durationMs").asLong() + " ms";
                if (!"delivered".equals(Json.text(first, "outcome"))) {
                    throw new Failure("a delivered attempt (a 2xx from " + webhookUrl + ")", attempt);
                }
                return id + " " + attempt;
            }
            if (System.nanoTime() > deadline) {
                throw new Failure(
                        "a recorded delivery attempt for job " + id, "none after " + timeout.toSeconds() + " s");
            }
            pause(500);
        }
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    /** A small, cheap job with the doctor's label; the response cache is off so that it really calls the model. */
    private static ObjectNode job(String prompt) {
        ObjectNode body = Json.object()
                .put("prompt", prompt)
                .put("model", "fast")
                .put("maxTokens", MAX_TOKENS)
                .put("cache", false);
        body.putObject("metadata").put(LABEL_KEY, LABEL_VALUE);
        return body;
    }

    private JsonNode runToTheEnd(ObjectNode request) {
        JsonNode submitted = call("202 from POST /v1/jobs", () -> client.submitJob(request));
        tally.submitted++;
        String id = Json.text(submitted, "id");
        return call(
                "job " + id + " to finish within " + timeout.toSeconds() + " s",
                () -> Jobs.await(client, id, ctx.sleeper(), timeout));
    }

    private JsonNode usageOrNull() {
        try {
            return client.usage();
        } catch (CliException e) {
            return null; // the usage check asks again and reports it
        }
    }

    private void check(String name, Supplier<String> check) {
        long start = System.nanoTime();
        String line;
        boolean ok;
        try {
            line = check.get();
            ok = true;
        } catch (Failure f) {
            line = "expected " + f.expected + ", got " + f.got;
            ok = false;
        } catch (CliException e) {
            line = got(e);
            ok = false;
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (ok) {
            passed++;
        } else {
            failed++;
        }
        out.printf("%s  %-18s %7d ms  %s%n", ok ? "PASS" : "FAIL", name, millis, line);
        out.flush();
    }

    /** Runs an API call; its failure becomes the check's, with what was expected of it. */
    private static <T> T call(String expected, Supplier<T> call) {
        try {
            return call.get();
        } catch (CliException e) {
            throw new Failure(expected, got(e));
        }
    }

    /** An error of the client on one line, with the status when the API answered. */
    private static String got(CliException e) {
        String message = e.getMessage().replace("\n  - ", "; ");
        return e instanceof ApiException a ? a.status() + ": " + message : message;
    }

    private void pause(long millis) {
        try {
            ctx.sleeper().sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(CliException.INTERRUPTED, "interrupted");
        }
    }

    private static JsonNode parse(String line) {
        try {
            return Json.parse(line);
        } catch (IOException e) {
            throw new Failure("one JSON object per result line", excerpt(line));
        }
    }

    /**
     * An answer in a few words: the status and a problem's code ({@code 401 unauthorized problem}), or API
     * Gateway's own message ({@code 403 {"message":"Forbidden"}}), or the start of whatever else came.
     */
    private static String brief(ApiClient.Answer a) {
        String code = field(a.body(), "code");
        if (code != null) {
            return a.status() + " " + code + " problem";
        }
        return a.status() + (a.body().isBlank() ? "" : " " + excerpt(a.body()));
    }

    private static String field(String body, String name) {
        try {
            return Json.text(Json.parse(body), name);
        } catch (IOException | RuntimeException notJson) {
            return null;
        }
    }

    private static String excerpt(String body) {
        String s = body == null ? "" : body.strip().replaceAll("\\s+", " ");
        return s.length() > 160 ? s.substring(0, 160) + "..." : s;
    }

    private static long delta(JsonNode before, JsonNode now, String... path) {
        return Json.count(now, path) - Json.count(before, path);
    }

    /** A check that did not get what it expected. */
    private static final class Failure extends RuntimeException {
        final String expected;
        final String got;

        Failure(String expected, String got) {
            super(expected + " / " + got, null, false, false);
            this.expected = expected;
            this.got = got;
        }
    }

    /** The jobs the checks submitted and what became of those they saw finish. */
    private static final class Tally {
        int submitted;
        int succeeded;
        int canceled;
        long inputTokens;
        long outputTokens;

        void finished(JsonNode jobOrResult) {
            String status = Json.text(jobOrResult, "status");
            succeeded += "succeeded".equals(status) ? 1 : 0;
            canceled += "canceled".equals(status) ? 1 : 0;
            inputTokens += Json.count(jobOrResult, "usage", "inputTokens");
            outputTokens += Json.count(jobOrResult, "usage", "outputTokens");
        }

        /** What {@code now - before} does not yet account for, as "jobs.succeeded +2 of 4". */
        List<String> missingFrom(JsonNode before, JsonNode now) {
            List<String> missing = new ArrayList<>();
            expect(missing, "jobs.submitted", delta(before, now, "jobs", "submitted"), submitted);
            expect(missing, "jobs.succeeded", delta(before, now, "jobs", "succeeded"), succeeded);
            expect(missing, "jobs.canceled", delta(before, now, "jobs", "canceled"), canceled);
            expect(missing, "inputTokens", delta(before, now, "inputTokens"), inputTokens);
            expect(missing, "outputTokens", delta(before, now, "outputTokens"), outputTokens);
            return missing;
        }

        private static void expect(List<String> missing, String what, long counted, long atLeast) {
            if (counted < atLeast) {
                missing.add(what + " +" + counted + " of " + atLeast);
            }
        }

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "%d submitted, %d succeeded, %d canceled, %d in / %d out tokens",
                    submitted,
                    succeeded,
                    canceled,
                    inputTokens,
                    outputTokens);
        }
    }
}
