package dev.bedrockjobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.bedrockjobs.local.emulators.RepoRoot;
import dev.bedrockjobs.local.runtime.LocalOptions;
import dev.bedrockjobs.local.runtime.LocalStack;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bedrock-jobs doctor} against the real local stack, with a webhook receiver on loopback (which the local
 * stack allows), and against a URL that answers nothing right.
 */
class DoctorEndToEndTest {
    private static final List<String> CHECKS =
            List.of("health", "no key refused", "wrong key refused", "job", "batch", "cancel", "usage", "webhook");

    @TempDir
    static Path data;

    private static LocalStack stack;
    private static HttpServer receiver;
    private static final List<String> deliveries = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        stack = LocalStack.start(LocalOptions.builder(RepoRoot.require())
                .port(0)
                .dataDirectory(data)
                .build());
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hook", exchange -> {
            deliveries.add(exchange.getRequestHeaders().getFirst("webhook-id"));
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterAll
    static void stop() {
        if (receiver != null) {
            receiver.stop(0);
        }
        if (stack != null) {
            stack.close();
        }
    }

    record Run(int exit, String out, String err) {
        /** The checklist's lines, by check name. */
        Map<String, String> lines() {
            java.util.LinkedHashMap<String, String> byName = new java.util.LinkedHashMap<>();
            for (String line : out.split("\n")) {
                for (String name : CHECKS) {
                    if (line.matches("(PASS|FAIL|SKIP)  " + java.util.regex.Pattern.quote(name) + " .*")) {
                        byName.put(name, line);
                    }
                }
            }
            return byName;
        }
    }

    private static Run doctor(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = Main.commandLine(new CliContext(Map.of(), Path.of("."), false, null, Thread::sleep));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        List<String> command = new java.util.ArrayList<>(List.of("doctor"));
        command.addAll(List.of(args));
        return new Run(cl.execute(command.toArray(String[]::new)), out.toString(), err.toString());
    }

    @Test
    void everyCheckPassesAgainstTheLocalStackWebhookIncluded() throws Exception {
        String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        Run r = doctor("--url", stack.apiUrl().toString(), "--api-key", stack.devApiKey(), "--webhook-url", hook);
        assertEquals(0, r.exit(), r.out() + r.err());

        Map<String, String> lines = r.lines();
        assertEquals(CHECKS, List.copyOf(lines.keySet()), r.out());
        lines.forEach((name, line) -> {
            assertTrue(line.startsWith("PASS  "), line);
            assertTrue(line.matches("PASS  .{18} +\\d+ ms  .+"), "name, milliseconds and what was seen: " + line);
        });
        assertTrue(r.out().startsWith("bedrock-jobs doctor: " + stack.apiUrl() + "\n"), r.out());
        assertTrue(r.out().endsWith("8 passed, 0 failed\n"), r.out());
        assertTrue(lines.get("batch").contains("[doctor-1, doctor-2, doctor-3]"), lines.get("batch"));
        assertTrue(lines.get("webhook").contains("delivered, HTTP 204"), lines.get("webhook"));
        assertEquals(1, deliveries.size(), "the receiver got the job's terminal event");
        assertFalse(deliveries.get(0) == null || deliveries.get(0).isBlank(), "a Standard Webhooks webhook-id");

        // every job the doctor made is small, on the fast tier and labelled
        HttpResponse<String> listed = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(stack.apiUrl() + "/v1/jobs?limit=50"))
                                .header("Authorization", "Bearer " + stack.devApiKey())
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        JsonNode jobs = Json.parse(listed.body()).path("items");
        assertEquals(6, jobs.size(), listed.body());
        for (JsonNode job : jobs) {
            assertEquals(
                    DoctorCommand.LABEL_VALUE,
                    job.path("metadata").path(DoctorCommand.LABEL_KEY).asText(),
                    job.toString());
            assertEquals("fast", job.path("model").asText(), job.toString());
        }
    }

    @Test
    void aKeyTheApiRefusesFailsTheChecksThatNeedOneAndExitsOne() {
        Run r = doctor(
                "--url", stack.apiUrl().toString(), "--api-key", "bjk_not-a-key-anyone-was-given", "--timeout", "5");
        assertEquals(1, r.exit(), r.out() + r.err());
        Map<String, String> lines = r.lines();
        assertTrue(lines.get("health").startsWith("PASS"), lines.get("health"));
        assertTrue(lines.get("no key refused").startsWith("PASS"), lines.get("no key refused"));
        String job = lines.get("job");
        assertTrue(job.startsWith("FAIL  job "), job);
        assertTrue(job.contains(" ms  expected 202 from POST /v1/jobs, got 401: the API key was refused"), job);
        assertTrue(lines.get("webhook").startsWith("SKIP"), lines.get("webhook"));
        assertTrue(r.out().endsWith("3 passed, 4 failed\n"), r.out());
    }

    @Test
    void aUrlWhoseHealthCheckFailsExitsOne() throws IOException {
        try (TinyServer broken = new TinyServer()) { // answers every request 500
            Run r = doctor("--url", broken.url().toString(), "--api-key", "bjk_any", "--timeout", "5");
            assertEquals(1, r.exit(), r.out() + r.err());
            String health = r.lines().get("health");
            assertTrue(
                    health.matches("FAIL  health +\\d+ ms  expected 200 \\{\"status\":\"ok\"} from GET /healthz, "
                            + "got 500 no scripted response left"),
                    health);
            assertTrue(r.out().endsWith("0 passed, 7 failed\n"), r.out());
        }
    }
}
