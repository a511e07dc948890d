package dev.bedrockjobs.local.runtime.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.local.emulators.RepoRoot;
import dev.bedrockjobs.local.runtime.LocalOptions;
import dev.bedrockjobs.local.runtime.LocalStack;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the lanes and the bulk lane's fair share buy, on one local stack with template defaults and a model that
 * answers in {@code --model-latency-ms} (default 1000): an interactive job's latency alone and while a 1,000-item
 * batch drains; that batch's completion time alone and with the interactive traffic; and a second tenant's 50-item
 * batch submitted 1 s after another tenant's 1,000-item batch, against the same 50 items alone; and, over the lone
 * batch's drain, how far the queued jobs' {@code queue.etaSeconds} and the batch's {@code etaSeconds} were from when
 * they actually finished. Run with {@code bench/lanes/run}; {@code --warm-up} first drains an unmeasured 1,000-item
 * batch, so that the figures are of a warm JVM.
 */
public final class LanesBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final LocalStack stack;

    private LanesBench(LocalStack stack) {
        this.stack = stack;
    }

    public static void main(String[] args) throws Exception {
        int latencyMs = 1000;
        boolean warmUp = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--model-latency-ms" -> latencyMs = Integer.parseInt(args[++i]);
                case "--warm-up" -> warmUp = true;
                default -> {
                    System.err.println("usage: bench/lanes/run [--model-latency-ms N] [--warm-up]");
                    System.exit(args[i].equals("--help") ? 0 : 2);
                }
            }
        }
        Path data = Files.createTempDirectory("lanes-bench");
        try (LocalStack stack = LocalStack.start(LocalOptions.builder(RepoRoot.require())
                .port(0)
                .dataDirectory(data)
                .modelLatencyMillis(latencyMs)
                .build())) {
            new LanesBench(stack).run(latencyMs, warmUp);
        }
        System.exit(0);
    }

    private void run(int latencyMs, boolean warmUp) throws Exception {
        String a = stack.devApiKey();
        String b = stack.createTenant("bench-b");
        System.out.printf(
                "model latency %d ms; template defaults (WorkerMaxConcurrency 4, BulkWorkerMaxConcurrency 6, "
                        + "WorkerBatchSize 5)%n",
                latencyMs);
        if (warmUp) {
            // The stack is one JVM whose first drain speeds up as it compiles, which no ETA can foresee; deployed
            // workers are many Lambda instances, warm after their first invocations. This drain is not measured.
            long t = System.nanoTime();
            System.out.printf(
                    "warm-up: a 1,000-item batch, not measured, done in %.1f s%n",
                    awaitBatch(a, submitBatch(a, 1000, "warm-up "), t));
            Thread.sleep(35_000); // the lane's last 30 s of finishes then hold nothing of it
        }

        List<Double> alone = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            alone.add(interactiveJob(a));
        }
        double interactiveAlone = median(alone);
        System.out.printf("interactive job alone: p50 %.2f s (of %d)%n", interactiveAlone, alone.size());

        long tAlone = System.nanoTime();
        String aloneId = submitBatch(a, 1000, "alone ");
        EtaSamples eta = new EtaSamples();
        CompletableFuture<Double> aloneDone = CompletableFuture.supplyAsync(() -> {
            try {
                return awaitBatch(a, aloneId, tAlone);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        List<String> itemIds = new ArrayList<>();
        get(a, "/v1/batches/" + aloneId + "?limit=1000")
                .path("jobs")
                .forEach(j -> itemIds.add(j.path("id").asText()));
        for (int round = 0; !aloneDone.isDone(); round++) {
            eta.sample(a, aloneId, itemIds, round);
            Thread.sleep(2000);
        }
        double batchAlone = aloneDone.get();
        System.out.printf("1,000-item batch alone: %.1f s%n", batchAlone);
        eta.report(a);

        long t0 = System.nanoTime();
        String busy = submitBatch(a, 1000, "busy ");
        CompletableFuture<Double> batchWithTraffic = CompletableFuture.supplyAsync(() -> {
            try {
                return awaitBatch(a, busy, t0);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        List<Double> during = new ArrayList<>();
        Thread.sleep(1000);
        while (!batchWithTraffic.isDone()) {
            during.add(interactiveJob(a));
            Thread.sleep(500);
        }
        double interactiveDuring = median(during);
        System.out.printf(
                "interactive job while the batch drains: p50 %.2f s, max %.2f s (of %d) = %.2fx alone "
                        + "(target < 1.5x)%n",
                interactiveDuring,
                during.stream().mapToDouble(d -> d).max().orElse(0),
                during.size(),
                interactiveDuring / interactiveAlone);
        System.out.printf(
                "1,000-item batch with interactive traffic: %.1f s = %+.1f%% (target within +15%%)%n",
                batchWithTraffic.get(), 100 * (batchWithTraffic.get() / batchAlone - 1));

        double smallAlone = awaitBatch(b, submitBatch(b, 50, "small alone "), System.nanoTime());
        System.out.printf("tenant B's 50-item batch alone: %.1f s%n", smallAlone);
        long tA = System.nanoTime();
        String large = submitBatch(a, 1000, "tenant A ");
        Thread.sleep(1000);
        long tB = System.nanoTime();
        String small = submitBatch(b, 50, "tenant B ");
        double smallBehind = awaitBatch(b, small, tB);
        double largeDone = awaitBatch(a, large, tA);
        System.out.printf(
                "tenant B's 50 items 1 s after tenant A's 1,000: B done in %.1f s = %.2fx alone "
                        + "(target < 3x); A done in %.1f s%n",
                smallBehind, smallBehind / smallAlone, largeDone);
        System.out.printf(
                "load average %.1f%n",
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                        .getSystemLoadAverage());
    }

    /** Predictions read during a drain, checked against when the jobs and the batch actually finished. */
    private final class EtaSamples {
        private record Prediction(String jobId, Instant at, Instant finish, long position) {}

        private final List<Prediction> jobs = new ArrayList<>();
        private final List<Prediction> batch = new ArrayList<>();

        /** A few still-queued items spread over the batch, and the batch itself. */
        void sample(String key, String batchId, List<String> itemIds, int round) throws Exception {
            for (int k = 0; k < 5; k++) {
                String id = itemIds.get((round * 37 + k * 199) % itemIds.size());
                JsonNode view = get(key, "/v1/jobs/" + id);
                JsonNode eta = view.path("queue").path("etaSeconds");
                if (view.path("status").asText().equals("queued") && eta.canConvertToLong()) {
                    Instant now = Instant.now();
                    jobs.add(new Prediction(
                            id,
                            now,
                            now.plusSeconds(eta.asLong()),
                            view.path("queue").path("position").asLong()));
                }
            }
            JsonNode batchView = get(key, "/v1/batches/" + batchId + "?limit=1");
            JsonNode eta = batchView.path("etaSeconds");
            if (eta.canConvertToLong()) {
                Instant now = Instant.now();
                JsonNode counts = batchView.path("counts");
                batch.add(new Prediction(
                        batchId,
                        now,
                        now.plusSeconds(eta.asLong()),
                        counts.path("succeeded").asLong()
                                + counts.path("failed").asLong()));
            }
        }

        void report(String key) throws Exception {
            List<Double> jobErrors = new ArrayList<>();
            for (Prediction p : jobs) {
                Instant actual = Instant.parse(
                        get(key, "/v1/jobs/" + p.jobId()).path("finishedAt").asText());
                jobErrors.add(error(p, actual));
                System.out.printf(
                        "eta sample: job at %s position %d predicted %.1f s actual %.1f s error %.0f%%%n",
                        p.at(),
                        p.position(),
                        Duration.between(p.at(), p.finish()).toMillis() / 1e3,
                        Duration.between(p.at(), actual).toMillis() / 1e3,
                        100 * error(p, actual));
            }
            List<Double> batchErrors = new ArrayList<>();
            for (Prediction p : batch) {
                JsonNode view = get(key, "/v1/batches/" + p.jobId() + "?limit=1");
                Instant actual = Instant.parse(view.path("finishedAt").asText());
                batchErrors.add(error(p, actual));
                System.out.printf(
                        "eta sample: batch at %s finished %d predicted %.1f s actual %.1f s error %.0f%%%n",
                        p.at(),
                        p.position(),
                        Duration.between(p.at(), p.finish()).toMillis() / 1e3,
                        Duration.between(p.at(), actual).toMillis() / 1e3,
                        100 * error(p, actual));
            }
            System.out.printf(
                    "ETA error over the drain: queued jobs' queue.etaSeconds median %.0f%% (p90 %.0f%%, %d "
                            + "samples); the batch's etaSeconds median %.0f%% (p90 %.0f%%, %d samples) (target: median "
                            + "< 25%%)%n",
                    100 * median(jobErrors),
                    100 * percentile(jobErrors, 0.9),
                    jobErrors.size(),
                    100 * median(batchErrors),
                    100 * percentile(batchErrors, 0.9),
                    batchErrors.size());
        }

        /** |predicted - actual| over the actual time left when the prediction was read. */
        private double error(Prediction p, Instant actual) {
            double left = Math.max(1, Duration.between(p.at(), actual).toMillis());
            return Math.abs(Duration.between(p.finish(), actual).toMillis()) / left;
        }
    }

    /** Submits one job and waits for it to finish. @return seconds from submit to done */
    private double interactiveJob(String key) throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> r = post(
                key,
                "/v1/jobs",
                "{\"model\": \"fast\", \"maxTokens\": 256, "
                        + "\"prompt\": \"Review this diff:\\n+    if (i <= n) {\"}");
        if (r.statusCode() != 202) {
            throw new IllegalStateException("job refused: " + r.statusCode() + " " + r.body());
        }
        String id = JSON.readTree(r.body()).path("id").asText();
        while (true) {
            JsonNode job = get(key, "/v1/jobs/" + id);
            String status = job.path("status").asText();
            if (status.equals("succeeded") || status.equals("failed") || status.equals("canceled")) {
                return (System.nanoTime() - t0) / 1e9;
            }
            Thread.sleep(25);
        }
    }

    private String submitBatch(String key, int items, String prefix) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("defaults").put("model", "fast").put("maxTokens", 256);
        ArrayNode list = body.putArray("items");
        for (int i = 0; i < items; i++) {
            list.addObject().put("prompt", prefix + "review of File" + i + ".java:\n+    total += values[i];\n");
        }
        HttpResponse<String> r = post(key, "/v1/batches", body.toString());
        if (r.statusCode() != 202) {
            throw new IllegalStateException("batch refused: " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body()).path("id").asText();
    }

    /** @return seconds from {@code t0} until the batch is done */
    private double awaitBatch(String key, String id, long t0) throws Exception {
        while (true) {
            // often enough to time a 30-second drain to 1%; much faster would load the stack it times
            Thread.sleep(200);
            if (get(key, "/v1/batches/" + id + "?limit=1").path("done").asBoolean()) {
                return (System.nanoTime() - t0) / 1e9;
            }
        }
    }

    private HttpResponse<String> post(String key, String path, String body) throws IOException, InterruptedException {
        return HTTP.send(
                HttpRequest.newBuilder(stack.apiUrl().resolve(path))
                        .header("authorization", "Bearer " + key)
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode get(String key, String path) throws IOException, InterruptedException {
        URI uri = stack.apiUrl().resolve(path);
        return JSON.readTree(HTTP.send(
                        HttpRequest.newBuilder(uri)
                                .header("authorization", "Bearer " + key)
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body());
    }

    private static double median(List<Double> v) {
        return percentile(v, 0.5);
    }

    private static double percentile(List<Double> v, double p) {
        List<Double> s = new ArrayList<>(v);
        s.sort(Double::compare);
        return s.isEmpty() ? Double.NaN : s.get(Math.min(s.size() - 1, (int) (p * s.size())));
    }
}
