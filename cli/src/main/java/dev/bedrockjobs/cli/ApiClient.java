package dev.bedrockjobs.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The bedrock-jobs HTTP API over {@link HttpClient}: bearer auth, JSON bodies, and every failure turned into one
 * clear {@link CliException}. 429 and 503 answers are retried after the server's {@code Retry-After} (or a growing
 * pause when it sends none), a few times, each retry announced through {@code notices}; POSTs carry an idempotency
 * key so a retried submission can never enqueue twice.
 */
public final class ApiClient {
    /** The longest hold {@code GET /v1/jobs/{id}?wait=N} allows (DESIGN §3). */
    public static final int MAX_WAIT_SECONDS = 20;

    static final int MAX_ATTEMPTS = 5;
    static final long MAX_RETRY_DELAY_MILLIS = 60_000;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final String USER_AGENT = "bedrock-jobs-cli/" + Version.get();

    private final ApiConfig config;
    private final HttpClient http;
    private final CliContext.Sleeper sleeper;
    private final Consumer<String> notices;

    public ApiClient(ApiConfig config, CliContext.Sleeper sleeper, Consumer<String> notices) {
        this.config = config;
        this.sleeper = sleeper;
        this.notices = notices;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    public ApiConfig config() {
        return config;
    }

    /** {@code POST /v1/jobs}: the job view of the new (or, for a repeated key, the original) job. */
    public JsonNode submitJob(JsonNode request) {
        return json(send("POST", "/v1/jobs", request, REQUEST_TIMEOUT));
    }

    /** {@code GET /v1/jobs/{id}?wait=N}: held by the server until the job is terminal or N seconds pass. */
    public JsonNode getJob(String id, int waitSeconds) {
        int wait = Math.max(0, Math.min(MAX_WAIT_SECONDS, waitSeconds));
        String path = "/v1/jobs/" + segment(id) + (wait > 0 ? "?wait=" + wait : "");
        return json(send("GET", path, null, REQUEST_TIMEOUT.plusSeconds(wait)));
    }

    /**
     * {@code GET /v1/jobs/{id}/output?offset=N&wait=S}: {@code {text, nextOffset, done, status}}, the answer from the
     * offset as far as it is written; held by the server until there is text past the offset or the job has ended.
     */
    public JsonNode getOutput(String id, long offset, int waitSeconds) {
        int wait = Math.max(0, Math.min(MAX_WAIT_SECONDS, waitSeconds));
        String path = "/v1/jobs/" + segment(id) + "/output?offset=" + offset + (wait > 0 ? "&wait=" + wait : "");
        return json(send("GET", path, null, REQUEST_TIMEOUT.plusSeconds(wait)));
    }

    /**
     * {@code DELETE /v1/jobs/{id}}: the job view, canceled (it was queued) or with {@code cancelRequested} (it is
     * running). A job already finished is an {@link ApiException} of status 409 and code {@code job_terminal}.
     */
    public JsonNode cancelJob(String id) {
        return json(send("DELETE", "/v1/jobs/" + segment(id), null, REQUEST_TIMEOUT));
    }

    /** {@code GET /v1/jobs/{id}/webhook-deliveries}: {@code {items: [...]}}, every attempt of the job's events. */
    public JsonNode webhookDeliveries(String id) {
        return json(send("GET", "/v1/jobs/" + segment(id) + "/webhook-deliveries", null, REQUEST_TIMEOUT));
    }

    /** {@code GET /v1/usage}: the tenant's usage in the current month (UTC). */
    public JsonNode usage() {
        return json(send("GET", "/v1/usage", null, REQUEST_TIMEOUT));
    }

    /** {@code POST /v1/batches}: the batch view. */
    public JsonNode submitBatch(JsonNode request) {
        return json(send("POST", "/v1/batches", request, REQUEST_TIMEOUT));
    }

    /** {@code GET /v1/batches/{id}}: counts, usage, cost, the done flag. */
    public JsonNode getBatch(String id) {
        return json(send("GET", "/v1/batches/" + segment(id), null, REQUEST_TIMEOUT));
    }

    /**
     * {@code GET /v1/batches/{id}?limit=N&cursor=C}: the batch view with one page of at most N of its jobs, in item
     * order, from {@code cursor} (null: the first page); the view's {@code nextCursor} leads to the next page.
     */
    public JsonNode getBatch(String id, int limit, String cursor) {
        String path = "/v1/batches/" + segment(id) + "?limit=" + limit
                + (cursor != null ? "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8) : "");
        return json(send("GET", path, null, REQUEST_TIMEOUT));
    }

    /**
     * {@code GET /v1/batches/{id}/results}: hands each NDJSON line to {@code lines} as it arrives, following the
     * server's {@code Link: <...>; rel="next"} when a large result set comes in several responses.
     */
    public void batchResults(String id, Consumer<String> lines) {
        String path = "/v1/batches/" + segment(id) + "/results";
        while (path != null) {
            HttpResponse<InputStream> response = send("GET", path, null, REQUEST_TIMEOUT);
            path = nextLink(response.headers().firstValue("Link"));
            try (BufferedReader in =
                    new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (!line.isBlank()) {
                        lines.accept(line);
                    }
                }
            } catch (IOException e) {
                throw new CliException(
                        CliException.FAILED, "the results of batch " + id + " broke off: " + describe(e));
            }
        }
    }

    /** The path of a {@code rel="next"} link, or null when this was the last part. */
    static String nextLink(Optional<String> header) {
        if (header.isEmpty()) {
            return null;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?")
                .matcher(header.get());
        return m.find() && m.group(1).startsWith("/") ? m.group(1) : null;
    }

    /** The status and body of an answer taken as it came. */
    public record Answer(int status, String body) {}

    /**
     * One {@code GET} of {@code path} sent once, with {@code key} as its bearer key (null: no {@code Authorization}
     * header at all), whatever the answer: for checking what the API answers to requests it must refuse.
     */
    public Answer probe(String path, String key) {
        HttpResponse<InputStream> response =
                transmit(request(path, key, REQUEST_TIMEOUT).GET().build(), "GET", path, REQUEST_TIMEOUT);
        return new Answer(response.statusCode(), readBody(response));
    }

    private HttpRequest.Builder request(String path, String key, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(config.baseUrl() + path))
                .timeout(timeout)
                .header("Accept", "application/json, application/x-ndjson, application/problem+json")
                .header("User-Agent", USER_AGENT);
        return key == null ? b : b.header("Authorization", "Bearer " + key);
    }

    private HttpResponse<InputStream> send(String method, String path, JsonNode body, Duration timeout) {
        HttpRequest.Builder b = request(path, config.apiKey(), timeout);
        if (body != null) {
            b.header("Content-Type", "application/json");
            if ("POST".equals(method) && "/v1/jobs".equals(path) && !body.has("idempotencyKey")) {
                b.header("Idempotency-Key", "cli-" + UUID.randomUUID()); // makes the retries below safe
            }
            b.method(method, HttpRequest.BodyPublishers.ofString(Json.write(body), StandardCharsets.UTF_8));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpRequest request = b.build();
        for (int attempt = 1; ; attempt++) {
            HttpResponse<InputStream> response = transmit(request, method, path, timeout);
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                return response;
            }
            String text = readBody(response);
            if ((status == 429 || status == 503) && attempt < MAX_ATTEMPTS) {
                long delay = retryDelayMillis(response.headers().firstValue("Retry-After"), attempt);
                notices.accept("the API answered " + status + " ("
                        + (status == 429 ? "too many requests" : "service unavailable") + "); retrying in "
                        + seconds(delay) + " (attempt " + (attempt + 1)
                        + " of " + MAX_ATTEMPTS + ")");
                try {
                    sleeper.sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CliException(CliException.INTERRUPTED, "interrupted");
                }
                continue;
            }
            throw error(method, path, status, text, attempt);
        }
    }

    /** Sends one request; a connection that cannot be made or breaks off is one clear {@link CliException}. */
    private HttpResponse<InputStream> transmit(HttpRequest request, String method, String path, Duration timeout) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpConnectTimeoutException e) {
            throw new CliException(
                    CliException.USAGE,
                    "cannot reach " + config.baseUrl() + ": the connection timed out (is the URL right?)");
        } catch (ConnectException e) {
            throw new CliException(
                    CliException.USAGE, "cannot reach " + config.baseUrl() + ": is the stack running? (local/run)");
        } catch (HttpTimeoutException e) {
            throw new CliException(
                    CliException.FAILED,
                    method + " " + path + ": no answer from " + config.baseUrl() + " within " + timeout.toSeconds()
                            + " s");
        } catch (IOException e) {
            if (causedBy(e, ConnectException.class)) {
                throw new CliException(
                        CliException.USAGE, "cannot reach " + config.baseUrl() + ": is the stack running? (local/run)");
            }
            throw new CliException(
                    CliException.FAILED, method + " " + path + " to " + config.baseUrl() + " failed: " + describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(CliException.INTERRUPTED, "interrupted");
        }
    }

