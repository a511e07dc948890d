package dev.bedrockjobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The client's error mapping, against a real HTTP server answering what the API (or a proxy) can answer. */
class ApiClientTest {
    @RegisterExtension
    final TinyServer server = new TinyServer();

    private final List<Long> sleeps = new ArrayList<>();
    private final List<String> notices = new ArrayList<>();

    private ApiClient client(String keySource) {
        return new ApiClient(new ApiConfig(server.url(), "k-123", keySource), sleeps::add, notices::add);
    }

    private ApiClient client() {
        return client(ApiConfig.KEY_ENV);
    }

    @Test
    void sendsTheKeyAndJsonAndReadsTheView() {
        server.thenJson(202, "{\"id\": \"j_1\", \"status\": \"queued\"}");
        JsonNode job = client().submitJob(Json.object().put("prompt", "hi"));
        assertEquals("j_1", job.get("id").asText());
        TinyServer.Received r = server.received.get(0);
        assertEquals("POST", r.method());
        assertEquals("/v1/jobs", r.path());
        assertEquals("Bearer k-123", r.header("Authorization"));
        assertEquals("application/json", r.header("Content-Type"));
        assertTrue(r.header("Idempotency-Key").startsWith("cli-"), "a retried POST must not enqueue twice");
        assertEquals("{\"prompt\":\"hi\"}", r.body());
    }

    @Test
    void waitIsPassedAndCapped() {
        server.thenJson(200, "{\"id\": \"j_1\", \"status\": \"running\"}");
        client().getJob("j_1", 99);
        assertEquals("/v1/jobs/j_1?wait=20", server.received.get(0).path());
    }

    @Test
    void unauthorizedNamesTheKeyVariable() {
        server.thenProblem(
                401,
                "{\"type\":\"urn:bedrock-jobs:problem:unauthorized\",\"title\":\"Authentication "
                        + "required\",\"status\":401,\"detail\":\"Send a valid API key.\",\"code\":\"unauthorized\"}");
        ApiException e = assertThrows(ApiException.class, () -> client().getJob("j_1", 0));
        assertEquals("the API key was refused (BEDROCK_JOBS_API_KEY)", e.getMessage());
        assertEquals(CliException.USAGE, e.exitCode());
        assertEquals(401, e.status());
    }

    @Test
    void forbiddenIsARefusedKeyToo() {
        server.thenJson(403, "{\"message\":\"Forbidden\"}");
        ApiException e =
                assertThrows(ApiException.class, () -> client("--api-key").getBatch("b_1"));
        assertEquals(
                "the API key was refused (BEDROCK_JOBS_API_KEY); the key sent came from --api-key", e.getMessage());
    }

    @Test
    void tooManyRequestsIsRetriedAfterRetryAfter() {
        server.then(429, Map.of("Retry-After", "7"), "")
                .then(503, Map.of("Retry-After", "2"), "")
                .thenJson(200, "{\"id\": \"b_1\", \"done\": true}");
        JsonNode view = client().getBatch("b_1");
        assertEquals("b_1", view.get("id").asText());
        assertEquals(List.of(7000L, 2000L), sleeps);
        assertEquals(3, server.received.size());
        assertEquals(2, notices.size());
        assertEquals("the API answered 429 (too many requests); retrying in 7 s (attempt 2 of 5)", notices.get(0));
        assertEquals("the API answered 503 (service unavailable); retrying in 2 s (attempt 3 of 5)", notices.get(1));
    }

    @Test
    void retriedPostsKeepTheirIdempotencyKey() {
        server.then(429, Map.of("Retry-After", "1"), "").thenJson(202, "{\"id\": \"j_9\"}");
        client().submitJob(Json.object().put("prompt", "x"));
        assertEquals(
                server.received.get(0).header("Idempotency-Key"),
                server.received.get(1).header("Idempotency-Key"));
    }

    @Test
    void busyForTooLongGivesUp() {
        for (int i = 0; i < ApiClient.MAX_ATTEMPTS; i++) {
            server.thenProblem(503, "{\"title\":\"Unavailable\",\"detail\":\"the queue is full\",\"code\":\"busy\"}");
        }
        ApiException e = assertThrows(ApiException.class, () -> client().getBatch("b_1"));
        assertEquals("the API is still busy (503) after 5 attempts: the queue is full", e.getMessage());
        assertEquals(CliException.FAILED, e.exitCode());
        assertEquals(4, sleeps.size());
        assertEquals(List.of(1000L, 2000L, 4000L, 8000L), sleeps, "without Retry-After: growing pauses");
    }

