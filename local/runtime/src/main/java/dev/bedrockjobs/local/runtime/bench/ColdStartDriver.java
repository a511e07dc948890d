package dev.bedrockjobs.local.runtime.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.bedrockjobs.local.emulators.RepoRoot;
import dev.bedrockjobs.local.runtime.LocalOptions;
import dev.bedrockjobs.local.runtime.LocalStack;

import java.io.File;
import java.io.IOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The driver behind {@code bench/coldstart} (see {@code bench/coldstart/README.md}). Starts one local stack (dynalite,
 * ElasticMQ, the Step Functions engine, the Bedrock simulator) with its event sources off, then, for every function
 * of the template and for a hello-world handler, starts fresh JVMs with the Lambda Java runtime's flags whose
 * classpath is the function's shaded bundle plus the harness, and measures the init (process start to handler built)
 * and the first invoke (event in, answer out) of each, with and without running the handler's CRaC priming hooks
 * first. Every function gets the first real-shaped event of {@code events/}, pointed at what exists in the stack (the
 * dev tenant and key, a freshly queued job, a local webhook receiver). Prints medians as a table.
 */
public final class ColdStartDriver {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LINE = Pattern.compile("coldstart jvm_start=(\\d+) main=(\\d+) init=(\\d+) "
            + "primed=(\\d+) invoked=(\\d+) hooks=(\\w+)");
    private static final String SAMPLE_JOB = "job_01JDQ8Z6V3N4T5R6S7P8Q9W0XY";
    private static final String SAMPLE_TENANT = "tenant-a";
    private static final String SAMPLE_KEY = "bjk_exampleexampleexampleexampleexampleexamplee";

    /** Logical id, module folder, first event (relative to the repository). */
    private record Function(String logicalId, String module, String event) {
    }

    private static final List<Function> FUNCTIONS = List.of(
            new Function("AuthorizerFunction", "authorizer", "events/authorizer-request.json"),
            new Function("SubmitFunction", "submit", "events/submit-job.json"),
            new Function("StatusFunction", "status", "events/get-job.json"),
            new Function("WorkerFunction", "worker", "events/worker-sqs.json"),
            new Function("WebhookFunction", "webhook", "functions/webhook/src/test/resources/events/webhook-sqs.json"),
            new Function("ReconcilerFunction", "reconciler", "events/reconciler-scheduled.json"));

    /** One cold start: milliseconds from process start to handler built, priming, first invoke. */
    record Sample(long initMs, long primeMs, long invokeMs, long jvmToMainMs, boolean hooks) {
    }

    private final Path root;
    private final Path work;
    private final String harnessClasspath;
    private final List<String> jvmFlags;
    private final LocalStack stack;
    private final HttpClient http = HttpClient.newHttpClient();
    private final String webhookUrl;

    private ColdStartDriver(Path root, Path work, String harnessClasspath, List<String> jvmFlags, LocalStack stack,
                            String webhookUrl) {
        this.root = root;
        this.work = work;
        this.harnessClasspath = harnessClasspath;
        this.jvmFlags = jvmFlags;
        this.stack = stack;
        this.webhookUrl = webhookUrl;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = LoadDriver.arguments(args);
        int runs = Integer.parseInt(a.getOrDefault("runs", "5"));
        Path root = RepoRoot.require();
        Path work = Files.createTempDirectory("coldstart");
        String harness = a.get("harness-classpath");
        if (harness == null) {
            throw new IllegalArgumentException("--harness-classpath is required (the harness classes and the "
                    + "runtime's serialization library)");
        }
        // The java21 runtime's defaults (Lambda docs, "Customize Java runtime startup behavior"): C1 only, serial
        // GC, class data sharing; heap as Lambda sizes it for 1,024 MB.
        List<String> flags = List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Xshare:auto", "-Xmx870m", "-Djava.net.preferIPv4Stack=true");
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
        LocalOptions options = LocalOptions.builder(root).port(0).dataDirectory(work.resolve("data"))
                .eventSourcesEnabled(false).allowLoopbackWebhooks(true).modelLatencyMillis(0).build();
        try (LocalStack stack = LocalStack.start(options)) {
            String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
            new ColdStartDriver(root, work, harness, flags, stack, url).run(runs);
        } finally {
            receiver.stop(0);
            deleteTree(work);
        }
    }

    private void run(int runs) throws Exception {
        Map<String, List<Sample>> plain = new LinkedHashMap<>();
        Map<String, List<Sample>> primed = new LinkedHashMap<>();
        List<Sample> baseline = new ArrayList<>();
        Path helloEvent = work.resolve("hello.json");
        Files.writeString(helloEvent, "{\"name\": \"world\"}");
        Path helloEnv = writeEnv("hello", Map.of());
        String statusJob = submitJob();
        // Interleaved, so that a change in the machine's load during the run touches every column alike.
        for (int run = 0; run < runs; run++) {
            baseline.add(coldStart("", "HelloHandler", helloEvent, helloEnv, "plain"));
            for (Function f : FUNCTIONS) {
                for (String mode : List.of("plain", "primed")) {
                    LocalStack.FunctionSetup setup = stack.function(f.logicalId());
                    Path env = writeEnv(f.module(), setup.environment());
                    String jobId = f.module().equals("worker") ? submitJob() : statusJob;
                    Path event = writeEvent(f, jobId);
                    String handlerClass = setup.handler().split("::")[0];
                    Sample s = coldStart(bundle(f.module()).toString(), handlerClass, event, env, mode);
                    (mode.equals("plain") ? plain : primed).computeIfAbsent(f.module(), k -> new ArrayList<>()).add(s);
                }
            }
            System.err.println("coldstart: run " + (run + 1) + " of " + runs + " done");
        }
        report(runs, baseline, plain, primed);
    }

