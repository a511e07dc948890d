package dev.bedrockjobs.local.runtime.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.local.emulators.RepoRoot;
import dev.bedrockjobs.local.runtime.LocalOptions;
import dev.bedrockjobs.local.runtime.LocalStack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * How long the local stack takes to accept a 1,000-item batch, and until all its jobs are done, with the Bedrock
 * simulator at zero latency (template defaults for the worker's concurrency). Ten runs, medians printed, with the
 * CPU time the stack spent per job. Run with {@code bench/batch/run}.
 */
public final class BatchBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RUNS = 10;
    private static final int ITEMS = 1000;

    public static void main(String[] args) throws Exception {
        Path data = Files.createTempDirectory("batch-bench");
        try (LocalStack stack = LocalStack.start(LocalOptions.builder(RepoRoot.require())
                .port(0)
                .dataDirectory(data)
                .build())) {
            HttpClient http = HttpClient.newHttpClient();
            String body = batch();
            double[] accept = new double[RUNS];
            double[] done = new double[RUNS];
            double[] cpuMsPerJob = new double[RUNS];
            for (int run = 0; run < RUNS; run++) {
                double cpu0 = ProcessCpu.secondsWithDescendants(
                        ProcessHandle.current().pid());
                long t0 = System.nanoTime();
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(stack.apiUrl().resolve("/v1/batches"))
                                .header("authorization", "Bearer " + stack.devApiKey())
                                .header("content-type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                accept[run] = (System.nanoTime() - t0) / 1e9;
                if (r.statusCode() != 202) {
                    throw new IllegalStateException("batch refused: " + r.statusCode() + " " + r.body());
                }
                String id = JSON.readTree(r.body()).path("id").asText();
                URI view = stack.apiUrl().resolve("/v1/batches/" + id + "?limit=1");
                JsonNode batch;
                do {
                    // Often enough to time a ten-second wait to 1%; polling much faster would load the stack it times.
                    Thread.sleep(100);
                    batch = JSON.readTree(http.send(
                                    HttpRequest.newBuilder(view)
                                            .header("authorization", "Bearer " + stack.devApiKey())
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .body());
                } while (!batch.path("done").asBoolean());
                done[run] = (System.nanoTime() - t0) / 1e9;
                cpuMsPerJob[run] = (ProcessCpu.secondsWithDescendants(
                                        ProcessHandle.current().pid())
                                - cpu0)
                        * 1000
                        / ITEMS;
                System.out.printf(
                        "run %2d: accepted in %.3f s, all %d done in %.3f s (succeeded %d), "
                                + "stack CPU %.2f ms per job%n",
                        run + 1,
                        accept[run],
                        ITEMS,
                        done[run],
                        batch.path("counts").path("succeeded").asInt(),
                        cpuMsPerJob[run]);
            }
            System.out.printf(
                    "accept a %d-item batch: p50 %.3f s; all done: p50 %.3f s; stack CPU p50 %.2f ms per job "
                            + "(this JVM and dynalite; load average %.1f)%n",
                    ITEMS,
                    median(accept),
                    median(done),
                    median(cpuMsPerJob),
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                            .getSystemLoadAverage());
        }
        System.exit(0);
    }

    private static String batch() {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("defaults").put("model", "fast").put("maxTokens", 256);
        ArrayNode items = body.putArray("items");
        for (int i = 0; i < ITEMS; i++) {
            items.addObject()
                    .put("customId", "src/main/java/app/File" + i + ".java")
                    .put(
                            "prompt",
                            "Review this diff of File" + i + ".java:\n@@ -10,6 +10,7 @@\n+    if (i <= n) {\n"
                                    + "+        total += values[i];\n+    }\n");
        }
        return body.toString();
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
