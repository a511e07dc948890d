package dev.bedrockjobs.local.runtime.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bedrockjobs.lambda.Components;
import dev.bedrockjobs.local.emulators.RepoRoot;
import dev.bedrockjobs.local.runtime.LocalOptions;
import dev.bedrockjobs.local.runtime.LocalStack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * How soon a streamed answer can be read, on one local stack whose model sends its first token after
 * {@code --model-latency-ms} (default 500) and then {@code --tokens-per-second} (default 50): streamed jobs followed
 * as a client would, through {@code GET /v1/jobs/{id}/output?wait=20} or, with {@code --follow events}, through
 * {@code GET /v1/jobs/{id}/events} (the local front streams it until done), first one at a time, then
 * {@code --streams} (default 100) at once. For each piece of each answer it takes the time the piece was written (the piece's own
 * {@code at}) to the first read that returned it: the delta latency, p50 and p99; the same for each answer's first
 * piece; the time from submit to the first text; the DynamoDB writes per 1,000 output tokens; and whether every
 * followed text equals the job's stored result byte for byte. Run with {@code bench/stream/run}.
 */
public final class StreamBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newCachedThreadPool())
            .build();

    /** How a follower reads an answer as it is written. */
    enum Follow {
        OUTPUT,
        EVENTS
    }

    private final LocalStack stack;
    private final Follow how;
    private final String key;
    private final DynamoDbClient dynamo;
    private final String table;

    private StreamBench(LocalStack stack, Follow how) {
        this.stack = stack;
        this.how = how;
        this.key = stack.devApiKey();
        Map<String, String> env = stack.function("StatusFunction").environment();
        Components c = new Components(env);
        this.dynamo = c.aws().dynamoDb();
        this.table = env.get(Components.JOBS_TABLE);
    }

    public static void main(String[] args) throws Exception {
        int latencyMs = 500;
        double tokensPerSecond = 50;
        int streams = 100;
        Follow how = Follow.OUTPUT;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--model-latency-ms" -> latencyMs = Integer.parseInt(args[++i]);
                case "--tokens-per-second" -> tokensPerSecond = Double.parseDouble(args[++i]);
                case "--streams" -> streams = Integer.parseInt(args[++i]);
                case "--follow" -> how = Follow.valueOf(args[++i].toUpperCase(Locale.ROOT));
                default -> {
                    System.err.println("usage: bench/stream/run [--model-latency-ms N] [--tokens-per-second R]"
                            + " [--streams N] [--follow output|events]");
                    System.exit(args[i].equals("--help") ? 0 : 2);
                }
            }
        }
        Path data = Files.createTempDirectory("stream-bench");
        // enough workers for every stream at once (20 invocations x 5 messages), and long polls for every follower
        int invocations = Math.max(4, (streams + 4) / 5);
        try (LocalStack stack = LocalStack.start(LocalOptions.builder(RepoRoot.require())
                .port(0)
                .dataDirectory(data)
                .modelLatencyMillis(latencyMs)
                .modelTokensPerSecond(tokensPerSecond)
                .parameter("WorkerMaxConcurrency", Integer.toString(invocations))
                .parameter("LongPollsPerTenant", Integer.toString(Math.min(1000, 2 * streams)))
                .build())) {
            System.out.printf(
                    "model: first token after %d ms, then %.0f tokens/s; WorkerMaxConcurrency %d x WorkerBatchSize 5;"
                            + " followed through /%s%n",
                    latencyMs, tokensPerSecond, invocations, how.name().toLowerCase(Locale.ROOT));
            new StreamBench(stack, how).run(streams);
        }
        System.exit(0);
    }

    /** One piece as a follower first saw it. */
    private record Seen(long offset, long writtenAtMillis, long seenAtMillis) {
        long lagMillis() {
            return seenAtMillis - writtenAtMillis;
        }
    }

    /** What a follower read: the text, and when each read that returned text began (its offset) came back. */
    private record Reading(String text, TreeMap<Long, Long> seenAt) {
        long firstTextAt() {
            return seenAt.isEmpty() ? -1 : seenAt.firstEntry().getValue();
        }
    }

    /** One followed answer. */
    private record Followed(
            String jobId, double submitToFirstTextMs, List<Seen> pieces, boolean sameAsResult, long outputTokens) {}

    private void run(int streams) throws Exception {
        follow(5, "warm-up"); // not reported: the first calls load and compile the stack's paths
        report("one stream at a time (10 in turn)", followOneByOne(10));
        report(streams + " streams at once", follow(streams, "at once"));
    }

    private List<Followed> followOneByOne(int n) throws Exception {
        List<Followed> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.addAll(follow(1, "one " + i));
        }
        return all;
    }

    private List<Followed> follow(int n, String label) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<CompletableFuture<Followed>> runs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String prompt = "Review change " + label + " " + i + ": + long total = price * quantity;";
                runs.add(CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return followOne(prompt);
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        },
                        pool));
            }
            List<Followed> done = new ArrayList<>();
            for (CompletableFuture<Followed> run : runs) {
                done.add(run.get());
            }
            return done;
        } finally {
            pool.shutdownNow();
        }
    }

    private Followed followOne(String prompt) throws Exception {
        long submitted = System.currentTimeMillis();
        JsonNode job = send(
                "POST",
                "/v1/jobs",
                JSON.createObjectNode()
                        .put("prompt", prompt)
                        .put("model", "fast")
                        .put("maxTokens", 1024)
                        .put("stream", true)
                        .toString());
        String id = job.path("id").asText();
        Reading reading = how == Follow.EVENTS ? followEvents(id) : followOutput(id);
        JsonNode finished = send("GET", "/v1/jobs/" + id, null);
        List<Seen> pieces = new ArrayList<>();
        for (Map<String, AttributeValue> item : dynamo.query(q -> q.tableName(table)
                        .keyConditionExpression("pk = :pk AND begins_with(sk, :out)")
                        .expressionAttributeValues(
                                Map.of(":pk", AttributeValue.fromS("JOB#" + id), ":out", AttributeValue.fromS("OUT#"))))
                .items()) {
            long start = Long.parseLong(item.get("sk").s().substring("OUT#".length()));
            Map.Entry<Long, Long> read = reading.seenAt().floorEntry(start);
            if (read != null) {
                pieces.add(new Seen(start, Long.parseLong(item.get("at").n()), read.getValue()));
            }
        }
        return new Followed(
                id,
                reading.firstTextAt() < 0 ? Double.NaN : reading.firstTextAt() - submitted,
                pieces,
                reading.text().equals(finished.path("result").path("text").asText()),
                finished.path("usage").path("outputTokens").asLong());
    }

    private Reading followOutput(String id) throws Exception {
        long offset = 0;
        StringBuilder text = new StringBuilder();
        TreeMap<Long, Long> seenAt = new TreeMap<>();
        while (true) {
            JsonNode read = send("GET", "/v1/jobs/" + id + "/output?wait=20&offset=" + offset, null);
            long now = System.currentTimeMillis();
            String got = read.path("text").asText();
            if (!got.isEmpty()) {
                seenAt.put(offset, now);
                text.append(got);
            }
            offset = read.path("nextOffset").asLong();
            if (read.path("done").asBoolean()) {
                return new Reading(text.toString(), seenAt);
            }
        }
    }

    /**
     * Reads the events as they arrive, line by line; a delta's id is the offset after it. A response that ends before
     * {@code done} (one long poll past the tenant's bound, or the most a stream stays open) is resumed with
     * {@code Last-Event-ID}, as an {@code EventSource} would.
     */
    private Reading followEvents(String id) throws Exception {
        long offset = 0;
        StringBuilder text = new StringBuilder();
        TreeMap<Long, Long> seenAt = new TreeMap<>();
        while (true) {
            HttpResponse<Stream<String>> response = HTTP.send(
                    request("GET", "/v1/jobs/" + id + "/events", null)
                            .header("Last-Event-ID", Long.toString(offset))
                            .build(),
                    HttpResponse.BodyHandlers.ofLines());
            if (response.statusCode() == 204) {
                return new Reading(text.toString(), seenAt);
            }
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET events answered " + response.statusCode());
            }
            String event = null;
            String eventId = null;
            String data = null;
            try (Stream<String> lines = response.body()) {
                for (Iterator<String> it = lines.iterator(); it.hasNext(); ) {
                    String line = it.next();
                    if (line.startsWith("event: ")) {
                        event = line.substring("event: ".length());
                    } else if (line.startsWith("id: ")) {
                        eventId = line.substring("id: ".length());
                    } else if (line.startsWith("data: ")) {
                        data = line.substring("data: ".length());
                    } else if (line.isEmpty() && event != null) {
                        if (event.equals("done")) {
                            return new Reading(text.toString(), seenAt);
                        }
                        seenAt.put(offset, System.currentTimeMillis());
                        text.append(JSON.readTree(data).path("text").asText());
                        offset = Long.parseLong(eventId);
                        event = null;
                    }
                }
            }
        }
    }

    private static void report(String phase, List<Followed> runs) {
        List<Long> deltas = new ArrayList<>();
        List<Long> firsts = new ArrayList<>();
        List<Double> submitToFirst = new ArrayList<>();
        long pieces = 0;
        long tokens = 0;
        int same = 0;
        for (Followed f : runs) {
            f.pieces().forEach(p -> deltas.add(p.lagMillis()));
            f.pieces().stream().filter(p -> p.offset() == 0).findFirst().ifPresent(p -> firsts.add(p.lagMillis()));
            submitToFirst.add(f.submitToFirstTextMs());
            pieces += f.pieces().size();
            tokens += f.outputTokens();
            same += f.sameAsResult() ? 1 : 0;
        }
        System.out.printf("%s:%n", phase);
        System.out.printf(
                "  piece written -> seen by its follower: p50 %d ms, p99 %d ms, max %d ms (%d pieces)%n",
                percentile(deltas, 50), percentile(deltas, 99), percentile(deltas, 100), deltas.size());
        System.out.printf(
                "  first piece written -> seen: p50 %d ms, p99 %d ms%n",
                percentile(firsts, 50), percentile(firsts, 99));
        Collections.sort(submitToFirst);
        System.out.printf(
                "  submit -> first text: p50 %.0f ms, max %.0f ms%n",
                submitToFirst.get(submitToFirst.size() / 2), submitToFirst.get(submitToFirst.size() - 1));
        System.out.printf(
                "  DynamoDB piece writes per 1,000 output tokens: %.1f (%d pieces, %d tokens)%n",
                tokens == 0 ? 0 : 1000.0 * pieces / tokens, pieces, tokens);
        System.out.printf("  followed text equal to the stored result: %d of %d%n", same, runs.size());
    }

    private static long percentile(List<Long> values, int p) {
        if (values.isEmpty()) {
            return -1;
        }
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    private HttpRequest.Builder request(String method, String path, String body) {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(stack.apiUrl() + path)).header("Authorization", "Bearer " + key);
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return b;
    }

    private JsonNode send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = request(method, path, body).timeout(Duration.ofSeconds(60));
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }
}