    private ApiException error(String method, String path, int status, String body, int attempts) {
        Problem p = Problem.parse(body);
        if (status == 401 || status == 403) {
            String source = ApiConfig.KEY_ENV.equals(config.keySource())
                    ? ""
                    : "; the key sent came from " + config.keySource();
            return new ApiException(
                    CliException.USAGE,
                    "the API key was refused (" + ApiConfig.KEY_ENV + ")" + source,
                    status,
                    p.code,
                    p.detail,
                    p.errors);
        }
        String head;
        if (status == 429 || status == 503) {
            head = "the API is still busy (" + status + ") after " + attempts + " attempts"
                    + (p.detail != null ? ": " + p.detail : "");
        } else if (p.isProblem()) {
            String what = !p.errors.isEmpty() && p.title != null ? p.title : p.detail != null ? p.detail : p.title;
            head = what + " (" + status + (p.code != null ? " " + p.code : "") + ")";
        } else {
            String excerpt = body.strip();
            excerpt = excerpt.length() > 200 ? excerpt.substring(0, 200) + "..." : excerpt;
            head = method + " " + path + " answered " + status + (excerpt.isEmpty() ? "" : ": " + excerpt);
        }
        int exit = status >= 400 && status < 500 && status != 429 ? CliException.USAGE : CliException.FAILED;
        return new ApiException(exit, render(head, p.errors), status, p.code, p.detail, p.errors);
    }

