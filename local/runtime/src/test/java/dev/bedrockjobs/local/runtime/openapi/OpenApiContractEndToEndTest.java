package dev.bedrockjobs.local.runtime.openapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.api.Release;
import dev.bedrockjobs.core.domain.TenantLimits;
import dev.bedrockjobs.local.emulators.RepoRoot;
import dev.bedrockjobs.local.runtime.LocalOptions;
import dev.bedrockjobs.local.runtime.LocalStack;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The handlers' real answers, over real HTTP from the whole local stack (authorizer, submit and status functions,
 * SQS, worker, Step Functions engine, Bedrock simulator, dynalite), validate against {@code docs/openapi.yaml}.
 *
 * <p>Every exchange goes through {@link ContractValidator}: an undocumented status code or content type fails, the
 * body must validate against the schema the document declares for that operation, status and content type (every
 * line of an NDJSON body as a {@code BatchResultLine}), and documented headers must be present when required and
 * valid when sent. Response objects are validated closed (a field the server emits that the document does not name
 * fails). Request bodies the server accepted must validate against the documented request schema too, and the bad
 * ones the server refused for their shape must not.
 *
 * <p>The last test checks that every documented operation and status was produced, except the ones only AWS or a
 * broken deployment can produce (403 from API Gateway's authorizer denial, 500, the stage throttling's 429 on
 * {@code /healthz}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenApiContractEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Long enough that a job is seen running and can be canceled then; short enough to keep the suite quick. */
    private static final long MODEL_LATENCY_MS = 1500;

    private static final String UNKNOWN_JOB = "job_" + "0".repeat(26);
    private static final String UNKNOWN_BATCH = "bat_" + "0".repeat(26);
    /** Documented statuses no request to the local stack can produce. */
    private static final Set<Integer> ONLY_IN_AWS_OR_ON_FAILURE = Set.of(403, 500);
    /** Documented answers of one operation that only a deployment gives: API Gateway's stage throttling. */
    private static final Map<String, Set<Integer>> ONLY_IN_AWS =
            Map.of("GET /healthz", Set.of(429), "GET /console", Set.of(429));

    @TempDir
    static Path data;

    private static LocalStack stack;
    private static ContractValidator contract;
    private static HttpClient http;
    private static String key;
    private static String otherKey;
    /** Operation key -> statuses seen, for the coverage check. */
    private static final Map<String, Set<Integer>> exercised = new ConcurrentHashMap<>();

    private static String succeededJobId;

    record Exchange(String method, String path, int status, Map<String, String> headers, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError(method + " " + path + ": body is not JSON: " + body, e);
            }
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        Exchange expect(int expected) {
            assertEquals(expected, status, () -> method + " " + path + " answered " + status + ": " + body);
            return this;
        }

        /** The problem's code, after checking the status. */
        String problemCode(int expected) {
            expect(expected);
            return json().path("code").asText();
        }

        Set<String> errorFields() {
            Set<String> fields = new TreeSet<>();
            json().path("errors").forEach(e -> fields.add(e.path("field").asText()));
            return fields;
        }
    }

    @BeforeAll
    static void start() {
        Path root = RepoRoot.require();
        contract = new ContractValidator(OpenApiDocument.load(root.resolve("docs/openapi.yaml")));
        stack = LocalStack.start(LocalOptions.builder(root)
                .port(0)
                .dataDirectory(data.resolve("stack"))
                .modelLatencyMillis(MODEL_LATENCY_MS)
                .build());
        key = stack.devApiKey();
        otherKey = stack.createTenant("openapi-contract-other");
        http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    // ---- health and auth ----

    @Test
    @Order(1)
    void healthNeedsNoKey() {
        Exchange r = send("GET", "/healthz", null, null, null, Map.of()).expect(200);
        assertEquals("ok", r.json().path("status").asText());
        assertEquals(Release.version(), r.json().path("version").asText());
        assertTrue(Release.version().matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), Release.version());
    }

    @Test
    @Order(2)
    void everyOtherRouteRefusesAMissingOrUnknownKey() {
        for (OpenApiDocument.Operation op : contract.document().operations()) {
            if (op.node().has("security") && op.node().get("security").isEmpty()) {
                continue; // public: the health check and the console's static files
            }
            String path = op.pathTemplate()
                    .replace("{id}", op.pathTemplate().startsWith("/v1/batches") ? UNKNOWN_BATCH : UNKNOWN_JOB);
            String method = op.method().toUpperCase(Locale.ROOT);
            String body = method.equals("POST")
                    ? (path.equals("/v1/jobs") ? "{\"prompt\":\"hi\"}" : "{\"items\":[{\"prompt\":\"hi\"}]}")
                    : null;
            String type = body == null ? null : "application/json";
            assertEquals(
                    "unauthorized",
                    send(method, path, null, type, body, Map.of()).problemCode(401),
                    op.key());
            assertEquals(
                    "unauthorized",
                    send(method, path, "bj_not_a_key_of_anyone", type, body, Map.of())
                            .problemCode(401),
                    op.key());
        }
    }

    // ---- jobs ----

    @Test
    @Order(10)
    void submitPollAndCollectAJob() {
        String body = "{\"prompt\":\"Review: for (int i = 0; i <= n; i++) sum += a[i];\",\"model\":\"fast\","
                + "\"system\":\"You review Java.\",\"maxTokens\":128,\"temperature\":0.2,"
                + "\"metadata\":{\"repo\":\"billing\",\"pr\":\"42\"}}";
        Exchange submitted = submitJob(body, Map.of()).expect(202);
        JsonNode view = submitted.json();
        String id = view.path("id").asText();
        assertEquals("/v1/jobs/" + id, submitted.header("location"));
        assertNotNull(submitted.header("retry-after"));
        assertEquals("fast", view.path("model").asText());
        assertEquals("billing", view.path("metadata").path("repo").asText());

        Exchange first =
                send("GET", "/v1/jobs/" + id, key, null, null, Map.of()).expect(200);
        if (!isTerminal(first.json())) {
            assertNotNull(first.header("retry-after"), "a job that is not finished carries Retry-After");
        }
        Exchange done = awaitTerminal(id);
        JsonNode finished = done.json();
        assertEquals("succeeded", finished.path("status").asText(), finished::toString);
        assertFalse(finished.path("result").path("text").asText().isBlank());
        assertTrue(finished.path("usage").path("outputTokens").asLong() > 0);
        assertTrue(finished.path("cost").path("usd").isNumber(), "cost.usd is a JSON number");
        assertTrue(finished.has("startedAt") && finished.has("finishedAt"));
        assertTrue(finished.path("attempts").asInt() >= 1);
        assertNull(done.header("retry-after"), "a finished job carries no Retry-After");
        succeededJobId = id;
    }

    @Test
    @Order(11)
    void badJobRequestsNameEveryBadField() {
        String bad = "{\"prompt\":\"   \",\"model\":\"huge\",\"maxTokens\":0,\"temperature\":3,"
                + "\"metadata\":{\"bad key\":\"v\"},\"webhook\":{\"url\":\"ftp://example.com/hook\"},\"colour\":\"red\"}";
        Exchange r = submitJob(bad, Map.of()).expect(400);
        assertEquals("validation_failed", r.json().path("code").asText());
        assertEquals(
                new TreeSet<>(Set.of(
                        "prompt", "model", "maxTokens", "temperature", "metadata.bad key", "webhook.url", "colour")),
                r.errorFields());
        assertRefusedByDocument("POST", "/v1/jobs", bad);

        assertEquals(
                Set.of("body"), submitJob("{\"prompt\": ", Map.of()).expect(400).errorFields());
        assertEquals(
                Set.of("body"), submitJob("[\"prompt\"]", Map.of()).expect(400).errorFields());
        assertRefusedByDocument("POST", "/v1/jobs", "[\"prompt\"]");
        assertEquals(Set.of("body"), submitJob("", Map.of()).expect(400).errorFields());
        assertEquals(Set.of("prompt"), submitJob("{}", Map.of()).expect(400).errorFields());
        assertRefusedByDocument("POST", "/v1/jobs", "{}");
        assertEquals(
                Set.of("idempotencyKey"),
                submitJob("{\"prompt\":\"hi\",\"idempotencyKey\":\"one\"}", Map.of("Idempotency-Key", "two"))
                        .expect(400)
                        .errorFields());
        assertEquals(
                Set.of("Idempotency-Key"),
                submitJob("{\"prompt\":\"hi\"}", Map.of("Idempotency-Key", "has space"))
                        .expect(400)
                        .errorFields());

        assertEquals(
                "unsupported_media_type",
                send("POST", "/v1/jobs", key, "text/plain", "{\"prompt\":\"hi\"}", Map.of())
                        .problemCode(415));
        assertEquals(
                "unsupported_media_type",
                send("POST", "/v1/jobs", key, null, "{\"prompt\":\"hi\"}", Map.of())
                        .problemCode(415));
    }

    @Test
    @Order(12)
    void idempotentSubmissionsReplayOrConflict() {
        String idemKey = "oa-job-" + System.nanoTime();
        String body = "{\"prompt\":\"Explain the bug in: if (a = b) {}\",\"model\":\"fast\",\"maxTokens\":64}";
        String id = submitJob(body, Map.of("Idempotency-Key", idemKey))
                .expect(202)
                .json()
                .path("id")
                .asText();
        Exchange replay = submitJob(body, Map.of("Idempotency-Key", idemKey)).expect(200);
        assertEquals(id, replay.json().path("id").asText());
        assertEquals("/v1/jobs/" + id, replay.header("location"));
        assertEquals(
                "idempotency_key_reused",
                submitJob(body.replace("bug", "defect"), Map.of("Idempotency-Key", idemKey))
                        .problemCode(409));

        String inBody = "{\"prompt\":\"Explain: x++ + ++x\",\"model\":\"fast\",\"maxTokens\":64,"
                + "\"idempotencyKey\":\"oa-body-" + System.nanoTime() + "\"}";
        String bodyKeyed =
                submitJob(inBody, Map.of()).expect(202).json().path("id").asText();
        assertEquals(
                bodyKeyed,
                submitJob(inBody, Map.of()).expect(200).json().path("id").asText());
        awaitTerminal(id);
        awaitTerminal(bodyKeyed);
    }

    @Test
    @Order(13)
    void aJobWithAWebhookShowsIt() {
        String url = "http://127.0.0.1:9/hooks/bedrock-jobs";
        String body =
                "{\"prompt\":\"Summarize: int x = 1;\",\"model\":\"fast\",\"maxTokens\":32,\"webhook\":{\"url\":\""
                        + url + "\"},\"system\":null,\"temperature\":null,\"metadata\":null}";
        JsonNode view = submitJob(body, Map.of()).expect(202).json();
        String id = view.path("id").asText();
        assertEquals(url, view.path("webhook").path("url").asText());
        assertEquals(
                "job_not_terminal",
                send("POST", "/v1/jobs/" + id + "/webhook-deliveries/replay", key, null, null, Map.of())
                        .problemCode(409));
        awaitTerminal(id);
        JsonNode read = send("GET", "/v1/jobs/" + id, key, null, null, Map.of())
                .expect(200)
                .json();
        assertTrue(read.path("webhook").has("deliveries"), "one job read shows its delivery count");
        send("GET", "/v1/jobs/" + id + "/webhook-deliveries", key, null, null, Map.of())
                .expect(200);
        send("POST", "/v1/jobs/" + id + "/webhook-deliveries/replay", key, null, null, Map.of())
                .expect(202);
        Exchange limited = null;
        for (int i = 0; i < 12 && limited == null; i++) { // 5 a minute: a minute that turns over starts again
            Exchange r = send("POST", "/v1/jobs/" + id + "/webhook-deliveries/replay", key, null, null, Map.of());
            limited = r.status() == 429 ? r : null;
        }
        assertTrue(limited != null, "replays of one job are limited");
        assertEquals("rate_limited", limited.problemCode(429));
        assertTrue(limited.header("retry-after") != null);
        assertEquals(
                "not_found",
                send("GET", "/v1/jobs/" + id + "/webhook-deliveries", otherKey, null, null, Map.of())
                        .problemCode(404));
        assertEquals(
                "not_found",
                send("POST", "/v1/jobs/" + id + "/webhook-deliveries/replay", otherKey, null, null, Map.of())
                        .problemCode(404));
        String plain = requireSucceededJob();
        assertEquals(
                "no_webhook",
                send("POST", "/v1/jobs/" + plain + "/webhook-deliveries/replay", key, null, null, Map.of())
                        .problemCode(409));
        send("GET", "/v1/jobs/" + id + "/webhook-deliveries", null, null, null, Map.of())
                .expect(401);
        send("POST", "/v1/jobs/" + id + "/webhook-deliveries/replay", null, null, null, Map.of())
                .expect(401);
    }

    @Test
    @Order(13)
    void aJobsAnswerIsReadFromAnyOffsetAndOnlyByItsTenant() {
        String id = requireSucceededJob();
        String text = answerOf(id);
        int length = text.codePointCount(0, text.length());

        Exchange whole = send("GET", "/v1/jobs/" + id + "/output", key, null, null, Map.of())
                .expect(200);
        assertEquals(text, whole.json().path("text").asText());
        assertEquals(0, whole.json().path("offset").asLong());
        assertEquals(length, whole.json().path("nextOffset").asLong());
        assertTrue(whole.json().path("done").asBoolean());
        assertEquals("succeeded", whole.json().path("status").asText());
        assertNull(whole.header("retry-after"), "a finished answer carries no Retry-After");

        int from = length / 2;
        JsonNode rest = send("GET", "/v1/jobs/" + id + "/output?offset=" + from + "&wait=5", key, null, null, Map.of())
                .expect(200)
                .json();
        assertEquals(
                text.substring(text.offsetByCodePoints(0, from)),
                rest.path("text").asText());
        JsonNode end = send("GET", "/v1/jobs/" + id + "/output?offset=" + length, key, null, null, Map.of())
                .expect(200)
                .json();
        assertEquals("", end.path("text").asText());
        assertTrue(end.path("done").asBoolean());

        assertEquals(
                Set.of("offset"),
                send("GET", "/v1/jobs/" + id + "/output?offset=" + (length + 1), key, null, null, Map.of())
                        .expect(400)
                        .errorFields());
        assertEquals(
                Set.of("offset"),
                send("GET", "/v1/jobs/" + id + "/output?offset=-1", key, null, null, Map.of())
                        .expect(400)
                        .errorFields());
        assertEquals(
                "not_found",
                send("GET", "/v1/jobs/" + id + "/output", otherKey, null, null, Map.of())
                        .problemCode(404));
        assertEquals(
                "not_found",
                send("GET", "/v1/jobs/" + UNKNOWN_JOB + "/output", key, null, null, Map.of())
                        .problemCode(404));
    }

    @Test
    @Order(13)
    void aJobsAnswerFollowsAsEventsThatResumeAfterTheirIdAndStopAfterDone() {
        String id = requireSucceededJob();
        String text = answerOf(id);
        int length = text.codePointCount(0, text.length());

        Exchange all = send("GET", "/v1/jobs/" + id + "/events", key, null, null, Map.of())
                .expect(200);
        assertEquals(text, deltaText(all.body()));
        assertTrue(all.body().contains("id: done\nevent: done\n"), all.body());
        assertTrue(all.body().contains("\"status\":\"succeeded\""), all.body());

        int from = length / 2;
        Exchange resumed = send(
                        "GET",
                        "/v1/jobs/" + id + "/events?offset=0",
                        key,
                        null,
                        null,
                        Map.of("Last-Event-ID", Integer.toString(from)))
                .expect(200);
        assertEquals(text.substring(text.offsetByCodePoints(0, from)), deltaText(resumed.body()));
        assertEquals(
                text.substring(text.offsetByCodePoints(0, from)),
                deltaText(send("GET", "/v1/jobs/" + id + "/events?offset=" + from, key, null, null, Map.of())
                        .expect(200)
                        .body()));

        assertEquals(
                "",
                send("GET", "/v1/jobs/" + id + "/events", key, null, null, Map.of("Last-Event-ID", "done"))
                        .expect(204)
                        .body());
        assertEquals(
                Set.of("Last-Event-ID"),
                send("GET", "/v1/jobs/" + id + "/events", key, null, null, Map.of("Last-Event-ID", "next"))
                        .expect(400)
                        .errorFields());
        assertEquals(
                "not_found",
                send("GET", "/v1/jobs/" + id + "/events", otherKey, null, null, Map.of("Last-Event-ID", "done"))
                        .problemCode(404));
        assertEquals(
                "not_found",
                send("GET", "/v1/jobs/" + UNKNOWN_JOB + "/events", key, null, null, Map.of())
                        .problemCode(404));
    }

    /** The text of a server-sent events body's deltas, in order. */
    private static String deltaText(String events) {
        StringBuilder sb = new StringBuilder();
        for (String block : events.split("\n\n")) {
            if (block.contains("event: delta\n")) {
                String data = block.substring(block.indexOf("data: ") + 6);
                try {
                    sb.append(JSON.readTree(data).path("text").asText());
                } catch (IOException e) {
                    throw new AssertionError("an event's data is not JSON: " + data, e);
                }
            }
        }
        return sb.toString();
    }

    @Test
    @Order(14)
    void absentAndForeignJobsAreNotFound() {
        String mine = requireSucceededJob();
        assertEquals(
                "not_found",
                send("GET", "/v1/jobs/" + UNKNOWN_JOB, key, null, null, Map.of())
                        .problemCode(404));
        assertEquals(
                "not_found",
                send("GET", "/v1/jobs/not-a-job-id", key, null, null, Map.of()).problemCode(404));
        assertEquals(
                "not_found",
                send("DELETE", "/v1/jobs/" + UNKNOWN_JOB, key, null, null, Map.of())
                        .problemCode(404));
        assertEquals(
                "not_found",
                send("GET", "/v1/jobs/" + mine, otherKey, null, null, Map.of()).problemCode(404));
        assertEquals(
                "not_found",
                send("DELETE", "/v1/jobs/" + mine, otherKey, null, null, Map.of())
                        .problemCode(404));
        assertEquals(
                Set.of("wait"),
                send("GET", "/v1/jobs/" + mine + "?wait=21", key, null, null, Map.of())
                        .expect(400)
                        .errorFields());
        assertEquals(
                Set.of("wait"),
                send("GET", "/v1/jobs/" + mine + "?wait=soon", key, null, null, Map.of())
                        .expect(400)
                        .errorFields());
    }

    @Test
    @Order(15)
    void listingPagesThroughTheCallersJobs() {
        requireSucceededJob();
        Exchange page =
                send("GET", "/v1/jobs?limit=1", key, null, null, Map.of()).expect(200);
        assertEquals(1, page.json().path("items").size());
        String cursor = page.json().path("nextCursor").asText(null);
        assertNotNull(cursor, "several jobs exist, so a page of one has a next cursor");
        Exchange next = send("GET", "/v1/jobs?limit=1&cursor=" + enc(cursor), key, null, null, Map.of())
                .expect(200);
        assertFalse(
                next.json()
                        .path("items")
                        .get(0)
                        .path("id")
                        .asText()
                        .equals(page.json().path("items").get(0).path("id").asText()),
                "the next page moves on");

        Exchange succeeded = send("GET", "/v1/jobs?status=succeeded&limit=100", key, null, null, Map.of())
                .expect(200);
        assertFalse(succeeded.json().path("items").isEmpty());
        succeeded
                .json()
                .path("items")
                .forEach(j -> assertEquals("succeeded", j.path("status").asText()));

        Exchange theirs =
                send("GET", "/v1/jobs", otherKey, null, null, Map.of()).expect(200);
        assertEquals(0, theirs.json().path("items").size(), "another tenant sees none of these jobs");
        assertTrue(theirs.json().get("nextCursor").isNull());

        assertEquals(
                Set.of("status"),
                send("GET", "/v1/jobs?status=done", key, null, null, Map.of())
                        .expect(400)
                        .errorFields());
        assertEquals(
                Set.of("limit"),
                send("GET", "/v1/jobs?limit=0", key, null, null, Map.of())
                        .expect(400)
                        .errorFields());
        assertEquals(
                Set.of("limit"),
                send("GET", "/v1/jobs?limit=101", key, null, null, Map.of())
                        .expect(400)
                        .errorFields());
        assertEquals(
                Set.of("cursor"),
                send("GET", "/v1/jobs?cursor=" + enc("not a cursor"), key, null, null, Map.of())
                        .expect(400)
                        .errorFields());
        assertEquals(
                "not_found",
                send("GET", "/v1/jobs?batchId=" + UNKNOWN_BATCH, key, null, null, Map.of())
                        .problemCode(404));
    }

    @Test
    @Order(16)
    void cancelingARunningJobMarksItThenCancelsIt() throws InterruptedException {
        String id = submitJob(
                        "{\"prompt\":\"Review a long file slowly\",\"model\":\"fast\",\"maxTokens\":64}", Map.of())
                .expect(202)
                .json()
                .path("id")
                .asText();
        // wait until a worker holds it, so the cancel takes the 'running' path (the model answers after 1.5 s)
        JsonNode seen = null;
        for (int i = 0; i < 100; i++) {
            seen = send("GET", "/v1/jobs/" + id, key, null, null, Map.of())
                    .expect(200)
                    .json();
            if (!seen.path("status").asText().equals("queued")) {
                break;
            }
            Thread.sleep(50);
        }
        Exchange canceled =
                send("DELETE", "/v1/jobs/" + id, key, null, null, Map.of()).expect(202);
        JsonNode view = canceled.json();
        if (view.path("status").asText().equals("running")) {
            assertTrue(view.path("cancelRequested").asBoolean(), view::toString);
            assertNotNull(canceled.header("retry-after"));
            JsonNode again = send("GET", "/v1/jobs/" + id, key, null, null, Map.of())
                    .expect(200)
                    .json();
            assertTrue(again.path("cancelRequested").asBoolean() || isTerminal(again), again::toString);
        } else {
            assertEquals("canceled", view.path("status").asText(), "after " + seen + ": " + view);
        }
        JsonNode end = awaitTerminal(id).json();
        assertEquals("canceled", end.path("status").asText(), end::toString);
        assertFalse(end.has("result"), "a canceled job's result is discarded");
        assertEquals(
                "job_terminal",
                send("DELETE", "/v1/jobs/" + id, key, null, null, Map.of()).problemCode(409));
        assertEquals(
                "job_terminal",
                send("DELETE", "/v1/jobs/" + requireSucceededJob(), key, null, null, Map.of())
                        .problemCode(409));
    }

    // ---- batches ----

    @Test
    @Order(19)
    void aBatchAskingForTheInteractiveLaneWithoutLeaveIsForbidden() {
        String body = "{\"items\": [{\"prompt\": \"hi\"}], \"priority\": \"interactive\"}";
        assertEquals(
                "interactive_batches_not_allowed",
                send("POST", "/v1/batches", key, "application/json", body, Map.of())
                        .problemCode(403));
    }

    @Test
    @Order(20)
    void submitFollowAndCollectABatch() {
        String body = "{\"defaults\":{\"model\":\"fast\",\"maxTokens\":64,\"system\":\"You review code.\"},"
                + "\"items\":[{\"customId\":\"src/A.java\",\"prompt\":\"class A { int f() { return 1/0; } }\"},"
                + "{\"prompt\":\"class B {}\",\"metadata\":{\"file\":\"B.java\"}},"
                + "{\"customId\":\"src/C.java\",\"prompt\":\"class C { void g() { g(); } }\",\"temperature\":0}]}";
        Exchange submitted = submitBatch(body, Map.of()).expect(202);
        JsonNode batch = submitted.json();
        String id = batch.path("id").asText();
        assertEquals("/v1/batches/" + id, submitted.header("location"));
        assertNotNull(submitted.header("retry-after"));
        assertEquals(3, batch.path("counts").path("total").asInt());
        assertEquals(List.of("src/A.java", "1", "src/C.java"), customIds(batch.path("jobs")));
        assertTrue(batch.get("nextCursor").isNull());

        Exchange firstTwo = send("GET", "/v1/batches/" + id + "?limit=2", key, null, null, Map.of())
                .expect(200);
        assertEquals(2, firstTwo.json().path("jobs").size());
        String cursor = firstTwo.json().path("nextCursor").asText(null);
        assertNotNull(cursor);
        Exchange rest = send("GET", "/v1/batches/" + id + "?limit=2&cursor=" + enc(cursor), key, null, null, Map.of())
                .expect(200);
        assertEquals(List.of("src/C.java"), customIds(rest.json().path("jobs")));
        assertTrue(rest.json().get("nextCursor").isNull());

        for (JsonNode job : batch.path("jobs")) {
            JsonNode view = awaitTerminal(job.path("id").asText()).json();
            assertEquals(id, view.path("batchId").asText());
            assertEquals(job.path("customId").asText(), view.path("customId").asText());
        }
        JsonNode done = awaitBatchDone(id).json();
        assertEquals("completed", done.path("status").asText(), done::toString);
        assertEquals(3, done.path("counts").path("succeeded").asInt());
        assertTrue(done.path("cost").path("usd").isNumber());

        Exchange results = send("GET", "/v1/batches/" + id + "/results", key, null, null, Map.of())
                .expect(200);
        assertNull(results.header("link"), "three short results fit in one body");
        List<JsonNode> lines = ndjson(results.body());
        assertEquals(
                List.of("src/A.java", "1", "src/C.java"),
                lines.stream().map(l -> l.path("customId").asText()).toList());
        lines.forEach(l -> {
            assertEquals("succeeded", l.path("status").asText());
            assertFalse(l.path("text").asText().isBlank());
        });

        Exchange listed =
                send("GET", "/v1/jobs?batchId=" + id, key, null, null, Map.of()).expect(200);
        assertEquals(
                List.of("src/A.java", "1", "src/C.java"),
                customIds(listed.json().path("items")));
        assertEquals(
                3,
                send("GET", "/v1/jobs?batchId=" + id + "&status=succeeded", key, null, null, Map.of())
                        .expect(200)
                        .json()
                        .path("items")
                        .size());
        assertEquals(
                0,
                send("GET", "/v1/jobs?batchId=" + id + "&status=failed", key, null, null, Map.of())
                        .expect(200)
                        .json()
                        .path("items")
                        .size());

        assertEquals(
                "batch_terminal",
                send("DELETE", "/v1/batches/" + id, key, null, null, Map.of()).problemCode(409));
        assertEquals(
                Set.of("limit"),
                send("GET", "/v1/batches/" + id + "?limit=0", key, null, null, Map.of())
                        .expect(400)
                        .errorFields());
        assertEquals(
                Set.of("limit"),
                send("GET", "/v1/batches/" + id + "?limit=1001", key, null, null, Map.of())
                        .expect(400)
                        .errorFields());
        assertEquals(
                Set.of("cursor"),
                send("GET", "/v1/batches/" + id + "/results?cursor=" + enc("%%"), key, null, null, Map.of())
                        .expect(400)
                        .errorFields());
        assertEquals(
                "not_found",
                send("GET", "/v1/batches/" + id, otherKey, null, null, Map.of()).problemCode(404));
        assertEquals(
                "not_found",
                send("GET", "/v1/batches/" + id + "/results", otherKey, null, null, Map.of())
                        .problemCode(404));
        assertEquals(
                "not_found",
                send("DELETE", "/v1/batches/" + id, otherKey, null, null, Map.of())
                        .problemCode(404));
    }

    @Test
    @Order(21)
    void cancelingABatchCancelsWhatHasNotFinished() {
        ArrayNode items = JSON.createArrayNode();
        for (int i = 0; i < 12; i++) {
            items.addObject().put("customId", "f" + i).put("prompt", "Review file number " + i);
        }
        ObjectNode request = JSON.createObjectNode();
        request.putObject("defaults").put("model", "fast").put("maxTokens", 32);
        request.set("items", items);
        String body = request.toString();
        JsonNode batch = submitBatch(body, Map.of()).expect(202).json();
        String id = batch.path("id").asText();

        JsonNode canceled = send("DELETE", "/v1/batches/" + id, key, null, null, Map.of())
                .expect(202)
                .json();
        assertEquals("canceled", canceled.path("status").asText());
        for (JsonNode job : canceled.path("jobs")) {
            String status = job.path("status").asText();
            assertTrue(status.equals("canceled") || job.path("cancelRequested").asBoolean(), job::toString);
        }
        for (JsonNode job : batch.path("jobs")) {
            assertEquals(
                    "canceled",
                    awaitTerminal(job.path("id").asText()).json().path("status").asText());
        }
        List<JsonNode> lines = ndjson(send("GET", "/v1/batches/" + id + "/results", key, null, null, Map.of())
                .expect(200)
                .body());
        assertEquals(12, lines.size());
        lines.forEach(l -> {
            assertEquals("canceled", l.path("status").asText());
            assertFalse(l.has("text"));
        });
        JsonNode after = send("GET", "/v1/batches/" + id, key, null, null, Map.of())
                .expect(200)
                .json();
        assertEquals("canceled", after.path("status").asText());
    }

    @Test
    @Order(22)
    void badBatchesAreRefusedWhole() {
        String bad = "{\"defaults\":{\"model\":\"huge\",\"stop\":true},\"items\":[{\"customId\":\"x\",\"prompt\":\"a\","
                + "\"colour\":\"red\"},{\"customId\":\"x\",\"prompt\":\"\"},\"not an object\"]}";
        Exchange r = submitBatch(bad, Map.of()).expect(400);
        assertEquals(
                new TreeSet<>(Set.of(
                        "defaults.model",
                        "defaults.stop",
                        "items[0].colour",
                        "items[1].customId",
                        "items[1].prompt",
                        "items[2]")),
                r.errorFields());
        assertRefusedByDocument("POST", "/v1/batches", bad);
        assertEquals(
                Set.of("items"),
                submitBatch("{\"items\":[]}", Map.of()).expect(400).errorFields());
        assertRefusedByDocument("POST", "/v1/batches", "{\"items\":[]}");
        assertEquals(Set.of("items"), submitBatch("{}", Map.of()).expect(400).errorFields());
        assertRefusedByDocument("POST", "/v1/batches", "{}");
        assertEquals(
                "unsupported_media_type",
                send("POST", "/v1/batches", key, "application/xml", "<items/>", Map.of())
                        .problemCode(415));
    }

    @Test
    @Order(23)
    void idempotentBatchesReplayOrConflict() {
        String idemKey = "oa-batch-" + System.nanoTime();
        String body = "{\"defaults\":{\"model\":\"fast\",\"maxTokens\":16},\"items\":[{\"prompt\":\"one\"}]}";
        String id = submitBatch(body, Map.of("Idempotency-Key", idemKey))
                .expect(202)
                .json()
                .path("id")
                .asText();
        Exchange replay = submitBatch(body, Map.of("Idempotency-Key", idemKey)).expect(200);
        assertEquals(id, replay.json().path("id").asText());
        assertEquals("/v1/batches/" + id, replay.header("location"));
        assertEquals(
                "idempotency_key_reused",
                submitBatch(body.replace("one", "two"), Map.of("Idempotency-Key", idemKey))
                        .problemCode(409));
        awaitBatchDone(id);
    }

    @Test
    @Order(24)
    void absentBatchesAreNotFound() {
        for (String path : List.of(
                "/v1/batches/" + UNKNOWN_BATCH,
                "/v1/batches/" + UNKNOWN_BATCH + "/results",
                "/v1/batches/nope",
                "/v1/batches/nope/results")) {
            assertEquals(
                    "not_found", send("GET", path, key, null, null, Map.of()).problemCode(404), path);
        }
        assertEquals(
                "not_found",
                send("DELETE", "/v1/batches/" + UNKNOWN_BATCH, key, null, null, Map.of())
                        .problemCode(404));
    }

    // ---- answers the front gives itself ----

    @Test
    @Order(30)
    void anOversizedBodyIsRefusedBeforeAnyFunctionRuns() {
        // one byte over API Gateway's 10 MB payload quota, which the local front enforces
        String prompt = "a".repeat(10 * 1024 * 1024);
        for (String path : List.of("/v1/jobs", "/v1/batches")) {
            String body = path.equals("/v1/jobs")
                    ? "{\"prompt\":\"" + prompt + "\"}"
                    : "{\"items\":[{\"prompt\":\"" + prompt + "\"}]}";
            assertEquals(
                    "payload_too_large",
                    send("POST", path, key, "application/json", body, Map.of()).problemCode(413));
        }
    }

    @Test
    @Order(31)
    void anUnknownRouteIsAProblemToo() {
        Exchange r = sendUnchecked("GET", "/v1/nothing-here", key, null, null, Map.of());
        assertEquals(404, r.status());
        assertEquals("application/problem+json", OpenApiDocument.mediaType(r.header("content-type")));
        assertEquals(List.of(), contract.errorsAgainstComponent("Problem", r.json()));
    }

    // ---- limits, usage and the response cache ----

    @Test
    @Order(40)
    void aTenantOverItsBudgetIsRefusedWithRetryAfter() {
        String limited = stack.createTenant("openapi-contract-limited");
        stack.setTenantLimits("openapi-contract-limited", new TenantLimits.Overrides(null, null, 1L, null, null));
        Exchange job = send("POST", "/v1/jobs", limited, "application/json", "{\"prompt\":\"hi\"}", Map.of());
        assertEquals("budget_exceeded", job.problemCode(429));
        assertNotNull(job.header("retry-after"));
        Exchange batch =
                send("POST", "/v1/batches", limited, "application/json", "{\"items\":[{\"prompt\":\"hi\"}]}", Map.of());
        assertEquals("budget_exceeded", batch.problemCode(429));
        assertNotNull(batch.header("retry-after"));
    }

    @Test
    @Order(41)
    void theUsageReportCountsTheTenantsJobs() {
        JsonNode usage =
                send("GET", "/v1/usage", key, null, null, Map.of()).expect(200).json();
        assertTrue(usage.path("jobs").path("submitted").asLong() >= 1, usage::toString);
        assertTrue(usage.path("byModel").size() >= 1, usage::toString);
        String month = usage.path("month").asText();
        assertEquals(
                month,
                send("GET", "/v1/usage?month=" + month, key, null, null, Map.of())
                        .expect(200)
                        .json()
                        .path("month")
                        .asText());
        assertEquals(
                Set.of("month"),
                send("GET", "/v1/usage?month=2026-00", key, null, null, Map.of())
                        .expect(400)
                        .errorFields());

        JsonNode byDay = send("GET", "/v1/usage?by=day&month=" + month, key, null, null, Map.of())
                .expect(200)
                .json();
        long dayTokens = 0;
        long daySucceeded = 0;
        for (JsonNode day : byDay.path("byDay")) {
            assertTrue(day.path("date").asText().startsWith(month + "-"), day::toString);
            dayTokens +=
                    day.path("inputTokens").asLong() + day.path("outputTokens").asLong();
            daySucceeded += day.path("jobs").path("succeeded").asLong();
        }
        assertTrue(byDay.path("byDay").size() >= 1, byDay::toString);
        assertEquals(
                byDay.path("inputTokens").asLong() + byDay.path("outputTokens").asLong(),
                dayTokens,
                "the days add up to the month");
        assertEquals(byDay.path("jobs").path("succeeded").asLong(), daySucceeded);
        assertEquals(
                Set.of("by"),
                send("GET", "/v1/usage?by=week", key, null, null, Map.of())
                        .expect(400)
                        .errorFields());
    }

    // ---- the console ----

    @Test
    @Order(50)
    void theConsolesFilesAreServedWithoutAKeyAndNothingElseUnderIt() {
        Exchange page = send("GET", "/console", null, null, null, Map.of()).expect(200);
        assertTrue(page.header("content-security-policy").contains("default-src 'self'"));
        send("GET", "/console/console.js", null, null, null, Map.of()).expect(200);
        send("GET", "/console/console.css", null, null, null, Map.of()).expect(200);
        assertEquals(
                "not_found",
                send("GET", "/console/secrets.txt", null, null, null, Map.of()).problemCode(404));
    }

    @Test
    @Order(42)
    void aCachedAnswerIsAJobThatHasSucceeded() {
        String body = "{\"prompt\":\"Cache this answer\",\"model\":\"fast\",\"cache\":true}";
        String first = submitJob(body, Map.of()).expect(202).json().path("id").asText();
        assertEquals("succeeded", awaitTerminal(first).json().path("status").asText());
        JsonNode hit = submitJob(body, Map.of()).expect(202).json();
        assertTrue(hit.path("cached").asBoolean(), hit::toString);
        assertEquals("succeeded", hit.path("status").asText());
        assertTrue(send("GET", "/v1/jobs/" + hit.path("id").asText(), key, null, null, Map.of())
                .expect(200)
                .json()
                .path("cached")
                .asBoolean());
    }

    // ---- coverage ----

    @Test
    @Order(99)
    void everyDocumentedOperationAndStatusWasProduced() {
        Map<String, Set<String>> missing = new TreeMap<>();
        for (OpenApiDocument.Operation op : contract.document().operations()) {
            Set<Integer> seen = exercised.getOrDefault(op.key(), Set.of());
            op.node().path("responses").fieldNames().forEachRemaining(status -> {
                int code = Integer.parseInt(status);
                if (!seen.contains(code)
                        && !ONLY_IN_AWS_OR_ON_FAILURE.contains(code)
                        && !ONLY_IN_AWS.getOrDefault(op.key(), Set.of()).contains(code)) {
                    missing.computeIfAbsent(op.key(), k -> new TreeSet<>()).add(status);
                }
            });
        }
        assertEquals(
                Map.of(), missing, "documented responses no test produced; exercised: " + new TreeMap<>(exercised));
    }

    // ---- helpers ----

    private static Exchange submitJob(String body, Map<String, String> headers) {
        Exchange r = send("POST", "/v1/jobs", key, "application/json", body, headers);
        if (r.status() == 202 || r.status() == 200) {
            assertEquals(
                    List.of(),
                    contract.requestBodyErrors("POST", "/v1/jobs", "application/json", body),
                    "the server accepted a request the document refuses: " + body);
        }
        return r;
    }

    private static Exchange submitBatch(String body, Map<String, String> headers) {
        Exchange r = send("POST", "/v1/batches", key, "application/json", body, headers);
        if (r.status() == 202 || r.status() == 200) {
            assertEquals(
                    List.of(),
                    contract.requestBodyErrors("POST", "/v1/batches", "application/json", body),
                    "the server accepted a request the document refuses: " + body);
        }
        return r;
    }

    private static void assertRefusedByDocument(String method, String pathTemplate, String body) {
        assertFalse(
                contract.requestBodyErrors(method, pathTemplate, "application/json", body)
                        .isEmpty(),
                "the server refuses this body, and so must the document: " + body);
    }

    /** Sends a request and checks the answer against the document. */
    private static Exchange send(
            String method,
            String pathAndQuery,
            String apiKey,
            String contentType,
            String body,
            Map<String, String> headers) {
        Exchange r = sendUnchecked(method, pathAndQuery, apiKey, contentType, body, headers);
        ContractValidator.Checked checked =
                contract.checkResponse(method, rawPath(pathAndQuery), r.status(), r.headers(), r.body());
        exercised
                .computeIfAbsent(checked.operation().key(), k -> ConcurrentHashMap.newKeySet())
                .add(r.status());
        return r;
    }

    private static Exchange sendUnchecked(
            String method,
            String pathAndQuery,
            String apiKey,
            String contentType,
            String body,
            Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(stack.apiUrl() + pathAndQuery))
                .timeout(Duration.ofSeconds(40))
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        headers.forEach(b::header);
        HttpResponse<String> response;
        try {
            response = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError(method + " " + pathAndQuery + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        Map<String, String> h = new LinkedHashMap<>();
        response.headers().map().forEach((name, values) -> {
            if (!values.isEmpty()) {
                h.put(name.toLowerCase(Locale.ROOT), values.get(0));
            }
        });
        return new Exchange(method, pathAndQuery, response.statusCode(), h, response.body());
    }

    /** Long-polls until the job is terminal (a few rounds of {@code ?wait=20}). */
    private static Exchange awaitTerminal(String jobId) {
        Exchange last = null;
        for (int round = 0; round < 6; round++) {
            last = send("GET", "/v1/jobs/" + jobId + "?wait=20", key, null, null, Map.of())
                    .expect(200);
            if (isTerminal(last.json())) {
                return last;
            }
        }
        throw new AssertionError("job " + jobId + " did not finish: " + last.body());
    }

    /** A batch's counters follow its jobs: polls until it says done. */
    private static Exchange awaitBatchDone(String batchId) {
        Exchange last = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            last = send("GET", "/v1/batches/" + batchId, key, null, null, Map.of())
                    .expect(200);
            if (last.json().path("done").asBoolean()) {
                assertNull(last.header("retry-after"), "a done batch carries no Retry-After");
                return last;
            }
            assertNotNull(last.header("retry-after"), "a batch in progress carries Retry-After");
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
        throw new AssertionError("batch " + batchId + " did not finish: " + last.body());
    }

    /** The whole answer of a finished job, as its status shows it. */
    private String answerOf(String id) {
        return send("GET", "/v1/jobs/" + id, key, null, null, Map.of())
                .expect(200)
                .json()
                .path("result")
                .path("text")
                .asText();
    }

    private static synchronized String requireSucceededJob() {
        if (succeededJobId == null) {
            String id = submitJob("{\"prompt\":\"Say ok\",\"model\":\"fast\",\"maxTokens\":16}", Map.of())
                    .expect(202)
                    .json()
                    .path("id")
                    .asText();
            assertEquals("succeeded", awaitTerminal(id).json().path("status").asText());
            succeededJobId = id;
        }
        return succeededJobId;
    }

    private static boolean isTerminal(JsonNode job) {
        return Set.of("succeeded", "failed", "canceled")
                .contains(job.path("status").asText());
    }

    private static List<String> customIds(JsonNode jobs) {
        List<String> out = new ArrayList<>();
        jobs.forEach(j -> out.add(j.path("customId").asText()));
        return out;
    }

    private static List<JsonNode> ndjson(String body) {
        return body.lines()
                .filter(l -> !l.isEmpty())
                .map(l -> {
                    try {
                        return JSON.readTree(l);
                    } catch (IOException e) {
                        throw new AssertionError("not a JSON line: " + l, e);
                    }
                })
                .collect(Collectors.toList());
    }

    private static String rawPath(String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        return q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
