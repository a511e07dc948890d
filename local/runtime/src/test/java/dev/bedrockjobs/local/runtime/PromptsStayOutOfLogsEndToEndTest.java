package dev.bedrockjobs.local.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.local.emulators.RepoRoot;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prompts, system prompts and results never reach a log: a whole local stack runs a succeeding job, a failing job,
 * a batch and a job with an unreachable webhook while every java.util.logging record (at every level, with its
 * parameters and stack trace) and everything written to System.out and System.err is captured; none of it may
 * contain the unique markers the prompts carried or the text the model answered.
 */
class PromptsStayOutOfLogsEndToEndTest {
    private static final Duration FINISH = Duration.ofSeconds(60);

    @TempDir
    Path data;

    /** Keeps every record, formatted the way a handler would print it, stack trace included. */
    private static final class Capture extends Handler {
        @SuppressWarnings("JdkObsolete") // records arrive from every function's threads at once: it must synchronize
        private final StringBuffer text = new StringBuffer();

        private final SimpleFormatter formatter = new SimpleFormatter();

        @Override
        public void publish(LogRecord r) {
            text.append(formatter.format(r)).append(r.getMessage()).append('\n');
            if (r.getParameters() != null) {
                for (Object p : r.getParameters()) {
                    text.append(p).append('\n');
                }
            }
            if (r.getThrown() != null) {
                StringWriter trace = new StringWriter();
                r.getThrown().printStackTrace(new PrintWriter(trace));
                text.append(trace).append('\n');
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }

    /** Writes to the original stream and to a copy. */
    private static PrintStream tee(PrintStream original, OutputStream copy) {
        return new PrintStream(
                new OutputStream() {
                    @Override
                    public void write(int b) {
                        original.write(b);
                        synchronized (copy) {
                            try {
                                copy.write(b);
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        }
                    }

                    @Override
                    public void write(byte[] b, int off, int len) {
                        original.write(b, off, len);
                        synchronized (copy) {
                            try {
                                copy.write(b, off, len);
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        }
                    }
                },
                true,
                StandardCharsets.UTF_8);
    }

    @Test
    void noPromptOrResultIsEverLogged() {
        Logger root = Logger.getLogger("");
        Level rootLevel = root.getLevel();
        Capture capture = new Capture();
        capture.setLevel(Level.ALL);
        ByteArrayOutputStream streams = new ByteArrayOutputStream();
        PrintStream out = System.out;
        PrintStream err = System.err;
        List<String> secrets = new ArrayList<>();
        root.addHandler(capture);
        root.setLevel(Level.ALL);
        System.setOut(tee(out, streams));
        System.setErr(tee(err, streams));
        try (LocalStack stack = LocalStack.start(LocalOptions.builder(RepoRoot.require())
                .port(0)
                .dataDirectory(data)
                .build())) {
            ApiClient api = new ApiClient(stack.apiUrl(), stack.devApiKey());
            String promptMarker = "PROMPT-" + UUID.randomUUID();
            String systemMarker = "SYSTEM-" + UUID.randomUUID();
            String failingMarker = "FAILING-" + UUID.randomUUID();
            String batchMarker = "BATCH-" + UUID.randomUUID();
            String webhookMarker = "WEBHOOK-" + UUID.randomUUID();
            secrets.addAll(List.of(promptMarker, systemMarker, failingMarker, batchMarker, webhookMarker));

            String ok = submit(
                    api,
                    "{\"prompt\": \"Review " + promptMarker + "\", \"system\": \"You review " + systemMarker
                            + "\", \"model\": \"fast\"}");
            String failing = submit(api, "{\"prompt\": \"[[fail:validation]] " + failingMarker + "\"}");
            String hooked = submit(
                    api,
                    "{\"prompt\": \"Hook " + webhookMarker + "\", "
                            + "\"webhook\": {\"url\": \"http://127.0.0.1:9/unreachable\"}}");
            HttpResponse<String> batch = api.postJson(
                    "/v1/batches",
                    "{\"items\": [{\"prompt\": \"one " + batchMarker + "\"}, {\"prompt\": \"[[fail:validation]] two "
                            + batchMarker + "\"}]}");
            assertEquals(202, batch.statusCode(), batch.body());

            JsonNode done = api.awaitTerminal(ok, FINISH);
            assertEquals("succeeded", done.path("status").asText(), done.toString());
            String result = done.path("result").path("text").asText();
            assertTrue(result.contains("(review "), result);
            secrets.add(result);
            secrets.add(result.substring(result.lastIndexOf("(review ")));
            assertEquals(
                    "failed", api.awaitTerminal(failing, FINISH).path("status").asText());
            JsonNode hookedDone = api.awaitTerminal(hooked, FINISH);
            String hookedResult = hookedDone.path("result").path("text").asText();
            secrets.add(hookedResult.substring(hookedResult.lastIndexOf("(review ")));
            for (JsonNode item : ApiClient.json(batch).path("jobs")) {
                JsonNode finished = api.awaitTerminal(item.path("id").asText(), FINISH);
                if (finished.path("result").has("text")) {
                    String text = finished.path("result").path("text").asText();
                    secrets.add(text.substring(text.lastIndexOf("(review ")));
                }
            }
            // the webhook to the closed port has been attempted and its failure recorded (and maybe logged)
            long deadline = System.nanoTime() + FINISH.toNanos();
            while (ApiClient.json(api.get("/v1/jobs/" + hooked + "/webhook-deliveries"))
                            .path("items")
                            .isEmpty()
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            System.setOut(out);
            System.setErr(err);
            root.removeHandler(capture);
            root.setLevel(rootLevel);
        }

        String logged = capture.text + "\n" + streams.toString(StandardCharsets.UTF_8);
        assertTrue(logged.length() > 1000 && logged.contains("routes:"), "the capture saw the stack's logs");
        for (String secret : secrets) {
            assertFalse(logged.contains(secret), "logged: " + secret);
        }
    }

    private static String submit(ApiClient api, String json) {
        HttpResponse<String> r = api.postJson("/v1/jobs", json);
        assertEquals(202, r.statusCode(), r.body());
        return ApiClient.json(r).path("id").asText();
    }
}
