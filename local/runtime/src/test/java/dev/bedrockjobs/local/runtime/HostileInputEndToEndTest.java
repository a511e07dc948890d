package dev.bedrockjobs.local.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.core.adapter.DynamoPages;
import dev.bedrockjobs.local.emulators.RepoRoot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Hostile input against every route over real HTTP (raw sockets, so that malformed requests reach the server as
 * sent): random and malformed JSON, huge and deeply nested bodies, invalid UTF-8, wrong content types, CR/LF and
 * duplicated headers, path traversal and odd characters in ids, enormous numbers and wrong methods.
 *
 * <p>Every answer must be below 500, carry no stack trace or Java class name, and be an RFC 9457 problem when it is
 * an error; and the table and both queues must hold exactly what they held before (every case is a request the API
 * must refuse or only read). The generator is seeded: the seed is printed, and {@code -Dfuzz.seed=N} replays a run.
 */
class HostileInputEndToEndTest {
    private static final int CASES = Integer.getInteger("fuzz.cases", 600);
    /** Java class names, stack frames and exception names: none may reach a client. */
    private static final Pattern LEAK =
            Pattern.compile("\\b(?:java|javax|jdk|sun|com|org|dev|software)\\.[a-z0-9_]+\\.[A-Za-z]"
                    + "|\\.java:\\d+|\\bat [a-z]+\\.[a-z]+\\.|[A-Z][A-Za-z]+(?:Exception|Error)\\b"
                    + "|\\b[A-Z][A-Za-z]+\\.[a-z][A-Za-z]+\\(\\)|`[A-Z][A-Za-z]+`");

    private static final List<String> ROUTES = List.of(
            "POST /v1/jobs",
            "GET /v1/jobs",
            "GET /v1/jobs/{id}",
            "GET /v1/jobs/{id}/output",
            "GET /v1/jobs/{id}/events",
            "DELETE /v1/jobs/{id}",
            "POST /v1/batches",
            "GET /v1/batches/{id}",
            "GET /v1/batches/{id}/results",
            "DELETE /v1/batches/{id}",
            "GET /v1/jobs/{id}/webhook-deliveries",
            "POST /v1/jobs/{id}/webhook-deliveries/replay",
            "GET /v1/usage",
            "GET /healthz",
            "GET /console",
            "GET /console/{file}");

    @TempDir
    static Path data;

    private static LocalStack stack;
    private static ApiClient api;
    private static DynamoDbClient dynamo;
    private static SqsClient sqs;
    private static String realJobId;

    @BeforeAll
    static void start() throws IOException {
        stack = LocalStack.start(LocalOptions.builder(RepoRoot.require())
                .port(0)
                .dataDirectory(data)
                .build());
        api = new ApiClient(stack.apiUrl(), stack.devApiKey());
        JsonNode endpoints = ApiClient.JSON.readTree(Files.readString(data.resolve("endpoints.json")));
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x"));
        dynamo = DynamoDbClient.builder()
                .endpointOverride(URI.create(endpoints.path("dynamodb").asText()))
                .region(Region.US_EAST_1)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .credentialsProvider(credentials)
                .build();
        sqs = SqsClient.builder()
                .endpointOverride(URI.create(endpoints.path("sqs").asText()))
                .region(Region.US_EAST_1)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .credentialsProvider(credentials)
                .build();
        // One real, finished job, so that ids in the cases can be near-misses of an existing one.
        realJobId = api.submit("Review: a real job").path("id").asText();
        api.awaitTerminal(realJobId, Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() {
        if (dynamo != null) {
            dynamo.close();
        }
        if (sqs != null) {
            sqs.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void noHostileRequestFailsTheServerLeaksInternalsOrChangesAnything() throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        System.out.println("HostileInputEndToEndTest seed " + seed + " (replay with -Dfuzz.seed=" + seed + ")");
        Random random = new Random(seed);
        Map<String, Long> before = state();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < CASES; i++) {
            RawRequest request = hostile(random);
            RawResponse response = send(request);
            String problem = check(request, response);
            if (problem != null) {
                failures.add("case " + i + " (seed " + seed + "): " + problem + "\n  request: " + request
                        + "\n  response: " + response);
            }
        }
        Map<String, Long> after = state();
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + CASES + " hostile requests were mishandled:\n"
                    + String.join("\n", failures.subList(0, Math.min(15, failures.size()))));
        }
        assertEquals(
                before, after, "refused or read-only requests changed the table or the queues (seed " + seed + ")");
    }