    static String render(String head, List<ApiException.FieldError> errors) {
        StringBuilder sb = new StringBuilder(head);
        for (ApiException.FieldError e : errors) {
            sb.append("\n  - ")
                    .append(e.field() == null ? "" : e.field() + ": ")
                    .append(e.message());
        }
        return sb.toString();
    }

    /** Retry-After in seconds or as an HTTP date, capped; without one, 1, 2, 4, 8 s. */
    static long retryDelayMillis(Optional<String> retryAfter, int attempt) {
        long fallback = 1000L << Math.min(attempt - 1, 5);
        if (retryAfter.isEmpty()) {
            return fallback;
        }
        String v = retryAfter.get().strip();
        long millis;
        try {
            millis = Long.parseLong(v) * 1000;
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                millis = Duration.between(ZonedDateTime.now(at.getZone()), at).toMillis();
            } catch (DateTimeParseException notDate) {
                return fallback;
            }
        }
        return Math.max(0, Math.min(MAX_RETRY_DELAY_MILLIS, millis));
    }

    private static String seconds(long millis) {
        return millis % 1000 == 0 ? millis / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }

    private JsonNode json(HttpResponse<InputStream> response) {
        String text = readBody(response);
        try {
            return text.isBlank() ? Json.object() : Json.parse(text);
        } catch (JsonProcessingException e) {
            throw new CliException(
                    CliException.FAILED,
                    response.request().method() + " "
                            + response.uri().getPath() + " answered " + response.statusCode()
                            + " with a body that is not "
                            + "JSON");
        }
    }

    private static String readBody(HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static String segment(String id) {
        if (id == null || id.isBlank()) {
            throw CliException.usage("an id must not be blank");
        }
        return URLEncoder.encode(id.strip(), StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String describe(IOException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** The parts of an RFC 9457 problem the messages use; all null when the body is not one. */
    record Problem(String title, String detail, String code, List<ApiException.FieldError> errors) {
        boolean isProblem() {
            return title != null || detail != null || code != null;
        }

        static Problem parse(String body) {
            JsonNode n;
            try {
                n = body == null || body.isBlank() ? null : Json.parse(body);
            } catch (JsonProcessingException e) {
                n = null;
            }
            if (n == null || !n.isObject()) {
                return new Problem(null, null, null, List.of());
            }
            List<ApiException.FieldError> errors = new ArrayList<>();
            for (JsonNode e : n.path("errors")) {
                errors.add(new ApiException.FieldError(
                        Json.text(e, "field"),
                        Optional.ofNullable(Json.text(e, "message")).orElse("is not valid")));
            }
            String detail = Json.text(n, "detail");
            if (detail == null) {
                detail = Json.text(n, "message"); // API Gateway's own errors: {"message": "..."}
            }
            return new Problem(Json.text(n, "title"), detail, Json.text(n, "code"), errors);
        }
    }
}
