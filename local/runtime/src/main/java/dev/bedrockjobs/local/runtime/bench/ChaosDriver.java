package dev.bedrockjobs.local.runtime.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.bedrockjobs.core.adapter.DynamoPages;
import dev.bedrockjobs.local.emulators.RepoRoot;
import dev.bedrockjobs.local.runtime.LocalOptions;
import dev.bedrockjobs.local.runtime.LocalStack;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The chaos driver behind {@code bench/chaos/run} (see its README): against a local stack in this JVM, submits
 * {@code --jobs} jobs and {@code --batches} batches through the HTTP API under the chosen faults, restarts the stack
 * {@code --restarts} times on the same data directory while the work is in progress (the queues, in memory, are
 * lost each time; the table is not), takes a webhook receiver down for a while, waits until everything is drained
 * and then checks, from the API and the table:
 * <ul>
 *   <li>every submitted job exists (else <em>lost</em>) and is terminal (else <em>stuck</em>);</li>
 *   <li>no job was completed twice (<em>duplicated</em>): the terminal events its webhook received all carry the
 *       status and {@code finishedAt} the table holds;</li>
 *   <li>each batch's counts and cost equal the sum over its jobs;</li>
 *   <li>every job with a webhook had its terminal event delivered, or its deliveries record that it gave up;</li>
 *   <li>no message is left in flight on the jobs and webhooks queues (dead-lettered ones are counted);</li>
 *   <li>the tenant's {@code GET /v1/usage} for the month equals the sum over the run's jobs (each run has a data
 *       directory, and so a tenant, of its own): tokens, cost, and the submitted, succeeded, failed and canceled
 *       counts (else <em>usage_mismatch</em>, one per field that differs).</li>
 * </ul>
 * It prints one summary line; the exit code is 1 if an invariant failed.
 */
public final class ChaosDriver {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TERMINAL = Set.of("succeeded", "failed", "canceled");

    /** What a run does. */
    public record Settings(
            int jobs,
            int batches,
            int batchSize,
            int restarts,
            double throttleRate,
            double awsFailureRate,
            double workerKillRate,
            double webhookShare,
            int receiverDownSeconds,
            int clients,
            Duration drainLimit,
            Path data,
            long seed,
            Map<String, String> parameters) {}

    /** What a run found. Every count but the totals must be 0. */
    public record Summary(
            int submitted,
            int succeeded,
            int failed,
            int canceled,
            int lost,
            int duplicated,
            int stuck,
            int webhookMissing,
            int batchMismatch,
            int usageMismatch,
            long inFlight,
            long deadLettered,
            int restarts,
            double drainSeconds,
            List<String> problems) {
        public boolean clean() {
            return lost == 0
                    && duplicated == 0
                    && stuck == 0
                    && webhookMissing == 0
                    && batchMismatch == 0
                    && usageMismatch == 0
                    && inFlight == 0;
        }

        public String line() {
            return String.format(
                    "chaos: submitted=%d succeeded=%d failed=%d canceled=%d lost=%d duplicated=%d "
                            + "stuck=%d webhook_missing=%d batch_mismatch=%d usage_mismatch=%d in_flight=%d "
                            + "dead_lettered=%d restarts=%d drain_s=%.1f",
                    submitted,
                    succeeded,
                    failed,
                    canceled,
                    lost,
                    duplicated,
                    stuck,
                    webhookMissing,
                    batchMismatch,
                    usageMismatch,
                    inFlight,
                    deadLettered,
                    restarts,
                    drainSeconds);
        }
    }

    private final Settings settings;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final LocalOptions options;
    private volatile LocalStack stack;
    private HttpServer receiver;
    private volatile long receiverDownUntil;
    /** Webhook events received, by job id: (type, finishedAt) of each. */
    private final Map<String, List<String>> received = new ConcurrentHashMap<>();

