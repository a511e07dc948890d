package dev.bedrockjobs.local.runtime.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The load driver behind {@code bench/load} (see {@code bench/README.md}). Against a running local stack it
 * measures, in order:
 * <ol>
 *   <li>{@code POST /v1/jobs} with {@code --clients} clients for {@code --seconds}, twice (the worker runs
 *       meanwhile, as it would in production): first in a closed loop, which finds the stack's capacity; then in an
 *       open loop offering {@code --rate} requests per second, which shows the latency at that load (p50, p90,
 *       p99, max, accepted per second);</li>
 *   <li>end-to-end throughput: {@code --jobs} submitted at once, waited for until the work queues are empty, then
 *       every job read back: completed per second (first submit to last {@code finishedAt}) and how many were lost
 *       (not terminal), over both phases;</li>
 *   <li>the resident memory (RSS) of the stack's process and its children (dynalite), sampled throughout (Linux
 *       {@code /proc}).</li>
 * </ol>
 * Results go to stdout as {@code key: value} lines.
 */
public final class LoadDriver {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TERMINAL = Set.of("succeeded", "failed", "canceled");

    private final URI api;
    private final String key;
    private final HttpClient http;
    private final int clients;
    private final long stackPid;

    private LoadDriver(URI api, String key, int clients, long stackPid) {
        this.api = api;
        this.key = key;
        this.clients = clients;
        this.stackPid = stackPid;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = arguments(args);
        Path data = Path.of(a.getOrDefault("data", ".local"));
        JsonNode endpoints = JSON.readTree(Files.readString(data.resolve("endpoints.json")));
        String key = Files.readString(data.resolve("dev-api-key")).strip();
        int clients = Integer.parseInt(a.getOrDefault("clients", "50"));
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "30"));
        int jobs = Integer.parseInt(a.getOrDefault("jobs", "3000"));
        double rate = Double.parseDouble(a.getOrDefault("rate", "500"));
        long pid = Long.parseLong(a.getOrDefault("pid", "0"));
        // false against a stack whose event sources are disabled (bench/load --api-only): nothing consumes the
        // queues, so nothing is waited for and every accepted job is read back as stored instead of finished.
        boolean drain = Boolean.parseBoolean(a.getOrDefault("drain", "true"));

        LoadDriver driver = new LoadDriver(URI.create(endpoints.path("api").asText()), key, clients, pid);
        print("host_cpus", Integer.toString(Runtime.getRuntime().availableProcessors()));
        print("host_load_at_start", loadAverage());
        RssSampler rss = pid > 0 ? RssSampler.start(pid) : null;
        try (SqsClient sqs = sqs(URI.create(endpoints.path("sqs").asText()))) {
            driver.warmUp();
            List<String> phaseOne = new ArrayList<>(driver.latency("capacity", Duration.ofSeconds(seconds), 0));
            if (rate > 0) {
                if (drain) {
                    driver.awaitQueuesEmpty(sqs, Duration.ofMinutes(10));
                }
                phaseOne.addAll(driver.latency("latency", Duration.ofSeconds(seconds), rate));
            }
            if (!drain) {
                driver.readBackStored(phaseOne);
            } else if (jobs > 0) { // --jobs 0 measures submits alone
                driver.awaitQueuesEmpty(sqs, Duration.ofMinutes(10));
                driver.endToEnd(sqs, jobs, phaseOne);
            }
        } finally {
            print("host_load_at_end", loadAverage());
            if (rss != null) {
                rss.stop();
                print(
                        "rss_peak_mib",
                        String.format(
                                "%.0f (java %.0f + children %.0f at that moment)",
                                rss.peakTotal / 1048576.0, rss.peakJava / 1048576.0, rss.peakChildren / 1048576.0));
            }
        }
    }

    /** A few hundred requests first, so that the measurement sees a warmed JIT, as a long-running stack would. */
    private void warmUp() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            int n = i;
            done.add(pool.submit(() -> submit("warm-up " + n)));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
    }

    /**
     * Submits for {@code length} from {@code clients} threads; returns the ids accepted.
     *
     * @param rate 0 for a closed loop (each client sends again as soon as answered: the stack's capacity, with
     *             latency = clients / throughput by Little's law); else an open loop offering {@code rate} requests
     *             per second in all, each latency counted from the request's scheduled time so that a stalled
     *             server cannot hide its queueing (no coordinated omission)
     */
    private List<String> latency(String phase, Duration length, double rate) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        ConcurrentLinkedQueue<String> accepted = new ConcurrentLinkedQueue<>();
        AtomicInteger refused = new AtomicInteger();
        List<Future<long[]>> perClient = new ArrayList<>();
        long started = System.nanoTime();
        long end = started + length.toNanos();
        long interval = rate > 0 ? (long) (1e9 * clients / rate) : 0;
        for (int c = 0; c < clients; c++) {
            int client = c;
            perClient.add(pool.submit(() -> {
                long[] samples = new long[1 << 16];
                int n = 0;
                // open loop: client c sends at started + c * (interval / clients) + k * interval
                long scheduled = started + (interval * client) / clients;
                while (true) {
                    long t0 = interval > 0 ? scheduled : System.nanoTime();
                    if (t0 >= end) {
                        break;
                    }
                    long wait = t0 - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    Submitted s = submit("Review: client " + client + " request " + n);
                    long took = System.nanoTime() - t0;
                    if (s.id != null) {
                        accepted.add(s.id);
                    } else {
                        refused.incrementAndGet();
                    }
                    if (n == samples.length) {
                        samples = Arrays.copyOf(samples, n * 2);
                    }
                    samples[n++] = took;
                    scheduled += interval;
                }
                return Arrays.copyOf(samples, n);
            }));
        }
        List<Long> all = new ArrayList<>();
        for (Future<long[]> f : perClient) {
            for (long v : f.get()) {
                all.add(v);
            }
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        pool.shutdown();
        Collections.sort(all);
        print(
                phase + "_mode",
                rate > 0
                        ? "open loop, " + (long) rate + " requests/s offered by " + clients + " clients"
                        : "closed loop, " + clients + " clients");
        print(phase + "_requests", Integer.toString(all.size()));
        print(phase + "_refused", Integer.toString(refused.get()));
        print(phase + "_p50_ms", ms(percentile(all, 0.50)));
        print(phase + "_p90_ms", ms(percentile(all, 0.90)));
        print(phase + "_p99_ms", ms(percentile(all, 0.99)));
        print(phase + "_max_ms", ms(all.get(all.size() - 1)));
        print(phase + "_accepted_per_s", String.format("%.0f", accepted.size() / elapsed));
        return new ArrayList<>(accepted);
    }

    /** Phase 2: a burst of jobs through the whole pipeline; then every job of both phases is read back. */
    private void endToEnd(SqsClient sqs, int jobs, List<String> phaseOne) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        ConcurrentLinkedQueue<String> ids = new ConcurrentLinkedQueue<>();
        AtomicInteger next = new AtomicInteger();
        double cpuBefore = stackCpuSeconds();
        Instant firstSubmit = Instant.now();
        List<Future<?>> submitters = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            submitters.add(pool.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < jobs) {
                    Submitted s = submit("Review: end-to-end job " + i);
                    if (s.id != null) {
                        ids.add(s.id);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : submitters) {
            f.get();
        }
        print("e2e_jobs_submitted", Integer.toString(ids.size()));
        awaitQueuesEmpty(sqs, Duration.ofMinutes(10));
        double cpu = stackCpuSeconds() - cpuBefore;

        Instant lastFinish = Instant.EPOCH;
        List<JsonNode> e2eJobs = readAll(pool, new ArrayList<>(ids));
        Map<String, Integer> byStatus = countByStatus(e2eJobs);
        List<String> notTerminal = new ArrayList<>();
        for (JsonNode job : e2eJobs) {
            if (!TERMINAL.contains(job.path("status").asText())) {
                notTerminal.add(job.toString());
            }
            if (job.hasNonNull("finishedAt")) {
                Instant f = Instant.parse(job.path("finishedAt").asText());
                lastFinish = f.isAfter(lastFinish) ? f : lastFinish;
            }
        }
        int terminal = countIn(byStatus, TERMINAL);
        double span = Duration.between(firstSubmit, lastFinish).toMillis() / 1000.0;
        print("e2e_statuses", byStatus.toString());
        print("e2e_seconds_first_submit_to_last_finish", String.format("%.2f", span));
        print("e2e_completed_per_s", String.format("%.0f", terminal / span));
        print("e2e_lost", Integer.toString(ids.size() - terminal));
        if (stackPid > 0) {
            // CPU time does not depend on what else the machine runs, unlike the rates above.
            print(
                    "e2e_stack_cpu_ms_per_job",
                    String.format(
                            "%.2f (submit + run + finish; java and dynalite)", cpu * 1000 / Math.max(1, ids.size())));
        }

        List<JsonNode> phaseOneJobs = readAll(pool, phaseOne);
        Map<String, Integer> phaseOneStatus = countByStatus(phaseOneJobs);
        for (JsonNode job : phaseOneJobs) {
            if (!TERMINAL.contains(job.path("status").asText())) {
                notTerminal.add(job.toString());
            }
        }
        int phaseOneTerminal = countIn(phaseOneStatus, TERMINAL);
        print("submit_phases_statuses", phaseOneStatus.toString());
        print("submit_phases_lost", Integer.toString(phaseOne.size() - phaseOneTerminal));
        notTerminal.stream().limit(5).forEach(j -> print("not_terminal", j));
        pool.shutdown();
    }

    /** With nothing consuming the queues: every job the submit phases accepted must be stored, still queued. */
    private void readBackStored(List<String> ids) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        Map<String, Integer> byStatus = countByStatus(readAll(pool, ids));
        pool.shutdown();
        print("submit_phases_statuses", byStatus.toString());
        print("submit_phases_lost", Integer.toString(ids.size() - countIn(byStatus, Set.of("queued"))));
    }

    /** How many jobs have each status ("missing" for a job not found), in the order first seen. */
    private static Map<String, Integer> countByStatus(List<JsonNode> jobs) {
        Map<String, Integer> byStatus = new LinkedHashMap<>();
        jobs.forEach(job -> byStatus.merge(job.path("status").asText("missing"), 1, Integer::sum));
        return byStatus;
    }

    private static int countIn(Map<String, Integer> byStatus, Set<String> statuses) {
        return byStatus.entrySet().stream()
                .filter(e -> statuses.contains(e.getKey()))
                .mapToInt(Map.Entry::getValue)
                .sum();
    }

    /** The 1, 5 and 15-minute load averages: other work on the machine skews every rate measured here. */
    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** User + system CPU seconds of the stack's process and its children (dynalite) so far. */
    private double stackCpuSeconds() {
        return ProcessCpu.secondsWithDescendants(stackPid);
    }

    private List<JsonNode> readAll(ExecutorService pool, List<String> ids) throws Exception {
        List<Future<JsonNode>> reads = new ArrayList<>();
        for (String id : ids) {
            reads.add(pool.submit(() -> {
                HttpResponse<String> r = send(
                        HttpRequest.newBuilder(api.resolve("/v1/jobs/" + id)).GET());
                return r.statusCode() == 200
                        ? JSON.readTree(r.body())
                        : JSON.createObjectNode().put("status", "http_" + r.statusCode());
            }));
        }
        List<JsonNode> out = new ArrayList<>(ids.size());
        for (Future<JsonNode> f : reads) {
            out.add(f.get());
        }
        return out;
    }

    /** Waits until every queue that feeds a function (has a redrive policy) holds no message, in flight or not. */
    private void awaitQueuesEmpty(SqsClient sqs, Duration limit) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            long pending = 0;
            for (String url : sqs.listQueues().queueUrls()) {
                Map<QueueAttributeName, String> at = sqs.getQueueAttributes(
                                g -> g.queueUrl(url).attributeNames(QueueAttributeName.ALL))
                        .attributes();
                if (at.containsKey(QueueAttributeName.REDRIVE_POLICY)) {
                    pending += Long.parseLong(at.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "0"))
                            + Long.parseLong(
                                    at.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE, "0"))
                            + Long.parseLong(
                                    at.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED, "0"));
                }
            }
            if (pending == 0) {
                return;
            }
            Thread.sleep(500); // every poll is load on the queue server too
        }
        throw new IllegalStateException("the work queues did not empty within " + limit);
    }

    private record Submitted(String id, int status) {}

    private Submitted submit(String prompt) {
        try {
            HttpResponse<String> r = send(HttpRequest.newBuilder(api.resolve("/v1/jobs"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"prompt\": " + JSON.writeValueAsString(prompt) + ", \"model\": \"fast\"}")));
            return r.statusCode() == 202
                    ? new Submitted(JSON.readTree(r.body()).path("id").asText(), 202)
                    : new Submitted(null, r.statusCode());
        } catch (IOException e) {
            return new Submitted(null, 0);
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException {
        try {
            return http.send(
                    request.header("Authorization", "Bearer " + key)
                            .timeout(Duration.ofSeconds(30))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static SqsClient sqs(URI endpoint) {
        return SqsClient.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();
    }

    private static long percentile(List<Long> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    private static String ms(long nanos) {
        return String.format("%.2f", nanos / 1e6);
    }

    private static void print(String name, String value) {
        System.out.println(name + ": " + value);
        System.out.flush();
    }

    static Map<String, String> arguments(String[] args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value pairs, got " + args[i]);
            }
            out.put(args[i].substring(2), args[i + 1]);
        }
        return out;
    }

    /** Peak resident memory of a process and its descendants, from {@code /proc/<pid>/status}. */
    private static final class RssSampler implements Runnable {
        private final long pid;
        private final Thread thread;
        private volatile boolean running = true;
        volatile long peakTotal;
        volatile long peakJava;
        volatile long peakChildren;

        private RssSampler(long pid) {
            this.pid = pid;
            this.thread = new Thread(this, "rss-sampler");
            this.thread.setDaemon(true);
        }

        static RssSampler start(long pid) {
            RssSampler s = new RssSampler(pid);
            s.thread.start();
            return s;
        }

        @Override
        public void run() {
            while (running) {
                long java = rss(pid);
                AtomicLong children = new AtomicLong();
                ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(d -> children.addAndGet(rss(d.pid()))));
                if (java + children.get() > peakTotal) {
                    peakTotal = java + children.get();
                    peakJava = java;
                    peakChildren = children.get();
                }
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void stop() throws InterruptedException {
            running = false;
            thread.interrupt();
            thread.join();
        }

        private static long rss(long pid) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                    }
                }
            } catch (IOException | RuntimeException e) {
                // the process is gone, or this is not Linux: nothing to add
            }
            return 0;
        }
    }
}