    private void report(int runs, List<Sample> baseline, Map<String, List<Sample>> plain,
                        Map<String, List<Sample>> primed) throws IOException {
        long baseInit = median(baseline.stream().map(Sample::initMs).toList());
        long baseInvoke = median(baseline.stream().map(Sample::invokeMs).toList());
        long baseTotal = median(baseline.stream().map(s -> s.initMs() + s.invokeMs()).toList());
        System.out.printf(Locale.ROOT,
                "java %s, %d processors, load average %s; %d runs each, medians in ms; JVM flags: %s%n%n",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), loadAverage(), runs,
                String.join(" ", jvmFlags));
        String row = "%-11s %9s %6s %8s %7s %10s %9s %10s %13s %7s%n";
        System.out.printf(Locale.ROOT, row, "function", "jar MB", "init", "invoke", "total", "x hello", "hooks",
                "prime", "primed invoke", "target");
        System.out.printf(Locale.ROOT, row, "hello", "-", baseInit, baseInvoke, baseTotal, "1.00", "-", "-", "-", "-");
        for (Function f : FUNCTIONS) {
            List<Sample> p = plain.get(f.module());
            List<Sample> q = primed.get(f.module());
            long init = median(p.stream().map(Sample::initMs).toList());
            long invoke = median(p.stream().map(Sample::invokeMs).toList());
            long total = median(p.stream().map(s -> s.initMs() + s.invokeMs()).toList());
            double ratio = (double) total / baseTotal;
            boolean hooks = q.stream().allMatch(Sample::hooks);
            long prime = median(q.stream().map(Sample::primeMs).toList());
            long primedInvoke = median(q.stream().map(Sample::invokeMs).toList());
            String target = total < 1000 && ratio < 4 ? "met" : "MISSED";
            System.out.printf(Locale.ROOT, row, f.module(),
                    String.format(Locale.ROOT, "%.2f", Files.size(bundle(f.module())) / 1_000_000.0),
                    init, invoke, total,
                    String.format(Locale.ROOT, "%.2f", ratio), hooks ? "yes" : "none", hooks ? prime : "-",
                    hooks ? primedInvoke : "-", target);
        }
        System.out.println();
        System.out.println("init = process start to handler built (JVM boot, class loading, SDK clients); invoke = "
                + "event deserialized, handled, answer serialized; total = median of init + invoke per run; target: "
                + "total < 1000 ms and < 4x hello. prime = the CRaC hooks (beforeCheckpoint + afterRestore), which "
                + "SnapStart runs before the snapshot; primed invoke = the first invoke after them.");
    }

    private Sample coldStart(String bundle, String handlerClass, Path event, Path env, String mode)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmFlags);
        cmd.add("-cp");
        cmd.add(bundle.isEmpty() ? harnessClasspath : bundle + File.pathSeparator + harnessClasspath);
        cmd.add("ColdStartHarness");
        cmd.add(handlerClass);
        cmd.add(event.toString());
        cmd.add(env.toString());
        cmd.add(mode);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false)
                .redirectError(work.resolve("harness-stderr.log").toFile());
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        long spawnedAt = System.currentTimeMillis();
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        Matcher m = LINE.matcher(out);
        if (exit != 0 || !m.find()) {
            throw new IllegalStateException(handlerClass + " (" + mode + ") failed with exit " + exit + ": " + out
                    + Files.readString(work.resolve("harness-stderr.log")));
        }
        long main = Long.parseLong(m.group(2));
        long init = Long.parseLong(m.group(3));
        long primed = Long.parseLong(m.group(4));
        long invoked = Long.parseLong(m.group(5));
        return new Sample(init - spawnedAt, primed - init, invoked - primed, main - spawnedAt,
                Boolean.parseBoolean(m.group(6)));
    }

    private Path bundle(String module) throws IOException {
        try (Stream<Path> files = Files.list(root.resolve("functions").resolve(module).resolve("target"))) {
            return files.filter(f -> f.getFileName().toString().endsWith("-lambda.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no Lambda bundle of " + module
                            + ": build it with mvn package first"));
        }
    }

    private Path writeEnv(String name, Map<String, String> env) throws IOException {
        Properties p = new Properties();
        p.putAll(env);
        Path file = work.resolve(name + ".env");
        try (Writer w = Files.newBufferedWriter(file)) {
            p.store(w, null);
        }
        return file;
    }

    /** The function's sample event, pointed at the dev tenant, its key, a real job and the local receiver. */
    private Path writeEvent(Function f, String jobId) throws IOException {
        String text = Files.readString(root.resolve(f.event()))
                .replace(SAMPLE_JOB, jobId)
                .replace(SAMPLE_TENANT, "dev")
                .replace(SAMPLE_KEY, stack.devApiKey())
                .replace("https://hooks.example.com/bedrock-jobs", webhookUrl);
        Path file = work.resolve(f.module() + "-event.json");
        Files.writeString(file, text);
        return file;
    }

    /** A queued job (event sources are off, so it stays queued until a worker run takes it). */
    private String submitJob() throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(stack.apiUrl() + "/v1/jobs"))
                .header("Authorization", "Bearer " + stack.devApiKey()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"Review: int f() { return 1/0; }\", "
                        + "\"model\": \"fast\", \"maxTokens\": 256}"))
                .build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            throw new IllegalStateException("submit answered " + r.statusCode() + ": " + r.body());
        }
        JsonNode job = JSON.readTree(r.body());
        return job.path("id").asText();
    }

    static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted((x, y) -> y.getNameCount() - x.getNameCount()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder left behind is harmless
        }
    }
}