    private final List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());

    private ChaosDriver(Settings settings) {
        this.settings = settings;
        LocalOptions.Builder builder = LocalOptions.builder(RepoRoot.require())
                .port(0)
                .dataDirectory(settings.data())
                .throttleRate(settings.throttleRate())
                .awsFailureRate(settings.awsFailureRate())
                .workerKillRate(settings.workerKillRate());
        settings.parameters().forEach(builder::parameter);
        this.options = builder.build();
    }

    public static Summary run(Settings settings) throws Exception {
        return new ChaosDriver(settings).go();
    }

    private Summary go() throws Exception {
        startReceiver();
        stack = LocalStack.start(options);
        String key = stack.devApiKey();
        Random random = new Random(settings.seed());
        long t0 = System.nanoTime();
        Set<String> jobIds = ConcurrentHashMap.newKeySet();
        Set<String> batchIds = ConcurrentHashMap.newKeySet();
        Set<String> withWebhook = ConcurrentHashMap.newKeySet();
        int units = settings.jobs() + settings.batches();
        List<Boolean> hooks = new ArrayList<>();
        for (int i = 0; i < units; i++) {
            hooks.add(random.nextDouble() < settings.webhookShare());
        }
        ExecutorService pool = Executors.newFixedThreadPool(settings.clients());
        List<Future<?>> submissions = new ArrayList<>();
        for (int i = 0; i < units; i++) {
            int n = i;
            submissions.add(pool.submit(() -> {
                boolean batch = n >= settings.jobs();
                String hook = hooks.get(n) ? ", \"webhook\": {\"url\": \"" + receiverUrl() + "\"}" : "";
                String body = batch
                        ? batchBody(n, hook)
                        : "{\"prompt\": \"Review change " + n + "\", \"model\": \"fast\"" + hook + "}";
                JsonNode accepted =
                        submit(batch ? "/v1/batches" : "/v1/jobs", body, key, "chaos-" + settings.seed() + "-" + n);
                if (batch) {
                    // a batch's webhook gets one batch.completed event, not its jobs' events
                    batchIds.add(accepted.path("id").asText());
                    if (!hook.isEmpty()) {
                        withWebhook.add(accepted.path("id").asText());
                    }
                    accepted.path("jobs")
                            .forEach(item -> jobIds.add(item.path("id").asText()));
                } else {
                    jobIds.add(accepted.path("id").asText());
                    if (!hook.isEmpty()) {
                        withWebhook.add(accepted.path("id").asText());
                    }
                }
                return null;
            }));
        }
        int expected = settings.jobs() + settings.batches() * settings.batchSize();
        // The receiver goes down once the first events flow; restarts are spread over the work in progress.
        int restarts = 0;
        boolean receiverWentDown = false;
        while (restarts < settings.restarts() || !allDone(submissions)) {
            Thread.sleep(1000);
            long terminal = terminalCount();
            if (!receiverWentDown && settings.receiverDownSeconds() > 0 && !received.isEmpty()) {
                receiverDownUntil = System.nanoTime()
                        + Duration.ofSeconds(settings.receiverDownSeconds()).toNanos();
                receiverWentDown = true;
            }
            if (restarts < settings.restarts()
                    && terminal >= (long) expected * (restarts + 1) / (settings.restarts() + 2)) {
                restart();
                restarts++;
            }
            if (System.nanoTime() - t0 > settings.drainLimit().toNanos()) {
                problems.add("the run did not get through its restarts within the drain limit");
                break;
            }
        }
        for (Future<?> f : submissions) {
            f.get();
        }
        pool.shutdown();
        Drained drained = drain(jobIds);
        double drainSeconds = (System.nanoTime() - t0) / 1e9;
        Summary summary = check(key, jobIds, batchIds, withWebhook, drained, restarts, drainSeconds);
        stack.close();
        receiver.stop(0);
        return summary;
    }

    private static boolean allDone(List<Future<?>> futures) {
        return futures.stream().allMatch(Future::isDone);
    }

    private String batchBody(int n, String hook) {
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < settings.batchSize(); i++) {
            items.append(i == 0 ? "" : ",")
                    .append("{\"customId\": \"c")
                    .append(i)
                    .append("\", \"prompt\": ")
                    .append("\"Review file ")
                    .append(n)
                    .append('/')
                    .append(i)
                    .append("\"}");
        }
        return "{\"defaults\": {\"model\": \"fast\"}, \"items\": [" + items + "]" + hook + "}";
    }

    /** Submits until accepted: a refused connection (a restart) or a 500 is retried under the same key. */
    private JsonNode submit(String path, String body, String key, String idempotencyKey) throws InterruptedException {
        while (true) {
            try {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(stack.apiUrl().resolve(path))
                                .timeout(Duration.ofSeconds(30))
                                .header("Authorization", "Bearer " + key)
                                .header("Content-Type", "application/json")
                                .header("Idempotency-Key", idempotencyKey)
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 202 || r.statusCode() == 200) {
                    return JSON.readTree(r.body());
                }
                if (r.statusCode() < 500) {
                    throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
                }
            } catch (IOException | RuntimeException e) {
                if (e instanceof IllegalStateException illegalStateException) {
                    throw illegalStateException;
                }
            }
            Thread.sleep(250);
        }
    }

    private synchronized void restart() {
        System.err.println("chaos: restarting the stack");
        stack.close();
        stack = LocalStack.start(options);
    }

    // --- the receiver ------------------------------------------------------------------------------------------

    private void startReceiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        receiver.setExecutor(Executors.newFixedThreadPool(8));
        receiver.createContext("/hook", exchange -> {
            try (exchange;
                    InputStream in = exchange.getRequestBody()) {
                byte[] body = in.readAllBytes();
                if (System.nanoTime() < receiverDownUntil) {
                    exchange.sendResponseHeaders(503, -1);
                    return;
                }
                JsonNode event = JSON.readTree(body);
                String type = event.path("type").asText();
                JsonNode data = event.path("data");
                received.computeIfAbsent(
                                data.path("id").asText(),
                                k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                        .add(
                                type.startsWith("job.")
                                        ? data.path("status").asText() + "@"
                                                + data.path("finishedAt").asText()
                                        : type);
                exchange.sendResponseHeaders(204, -1);
            }
        });
        receiver.start();
    }

    private String receiverUrl() {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    }

    // --- reading the stack -------------------------------------------------------------------------------------

    private record Drained(Map<String, Map<String, AttributeValue>> jobs, long inFlight, long deadLettered) {}

    private Drained drain(Set<String> jobIds) throws Exception {
        long deadline = System.nanoTime() + settings.drainLimit().toNanos();
        while (true) {
            Map<String, Map<String, AttributeValue>> jobs = scanJobs();
            long unfinished = jobIds.stream()
                    .filter(id -> !jobs.containsKey(id)
                            || !TERMINAL.contains(jobs.get(id).get("status").s()))
                    .count();
            long[] queues = queueCounts();
            if ((unfinished == 0 && queues[0] == 0) || System.nanoTime() > deadline) {
                return new Drained(jobs, queues[0], queues[1]);
            }
            Thread.sleep(1000);
        }
    }

    private long terminalCount() {
        try {
            return scanJobs().values().stream()
                    .filter(i -> TERMINAL.contains(i.get("status").s()))
                    .count();
        } catch (RuntimeException | IOException e) {
            return 0; // the stack is restarting
        }
    }

    private Map<String, Map<String, AttributeValue>> scanJobs() throws IOException {
        JsonNode endpoints = JSON.readTree(Files.readString(settings.data().resolve("endpoints.json")));
        try (DynamoDbClient dynamo = DynamoDbClient.builder()
                .endpointOverride(URI.create(endpoints.path("dynamodb").asText()))
                .region(Region.US_EAST_1)
                .credentialsProvider(credentials())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build()) {
            Map<String, Map<String, AttributeValue>> out = new HashMap<>();
            DynamoPages.items(
                            dynamo,
                            ScanRequest.builder()
                                    .tableName("JobsTable")
                                    .filterExpression("sk = :job")
                                    .expressionAttributeValues(Map.of(":job", AttributeValue.fromS("JOB")))
                                    .build())
                    .forEach(item -> out.put(item.get("id").s(), item));
            return out;
        }
    }

    /** {messages on or in flight from the jobs and webhooks queues, messages in their DLQs}. */
    private long[] queueCounts() throws IOException {
        JsonNode endpoints = JSON.readTree(Files.readString(settings.data().resolve("endpoints.json")));
        try (SqsClient sqs = SqsClient.builder()
                .endpointOverride(URI.create(endpoints.path("sqs").asText()))
                .region(Region.US_EAST_1)
                .credentialsProvider(credentials())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build()) {
            long[] counts = new long[2];
            for (String queue :
                    List.of("JobsQueue", "WebhooksQueue", "JobsDeadLetterQueue", "WebhooksDeadLetterQueue")) {
                String url = sqs.getQueueUrl(g -> g.queueName(queue)).queueUrl();
                long n = sqs
                        .getQueueAttributes(g -> g.queueUrl(url)
                                .attributeNames(
                                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED))
                        .attributes()
                        .values()
                        .stream()
                        .mapToLong(Long::parseLong)
                        .sum();
                counts[queue.contains("DeadLetter") ? 1 : 0] += n;
            }
            return counts;
        }
    }

    private static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("chaos", "chaos"));
    }

    private JsonNode get(String path, String key) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(stack.apiUrl().resolve(path))
                        .timeout(Duration.ofSeconds(30))
                        .header("Authorization", "Bearer " + key)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    // --- the invariants ----------------------------------------------------------------------------------------

    private Summary check(
            String key,
            Set<String> jobIds,
            Set<String> batchIds,
            Set<String> withWebhook,
            Drained drained,
            int restarts,
            double drainSeconds)
            throws Exception {
        int lost = 0;
        int stuck = 0;
        int duplicated = 0;
        int webhookMissing = 0;
        Map<String, Integer> byStatus = new HashMap<>();
        for (String id : jobIds) {
            Map<String, AttributeValue> item = drained.jobs().get(id);
            if (item == null) {
                lost++;
                problems.add("lost: " + id + " is not in the table");
                continue;
            }
            String status = item.get("status").s();
            if (!TERMINAL.contains(status)) {
                stuck++;
                problems.add("stuck: " + id + " is " + status);
                continue;
            }
            byStatus.merge(status, 1, Integer::sum);
            String outcome = status + "@" + item.get("finishedAt").s();
            List<String> events = received.getOrDefault(id, List.of());
            Set<String> distinct = new HashSet<>(events);
            if (distinct.size() > 1 || (!distinct.isEmpty() && !distinct.contains(outcome))) {
                duplicated++;
                problems.add("completed twice: " + id + " is " + outcome + " but its webhook saw " + distinct);
            }
            if (withWebhook.contains(id) && !distinct.contains(outcome) && !gaveUp(id, key)) {
                webhookMissing++;
                problems.add(
                        "webhook missing: " + id + " (" + outcome + ", unsettled=" + item.containsKey("gsi3pk") + ")");
            }
        }
        int batchMismatch = 0;
        for (String batchId : batchIds) {
            JsonNode batch = get("/v1/batches/" + batchId, key);
            Map<String, Integer> counts = new HashMap<>();
            BigDecimal cost = BigDecimal.ZERO;
            for (Map<String, AttributeValue> item : drained.jobs().values()) {
                if (item.containsKey("batchId")
                        && batchId.equals(item.get("batchId").s())) {
                    counts.merge(item.get("status").s(), 1, Integer::sum);
                    if (item.containsKey("costUsd")) {
                        cost = cost.add(new BigDecimal(item.get("costUsd").n()));
                    }
                }
            }
            JsonNode c = batch.path("counts");
            boolean same = c.path("succeeded").asInt() == counts.getOrDefault("succeeded", 0)
                    && c.path("failed").asInt() == counts.getOrDefault("failed", 0)
                    && c.path("canceled").asInt() == counts.getOrDefault("canceled", 0)
                    && batch.path("cost")
                                    .path("usd")
                                    .decimalValue()
                                    .subtract(cost)
                                    .abs()
                                    .compareTo(new BigDecimal("0.0000001"))
                            < 0;
            if (withWebhook.contains(batchId)
                    && !received.getOrDefault(batchId, List.of()).contains("batch.completed")) {
                webhookMissing++;
                problems.add("webhook missing: batch.completed of " + batchId);
            }
            if (!same || !"completed".equals(batch.path("status").asText())) {
                batchMismatch++;
                problems.add(
                        "batch " + batchId + " says " + batch.path("status").asText() + " " + c + " cost "
                                + batch.path("cost").path("usd") + "; its jobs say " + counts + " cost " + cost);
            }
        }
        if (drained.inFlight() > 0) {
            problems.add(drained.inFlight() + " messages still on or in flight from the jobs and webhooks queues");
        }
        int usageMismatch = usageMismatches(key, jobIds, drained);
        return new Summary(
                jobIds.size(),
                byStatus.getOrDefault("succeeded", 0),
                byStatus.getOrDefault("failed", 0),
                byStatus.getOrDefault("canceled", 0),
                lost,
                duplicated,
                stuck,
                webhookMissing,
                batchMismatch,
                usageMismatch,
                drained.inFlight(),
                drained.deadLettered(),
                restarts,
                drainSeconds,
                List.copyOf(problems));
    }

    /**
     * Compares the tenant's usage report with the sum over the run's jobs, month by month of their submission (the
     * month a job is counted in); the tenant is the run's own, so nothing else is in its usage.
     * @return how many fields differ
     */
    private int usageMismatches(String key, Set<String> jobIds, Drained drained) throws Exception {
        Map<String, Map<String, BigDecimal>> expected = new java.util.TreeMap<>();
        for (String id : jobIds) {
            Map<String, AttributeValue> item = drained.jobs().get(id);
            if (item == null) {
                continue;
            }
            Map<String, BigDecimal> month =
                    expected.computeIfAbsent(item.get("createdAt").s().substring(0, 7), m -> new java.util.TreeMap<>());
            month.merge("jobs.submitted", BigDecimal.ONE, BigDecimal::add);
            String status = item.get("status").s();
            if (TERMINAL.contains(status)) {
                month.merge("jobs." + status, BigDecimal.ONE, BigDecimal::add);
            }
            for (String[] field : new String[][] {
                {"inputTokens", "inputTokens"}, {"outputTokens", "outputTokens"}, {"costUsd", "cost.usd"}
            }) {
                BigDecimal v = item.containsKey(field[0])
                        ? new BigDecimal(item.get(field[0]).n())
                        : BigDecimal.ZERO;
                month.merge(field[1], v, BigDecimal::add);
            }
        }
        int mismatches = 0;
        for (var month : expected.entrySet()) {
            JsonNode usage = get("/v1/usage?month=" + month.getKey(), key);
            for (String field : List.of(
                    "inputTokens",
                    "outputTokens",
                    "cost.usd",
                    "jobs.submitted",
                    "jobs.succeeded",
                    "jobs.failed",
                    "jobs.canceled")) {
                JsonNode node = usage;
                for (String part : field.split("\\.")) {
                    node = node.path(part);
                }
                BigDecimal reported = node.isMissingNode() || node.isNull() ? BigDecimal.ZERO : node.decimalValue();
                BigDecimal sum = month.getValue().getOrDefault(field, BigDecimal.ZERO);
                boolean same = field.startsWith("cost")
                        ? reported.subtract(sum).abs().compareTo(new BigDecimal("0.000001")) < 0
                        : reported.compareTo(sum) == 0;
                if (!same) {
                    mismatches++;
                    problems.add("usage " + month.getKey() + " " + field + " is " + reported.toPlainString()
                            + " but the run's jobs sum to " + sum.toPlainString());
                }
            }
        }
        return mismatches;
    }

    private boolean gaveUp(String jobId, String key) throws Exception {
        for (JsonNode attempt :
                get("/v1/jobs/" + jobId + "/webhook-deliveries", key).path("items")) {
            if (attempt.path("outcome").asText().startsWith("give")) {
                return true;
            }
        }
        return false;
    }

    /** {@code Name=Value,Name=Value}: template parameters for the stack. */
    private static Map<String, String> parameters(String list) {
        Map<String, String> out = new HashMap<>();
        for (String pair : list.split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
            }
        }
        return out;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        Path data =
                a.containsKey("--data") ? Path.of(a.get("--data")) : Files.createTempDirectory("bedrock-jobs-chaos");
        long seed = Long.parseLong(a.getOrDefault("--seed", Long.toString(System.nanoTime())));
        Settings s = new Settings(
                Integer.parseInt(a.getOrDefault("--jobs", "1000")),
                Integer.parseInt(a.getOrDefault("--batches", "10")),
                Integer.parseInt(a.getOrDefault("--batch-size", "20")),
                Integer.parseInt(a.getOrDefault("--restarts", "3")),
                Double.parseDouble(a.getOrDefault("--throttle-rate", "0.2")),
                Double.parseDouble(a.getOrDefault("--aws-failure-rate", "0")),
                Double.parseDouble(a.getOrDefault("--worker-kill-rate", "0")),
                Double.parseDouble(a.getOrDefault("--webhook-share", "0.2")),
                Integer.parseInt(a.getOrDefault("--receiver-down-seconds", "3")),
                Integer.parseInt(a.getOrDefault("--clients", "16")),
                Duration.ofSeconds(Long.parseLong(a.getOrDefault("--drain-limit-seconds", "1800"))),
                data,
                seed,
                parameters(a.getOrDefault("--params", "")));
        System.err.println("chaos: " + s);
        Summary summary = run(s);
        summary.problems().stream().limit(30).forEach(p -> System.out.println("  " + p));
        System.out.println(summary.line());
        System.exit(summary.clean() ? 0 : 1);
    }
}