    /** What a refused request must not change: items in the table, messages in both queues. */
    private static Map<String, Long> state() throws InterruptedException {
        Map<String, Long> s = new LinkedHashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        // let deletes of messages in flight settle before reading
        while (true) {
            s.clear();
            for (String queue :
                    List.of("JobsQueue", "WebhooksQueue", "JobsDeadLetterQueue", "WebhooksDeadLetterQueue")) {
                String url = sqs.getQueueUrl(g -> g.queueName(queue)).queueUrl();
                Map<QueueAttributeName, String> a = sqs.getQueueAttributes(g -> g.queueUrl(url)
                                .attributeNames(
                                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED))
                        .attributes();
                s.put(queue, a.values().stream().mapToLong(Long::parseLong).sum());
            }
            if (s.values().stream().allMatch(v -> v == 0) || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(100);
        }
        long items =
                DynamoPages.pages(
                                dynamo,
                                ScanRequest.builder()
                                        .tableName("JobsTable")
                                        .select(Select.COUNT)
                                        .build())
                        .stream()
                        .mapToLong(ScanResponse::count)
                        .sum();
        s.put("table items", items);
        return s;
    }

    /** Null when the answer is acceptable, else what is wrong with it. */
    private static String check(RawRequest request, RawResponse response) {
        if (response == null) {
            return "the connection closed without an answer";
        }
        if (response.status >= 500) {
            return "answered " + response.status;
        }
        if (request.method.equals("HEAD")) {
            return null; // no body to inspect
        }
        // Malformed HTTP included (a target that is not a URI, a header line that is not one, conflicting lengths):
        // the front answers it with a problem of its own, never a server's error page.
        String body = response.body;
        // the console's own files are served as they are: its script names JavaScript's errors, which is no leak
        boolean consoleFile = response.status < 300 && request.target().startsWith("/console");
        if (!consoleFile && LEAK.matcher(body).find()) {
            return "the body names Java internals";
        }
        if (response.status >= 400) {
            String type = response.headers.getOrDefault("content-type", "");
            if (!type.startsWith("application/problem+json")) {
                return "an error without a problem+json body (" + type + ")";
            }
            try {
                JsonNode p = ApiClient.JSON.readTree(body);
                if (p.path("status").asInt() != response.status
                        || p.path("code").asText().isEmpty()) {
                    return "a problem whose status or code does not match";
                }
            } catch (IOException e) {
                return "a problem body that is not JSON";
            }
        }
        if (response.status < 300 && List.of("POST", "PUT", "PATCH", "DELETE").contains(request.method)) {
            return "a hostile " + request.method + " was accepted (" + response.status + ")";
        }
        return null;
    }

    // --- the generator ---------------------------------------------------------------------------------------

    private static RawRequest hostile(Random r) {
        String route = ROUTES.get(r.nextInt(ROUTES.size()));
        String method = route.substring(0, route.indexOf(' '));
        String path = route.substring(route.indexOf(' ') + 1);
        if (r.nextInt(8) == 0) {
            method = pick(r, "PUT", "PATCH", "OPTIONS", "HEAD", "TRACE", "DELETE", "POST", "GET", "FOO", "get");
        }
        path = path.replace("{id}", encode(id(r)))
                .replace(
                        "{file}",
                        pick(
                                r,
                                "console.js",
                                "console.css",
                                encode(id(r)),
                                "..%2f..%2fpom.xml",
                                "%2e%2e%2fconsole.js",
                                "index.html"));
        if (r.nextInt(6) == 0) {
            path = path
                    + pick(
                            r,
                            "?limit=" + hugeNumber(r),
                            "?wait=" + hugeNumber(r),
                            "?offset=" + hugeNumber(r),
                            "?offset=-1&wait=1",
                            "?limit=-1",
                            "?wait=1e9",
                            "?cursor=" + encode(garbage(r, 200)),
                            "?limit=%00",
                            "?cursor=%ZZ",
                            "?wait=20&wait=0",
                            "?status=" + word(r),
                            "?limit=2&cursor=eyJpZCI6eyJTIjoiJy0tIn19",
                            "?" + encode(garbage(r, 50)));
        }
        if (r.nextInt(40) == 0) {
            // not a URI at all: raw spaces, braces and non-ASCII characters in the request target
            path = pick(r, "/v1/jobs/{id}", "/v1/jobs/\u00e9t\u00e9", "/v1/jobs?cursor=a b", "/v1/jobs/a|b");
        }
        List<String[]> headers = new ArrayList<>();
        headers.add(new String[] {"Host", "127.0.0.1"});
        headers.add(new String[] {"Authorization", "Bearer " + stack.devApiKey()});
        byte[] body = method.equals("POST") || r.nextInt(5) == 0 ? body(r) : new byte[0];
        String contentType = r.nextInt(4) == 0
                ? pick(
                        r,
                        "text/plain",
                        "application/xml",
                        "multipart/form-data",
                        "application/json; charset=latin1",
                        "application/octet-stream",
                        "",
                        "application/json\u0000",
                        "application/x-www-form-urlencoded",
                        "*/*")
                : "application/json";
        headers.add(new String[] {"Content-Type", contentType});
        if (r.nextInt(3) == 0) {
            injectHeaders(r, headers);
        }
        if (method.equals("POST") && r.nextInt(4) == 0) {
            headers.add(new String[] {
                "Idempotency-Key",
                pick(r, garbage(r, 300), "a".repeat(10_000), "", " ", "k\u00e9y\u2028", "../../etc/passwd")
            });
        }
        return new RawRequest(method, path, headers, body);
    }

    private static String id(Random r) {
        // %XX sequences are sent as they are (already encoded, or deliberately malformed); the rest is encoded
        return pick(
                r,
                "..",
                "%2e%2e",
                "..%2f..%2fhealthz",
                "%2e%2e%2fv1%2fjobs",
                realJobId + "%2f..%2f" + realJobId,
                realJobId + "%00",
                realJobId.toUpperCase(Locale.ROOT),
                realJobId + "'",
                "%27%20OR%201%3D1",
                "a".repeat(2000),
                "%ff%fe",
                "%c0%af",
                "%e2%80%8f" + realJobId,
                "job_" + garbage(r, 20),
                "%0d%0aX-Injected:%201",
                "{id}",
                "%7B%7D",
                "-1",
                hugeNumber(r),
                "null",
                "%20",
                "\u00e9t\u00e9",
                "%F0%9F%92%A5",
                "batch_" + word(r),
                "j-" + word(r),
                realJobId + ";x=1",
                realJobId,
                "%",
                "%G1");
    }

    private static byte[] body(Random r) {
        String prompt = "\"prompt\": \"Review this\", \"model\": \"fast\"";
        String text = switch (r.nextInt(22)) {
            case 0 -> "";
            case 1 -> "{";
            case 2 -> "[".repeat(5000) + "]".repeat(5000);
            case 3 -> "{\"a\":".repeat(3000) + "1" + "}".repeat(3000);
            case 4 -> "{" + prompt + ", \"maxTokens\": " + hugeNumber(r) + "}";
            case 5 -> "{" + prompt + ", \"maxTokens\": 1e400}";
            case 6 -> "{" + prompt + ", \"maxTokens\": -0.0, \"temperature\": NaN}";
            case 7 -> "{" + prompt + ", \"temperature\": " + hugeNumber(r) + "." + hugeNumber(r) + "}";
            case 8 -> "{\"prompt\": \"" + "x".repeat(3_000_000) + "\", \"model\": \"fast\"}";
            case 9 -> "{" + prompt + ", \"prompt\": \"again\"}";
            case 10 -> "{" + prompt + "} trailing";
            case 11 -> "{\"items\": [" + ("{" + prompt + ", \"maxTokens\": \"many\"},").repeat(2000) + "{}]}";
            case 12 -> "{\"items\": " + hugeNumber(r) + "}";
            case 13 -> "{" + prompt + ", \"webhook\": {\"url\": \"http://169.254.169.254/latest/meta-data\"}}";
            case 14 -> "{" + prompt + ", \"webhook\": {\"url\": \"file:///etc/passwd\"}}";
            case 15 -> "{" + prompt + ", \"model\": {\"$gt\": \"\"}}";
            case 16 -> "{\"prompt\": \"\\ud800\", \"model\": \"fast\", \"maxTokens\": 0}";
            case 17 -> "null";
            case 18 -> randomJson(r, 0);
            case 19 -> "{" + prompt + ", \"maxTokens\": 1" + "0".repeat(5000) + "}";
            case 20 -> "{\"items\": [], \"webhook\": null}";
            default -> garbage(r, r.nextInt(2000));
        };
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (r.nextInt(6) == 0) {
            // invalid UTF-8 somewhere inside: a lone continuation byte, an overlong '/', a surrogate, a cut sequence
            byte[][] bad = {
                {(byte) 0x80},
                {(byte) 0xC0, (byte) 0xAF},
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                {(byte) 0xF0, (byte) 0x9F},
                {(byte) 0xFF}
            };
            byte[] insert = bad[r.nextInt(bad.length)];
            int at = bytes.length == 0 ? 0 : r.nextInt(bytes.length);
            byte[] out = new byte[bytes.length + insert.length];
            System.arraycopy(bytes, 0, out, 0, at);
            System.arraycopy(insert, 0, out, at, insert.length);
            System.arraycopy(bytes, at, out, at + insert.length, bytes.length - at);
            bytes = out;
        }
        return bytes;
    }

    private static String randomJson(Random r, int depth) {
        int kind = depth > 6 ? r.nextInt(4) : r.nextInt(6);
        return switch (kind) {
            case 0 -> hugeNumber(r);
            case 1 -> ApiClient.quote(garbage(r, r.nextInt(40)));
            case 2 -> pick(r, "true", "false", "null", "-0", "1e-400", "0x10", "01", ".5", "Infinity");
            case 3 -> "\"" + word(r) + "\"";
            case 4 -> {
                StringBuilder b = new StringBuilder("[");
                for (int i = r.nextInt(4); i > 0; i--) {
                    b.append(randomJson(r, depth + 1)).append(i > 1 ? "," : "");
                }
                yield b.append("]").toString();
            }
            default -> {
                StringBuilder b = new StringBuilder("{");
                String[] keys = {
                    "prompt",
                    "model",
                    "maxTokens",
                    "temperature",
                    "system",
                    "webhook",
                    "items",
                    "customId",
                    "url",
                    "metadata",
                    word(r)
                };
                for (int i = r.nextInt(5); i > 0; i--) {
                    b.append('"')
                            .append(keys[r.nextInt(keys.length)])
                            .append("\":")
                            .append(randomJson(r, depth + 1))
                            .append(i > 1 ? "," : "");
                }
                yield b.append("}").toString();
            }
        };
    }

    /** CR/LF and NUL in values, obs-folding, duplicated and conflicting framing and identity headers. */
    private static void injectHeaders(Random r, List<String[]> headers) {
        switch (r.nextInt(9)) {
            case 0 -> headers.add(new String[] {"X-Note", "a\rInjected: 1"});
            case 1 -> headers.add(new String[] {"X-Note", "a\nAuthorization: Bearer bj_stolen"});
            case 2 -> headers.add(new String[] {"Authorization", "Bearer bj_" + word(r)});
            case 3 -> headers.set(1, new String[] {"Authorization", "Bearer " + stack.devApiKey() + "\u0000"});
            case 4 -> headers.add(new String[] {"Content-Type", "text/plain"});
            case 5 -> headers.add(new String[] {"X-Long", "v".repeat(20_000)});
            case 6 -> headers.add(new String[] {" X-Folded", "continued"});
            case 7 -> headers.set(1, new String[] {"Authorization", "Basic " + garbage(r, 30)});
            // a second, conflicting length next to the true one (a smuggling attempt); alone when there is no body
            default -> headers.add(new String[] {"Content-Length", "0"});
        }
    }

    /** Percent-encodes what may not appear raw in a request target, leaving existing %XX sequences alone. */
    private static String encode(String s) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xFF;
            if (c > 0x20 && c < 0x7F && "\"<>\\^`{|} #?".indexOf(c) < 0) {
                b.append((char) c);
            } else {
                b.append('%').append(String.format("%02X", c));
            }
        }
        return b.toString();
    }

    private static String hugeNumber(Random r) {
        return pick(
                r,
                "9".repeat(40),
                "-" + "9".repeat(70),
                "1e309",
                "18446744073709551616",
                "2147483648",
                "-9223372036854775809",
                "1" + "0".repeat(400),
                "0.0000000000000000000000000000001");
    }

    private static String word(Random r) {
        StringBuilder b = new StringBuilder();
        for (int i = 1 + r.nextInt(12); i > 0; i--) {
            b.append((char) ('a' + r.nextInt(26)));
        }
        return b.toString();
    }

    /** Printable and unprintable characters, quotes, backslashes, non-BMP characters. */
    private static String garbage(Random r, int length) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int k = r.nextInt(10);
            if (k < 6) {
                b.append((char) (0x20 + r.nextInt(0x5F)));
            } else if (k < 7) {
                b.append((char) r.nextInt(0x20));
            } else if (k < 8) {
                b.append(pick(r, "\"", "\\", "{", "}", "[", "]", ":", ","));
            } else if (k < 9) {
                b.append((char) (0xA0 + r.nextInt(0x2000)));
            } else {
                b.appendCodePoint(0x1F300 + r.nextInt(0x200));
            }
        }
        return b.toString();
    }

    @SafeVarargs
    private static <T> T pick(Random r, T... choices) {
        return choices[r.nextInt(choices.length)];
    }

    // --- a raw HTTP/1.1 client ---------------------------------------------------------------------------------

    @SuppressWarnings("ArrayRecordComponent") // a request as written to the wire, never compared
    record RawRequest(String method, String target, List<String[]> headers, byte[] body) {
        @Override
        public String toString() {
            StringBuilder b = new StringBuilder(method).append(' ').append(abbreviate(target, 120));
            headers.forEach(h -> b.append(" | ")
                    .append(h[0])
                    .append(": ")
                    .append(abbreviate(h[1], 60).replace("\r", "\\r").replace("\n", "\\n")));
            String text = new String(body, StandardCharsets.UTF_8);
            return b.append(" | body ")
                    .append(body.length)
                    .append(" bytes: ")
                    .append(abbreviate(text, 160))
                    .toString();
        }
    }

    record RawResponse(int status, Map<String, String> headers, String body) {
        @Override
        public String toString() {
            return status + " " + headers.get("content-type") + " " + abbreviate(body, 400);
        }
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...(" + s.length() + ")";
    }

    /** Sends the bytes as given; null when the server closed the connection without an answer. */
    private static RawResponse send(RawRequest request) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        Function<String, byte[]> bytes = s -> s.getBytes(StandardCharsets.UTF_8);
        head.writeBytes(bytes.apply(request.method + " " + request.target + " HTTP/1.1\r\n"));
        boolean hasLength = false;
        for (String[] h : request.headers) {
            head.writeBytes(bytes.apply(h[0] + ": " + h[1] + "\r\n"));
            hasLength |= h[0].equalsIgnoreCase("content-length");
        }
        if (!hasLength || request.body.length > 0) {
            head.writeBytes(bytes.apply("Content-Length: " + request.body.length + "\r\n"));
        }
        head.writeBytes(bytes.apply("Connection: close\r\n\r\n"));
        try (Socket socket = new Socket(stack.apiUrl().getHost(), stack.apiUrl().getPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(head.toByteArray());
                out.write(request.body);
                out.flush();
            } catch (IOException refusedMidway) {
                // the server may answer (413) and close before the whole body is sent; read what it said
            }
            InputStream in = socket.getInputStream();
            byte[] all;
            try {
                all = in.readAllBytes();
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no answer within 30 s to " + request, e);
            } catch (IOException reset) {
                return null;
            }
            return parse(all);
        }
    }

    private static RawResponse parse(byte[] all) {
        String text = new String(all, StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        if (text.isEmpty() || end < 0) {
            return null;
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(
                    lines[i].substring(0, colon).toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1).strip());
        }
        return new RawResponse(status, headers, text.substring(end + 4));
    }

    @Test
    void everyRouteIsCovered() {
        RouteTable table = RouteTable.fromTemplate(
                new LocalResources(dev.bedrockjobs.local.emulators.template.SamTemplate.load(
                        RepoRoot.require().resolve("template.yaml"))),
                "HttpApi",
                null);
        List<String> declared =
                table.routes().stream().map(RouteTable.Route::routeKey).sorted().toList();
        assertEquals(ROUTES.stream().sorted().toList(), declared, "a route was added: fuzz it too");
        assertTrue(CASES > 0);
    }
}