    @Test
    void retryAfterAsAnHttpDateAndCaps() {
        String inTenSeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(10));
        long d = ApiClient.retryDelayMillis(Optional.of(inTenSeconds), 1);
        assertTrue(d > 8000 && d <= 10_000, "delay " + d);
        assertEquals(ApiClient.MAX_RETRY_DELAY_MILLIS, ApiClient.retryDelayMillis(Optional.of("3600"), 1));
        assertEquals(0, ApiClient.retryDelayMillis(Optional.of("-5"), 1));
        assertEquals(4000, ApiClient.retryDelayMillis(Optional.of("soon"), 3));
    }

    @Test
    void validationProblemsAreListedFieldByField() {
        server.thenProblem(
                400,
                "{\"type\":\"urn:bedrock-jobs:problem:validation_failed\",\"title\":\"The request "
                        + "is not valid\",\"status\":400,\"detail\":\"2 fields are invalid\",\"code\":\"validation_failed\","
                        + "\"errors\":[{\"field\":\"items[1].prompt\",\"message\":\"must not be blank\"},"
                        + "{\"field\":\"defaults.model\",\"message\":\"must be fast, standard or reasoning\"}]}");
        ApiException e = assertThrows(ApiException.class, () -> client().submitBatch(Json.object()));
        assertEquals("""
                The request is not valid (400 validation_failed)
                  - items[1].prompt: must not be blank
                  - defaults.model: must be fast, standard or reasoning""", e.getMessage());
        assertEquals(CliException.USAGE, e.exitCode());
        assertEquals("validation_failed", e.code());
        assertEquals(2, e.errors().size());

        JsonlItems items = JsonlItems.parse("in.jsonl", "{\"prompt\":\"a\"}\n\n{\"prompt\":\"b\"}\n");
        assertEquals("""
                The request is not valid (400 validation_failed)
                  - items[1].prompt (in.jsonl line 3): must not be blank
                  - defaults.model: must be fast, standard or reasoning""", e.relabel(items::label).getMessage());
    }

    @Test
    void otherProblemsShowTheirDetail() {
        server.thenProblem(
                404,
                "{\"title\":\"Not found\",\"status\":404,\"detail\":\"job j_x was not found\","
                        + "\"code\":\"not_found\"}");
        ApiException e = assertThrows(ApiException.class, () -> client().getJob("j_x", 0));
        assertEquals("job j_x was not found (404 not_found)", e.getMessage());
        assertEquals(CliException.USAGE, e.exitCode());
    }

    @Test
    void aServerErrorWithoutProblemShowsAnExcerpt() {
        server.then(502, Map.of("Content-Type", "text/html"), "<html>Bad Gateway</html>");
        ApiException e = assertThrows(ApiException.class, () -> client().getBatch("b_1"));
        assertEquals("GET /v1/batches/b_1 answered 502: <html>Bad Gateway</html>", e.getMessage());
        assertEquals(CliException.FAILED, e.exitCode());
    }

    @Test
    void connectionRefusedTellsToStartTheStack() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        URI url = URI.create("http://127.0.0.1:" + port);
        ApiClient client = new ApiClient(new ApiConfig(url, "k", ApiConfig.KEY_ENV), sleeps::add, notices::add);
        CliException e = assertThrows(CliException.class, () -> client.getJob("j_1", 0));
        assertEquals("cannot reach " + url + ": is the stack running? (local/run)", e.getMessage());
        assertEquals(CliException.USAGE, e.exitCode());
    }

    @Test
    void resultsStreamLineByLine() {
        server.then(
                200,
                Map.of("Content-Type", "application/x-ndjson"),
                "{\"customId\":\"a\",\"status\":\"succeeded\"}\n\n{\"customId\":\"b\",\"status\":\"failed\"}\n");
        List<String> lines = new ArrayList<>();
        client().batchResults("b_1", lines::add);
        assertEquals(
                List.of("{\"customId\":\"a\",\"status\":\"succeeded\"}", "{\"customId\":\"b\",\"status\":\"failed\"}"),
                lines);
        assertEquals("/v1/batches/b_1/results", server.received.get(0).path());
    }

    @Test
    void idsAreEncodedAsOnePathSegment() {
        server.thenJson(200, "{}");
        client().getBatch("a/b c");
        assertEquals("/v1/batches/a%2Fb%20c", server.received.get(0).path());
    }

    @Test
    void resultsFollowTheNextLinkOfACutResponse() {
        assertEquals(
                "/v1/batches/b/results?cursor=abc",
                ApiClient.nextLink(Optional.of("</v1/batches/b/results?cursor=abc>; rel=\"next\"")));
        assertEquals(null, ApiClient.nextLink(Optional.empty()));
        assertEquals(
                null,
                ApiClient.nextLink(Optional.of("<https://elsewhere.example/x>; rel=\"next\"")),
                "only a path on the same API is followed");
    }
}
