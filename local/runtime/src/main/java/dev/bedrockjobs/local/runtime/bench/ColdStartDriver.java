package dev.bedrockjobs.local.runtime.bench;

import com.sun.net.httpserver.HttpServer;
import dev.bedrockjobs.local.emulators.RepoRoot;
import dev.bedrockjobs.local.runtime.LocalOptions;
import dev.bedrockjobs.local.runtime.LocalStack;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The driver behind {@code bench/coldstart} (see {@code bench/coldstart/README.md}). Starts one local stack (dynalite,
 * ElasticMQ, the Step Functions engine, the Bedrock simulator) with its event sources off, then, for every function
 * of the template and for a hello-world handler, starts fresh JVMs with the Lambda Java runtime's flags whose
 * classpath is the function's shaded bundle plus the harness, and measures the init (process start to handler built)
 * and the first invoke (event in, answer out) of each, with and without running the handler's CRaC priming hooks
 * first. Every function gets its {@link FirstEvents first real-shaped event}, pointed at what exists in the stack (the
 * dev tenant and key, a freshly queued job, a local webhook receiver). Prints medians as a table.
 */
public final class ColdStartDriver {
    private static final Pattern LINE =
            Pattern.compile("jvm_start=(\\d+) main=(\\d+) init=(\\d+) " + "primed=(\\d+) invoked=(\\d+) hooks=(\\w+)");

    /** Logical id and module folder. */
    private record Function(String logicalId, String module) {}

    private static final List<Function> FUNCTIONS = List.of(
            new Function("AuthorizerFunction", "authorizer"),
            new Function("SubmitFunction", "submit"),
            new Function("StatusFunction", "status"),
            new Function("WorkerFunction", "worker"),
            new Function("WebhookFunction", "webhook"),
            new Function("ReconcilerFunction", "reconciler"));

    /** One cold start: milliseconds from process start to handler built, priming, first invoke. */
    record Sample(long initMs, long primeMs, long invokeMs, long jvmToMainMs, boolean hooks) {}

    private final Path root;
    private final Path work;
    private final LambdaRuntimeProcess lambda;
    private final LocalStack stack;
    private final FirstEvents events;

    private ColdStartDriver(Path root, Path work, LambdaRuntimeProcess lambda, LocalStack stack, FirstEvents events) {
        this.root = root;
        this.work = work;
        this.lambda = lambda;
        this.stack = stack;
        this.events = events;
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
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hook", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
        LocalOptions options = LocalOptions.builder(root)
                .port(0)
                .dataDirectory(work.resolve("data"))
                .eventSourcesEnabled(false)
                .allowLoopbackWebhooks(true)
                .modelLatencyMillis(0)
                .build();
        try (LocalStack stack = LocalStack.start(options)) {
            String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
            new ColdStartDriver(
                            root,
                            work,
                            new LambdaRuntimeProcess(harness, work),
                            stack,
                            new FirstEvents(root, stack, url))
                    .run(runs);
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
        String statusJob = events.submitJob();
        // Interleaved, so that a change in the machine's load during the run touches every column alike.
        for (int run = 0; run < runs; run++) {
            baseline.add(coldStart("", "HelloHandler", helloEvent, Map.of(), "plain"));
            for (Function f : FUNCTIONS) {
                for (String mode : List.of("plain", "primed")) {
                    LocalStack.FunctionSetup setup = stack.function(f.logicalId());
                    String jobId = f.module().equals("worker") ? events.submitJob() : statusJob;
                    Path event = events.write(f.logicalId(), jobId, work);
                    Sample s =
                            coldStart(bundle(f.module()).toString(), setup.handler(), event, setup.environment(), mode);
                    (mode.equals("plain") ? plain : primed)
                            .computeIfAbsent(f.module(), k -> new ArrayList<>())
                            .add(s);
                }
            }
            System.err.println("coldstart: run " + (run + 1) + " of " + runs + " done");
        }
        report(runs, baseline, plain, primed);
    }

    private void report(
            int runs, List<Sample> baseline, Map<String, List<Sample>> plain, Map<String, List<Sample>> primed)
            throws IOException {
        long baseInit = median(baseline.stream().map(Sample::initMs).toList());
        long baseInvoke = median(baseline.stream().map(Sample::invokeMs).toList());
        long baseTotal =
                median(baseline.stream().map(s -> s.initMs() + s.invokeMs()).toList());
        System.out.printf(
                Locale.ROOT,
                "java %s, %d processors, load average %s; %d runs each, medians in ms; JVM flags: %s%n%n",
                System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(),
                loadAverage(),
                runs,
                String.join(" ", LambdaRuntimeProcess.JVM_FLAGS));
        String row = "%-11s %9s %6s %8s %7s %10s %9s %10s %13s %7s%n";
        System.out.printf(
                Locale.ROOT,
                row,
                "function",
                "jar MB",
                "init",
                "invoke",
                "total",
                "x hello",
                "hooks",
                "prime",
                "primed invoke",
                "target");
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
            System.out.printf(
                    Locale.ROOT,
                    row,
                    f.module(),
                    String.format(Locale.ROOT, "%.2f", Files.size(bundle(f.module())) / 1_000_000.0),
                    init,
                    invoke,
                    total,
                    String.format(Locale.ROOT, "%.2f", ratio),
                    hooks ? "yes" : "none",
                    hooks ? prime : "-",
                    hooks ? primedInvoke : "-",
                    target);
        }
        System.out.println();
        System.out.println("init = process start to handler built (JVM boot, class loading, SDK clients); invoke = "
                + "event deserialized, handled, answer serialized; total = median of init + invoke per run; target: "
                + "total < 1000 ms and < 4x hello. prime = the CRaC hooks (beforeCheckpoint + afterRestore), which "
                + "SnapStart runs before the snapshot; primed invoke = the first invoke after them.");
    }

    private Sample coldStart(String bundle, String handler, Path event, Map<String, String> env, String mode)
            throws IOException, InterruptedException {
        LambdaRuntimeProcess.Invocation run = lambda.invoke(bundle, handler, env, event, mode);
        Matcher m = LINE.matcher(run.line("invocation ").orElse(""));
        if (run.exit() != 0 || !m.find()) {
            throw new IllegalStateException(
                    handler + " (" + mode + ") failed with exit " + run.exit() + ": " + run.stdout() + run.stderr());
        }
        long spawnedAt = run.spawnedAt();
        long main = Long.parseLong(m.group(2));
        long init = Long.parseLong(m.group(3));
        long primed = Long.parseLong(m.group(4));
        long invoked = Long.parseLong(m.group(5));
        return new Sample(
                init - spawnedAt, primed - init, invoked - primed, main - spawnedAt, Boolean.parseBoolean(m.group(6)));
    }

    private Path bundle(String module) throws IOException {
        try (Stream<Path> files =
                Files.list(root.resolve("functions").resolve(module).resolve("target"))) {
            return files.filter(f -> f.getFileName().toString().endsWith("-lambda.jar"))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException(
                            "no Lambda bundle of " + module + ": build it with mvn package first"));
        }
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

    static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted((x, y) -> y.getNameCount() - x.getNameCount())
                    .forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder left behind is harmless
        }
    }
}
