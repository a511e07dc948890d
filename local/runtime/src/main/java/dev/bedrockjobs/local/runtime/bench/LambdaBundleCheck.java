package dev.bedrockjobs.local.runtime.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.bedrockjobs.core.webhook.WebhookSigner;
import dev.bedrockjobs.local.emulators.RepoRoot;
import dev.bedrockjobs.local.emulators.template.SamTemplate;
import dev.bedrockjobs.local.runtime.LocalOptions;
import dev.bedrockjobs.local.runtime.LocalStack;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The driver behind {@code .ci/lambda-bundles}: every function of the template, from the folder {@code sam build}'s
 * make target left it in, serves its first real-shaped event ({@link FirstEvents}) with only that folder on its
 * classpath, as the java21 runtime loads it ({@link LambdaRuntimeProcess}), against a local stack whose own event
 * sources are off, with the environment the stack resolves for it from the template. What an event needs exists first
 * and is made through the stack's own paths: the dev tenant's key, a job submitted through the API. Each answer must
 * make sense (the authorizer allows the dev key, submit answers 202, status 200 for the job, the worker finishes its
 * job, the webhook function delivers to a local receiver, the reconciler reports a clean pass).
 *
 * <p>Prints one line per function (bundle size, result) and exits 1 when any failed. Args: {@code --bundles DIR} (one
 * folder per function, named by its logical id; a failed build leaves {@code <id>.build-log} instead),
 * {@code --harness-classpath CP} (see {@code bench/lambda-runtime}).
 */
public final class LambdaBundleCheck {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A function's answer did not make sense, or it did not answer. */
    private static final class Failed extends Exception {
        Failed(String message) {
            super(message);
        }
    }

    private final Path work;
    private final LambdaRuntimeProcess lambda;
    private final LocalStack stack;
    private final FirstEvents events;
    private final AtomicInteger signedDeliveries;
    private String existingJob;

    private LambdaBundleCheck(
            Path work,
            LambdaRuntimeProcess lambda,
            LocalStack stack,
            FirstEvents events,
            AtomicInteger signedDeliveries) {
        this.work = work;
        this.lambda = lambda;
        this.stack = stack;
        this.events = events;
        this.signedDeliveries = signedDeliveries;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = LoadDriver.arguments(args);
        if (a.get("bundles") == null || a.get("harness-classpath") == null) {
            throw new IllegalArgumentException("usage: --bundles DIR --harness-classpath CP");
        }
        Path bundles = Path.of(a.get("bundles"));
        Path root = RepoRoot.require();
        List<String> functions =
                SamTemplate.load(root.resolve("template.yaml")).resourcesOfType("AWS::Serverless::Function");
        Path work = Files.createTempDirectory("lambda-bundles");
        AtomicInteger signedDeliveries = new AtomicInteger();
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hook", ex -> {
            ex.getRequestBody().readAllBytes();
            if ("POST".equals(ex.getRequestMethod())
                    && ex.getRequestHeaders().containsKey(WebhookSigner.SIGNATURE_HEADER)) {
                signedDeliveries.incrementAndGet();
            }
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
        int failures = 0;
        LocalOptions options = LocalOptions.builder(root)
                .port(0)
                .dataDirectory(work.resolve("data"))
                .eventSourcesEnabled(false)
                .allowLoopbackWebhooks(true)
                .modelLatencyMillis(0)
                .build();
        try (LocalStack stack = LocalStack.start(options)) {
            String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
            LambdaBundleCheck check = new LambdaBundleCheck(
                    work,
                    new LambdaRuntimeProcess(a.get("harness-classpath"), work),
                    stack,
                    new FirstEvents(root, stack, url),
                    signedDeliveries);
            failures += check.unmatchedBundles(bundles, functions);
            for (String function : functions) {
                failures += check.run(function, bundles.resolve(function)) ? 0 : 1;
            }
        } finally {
            receiver.stop(0);
            ColdStartDriver.deleteTree(work);
        }
        System.exit(failures == 0 ? 0 : 1);
    }

    /** Folders that are no function of the template: a make target that {@code sam build} never calls. */
    private int unmatchedBundles(Path bundles, List<String> functions) throws IOException {
        try (Stream<Path> folders = Files.list(bundles)) {
            List<String> extra = folders.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .filter(n -> !functions.contains(n))
                    .sorted()
                    .toList();
            extra.forEach(n ->
                    System.out.printf(Locale.ROOT, "%-19s %-27s  FAILED  not a function of template.yaml%n", n, "-"));
            return extra.size();
        }
    }

    /** Runs one function's bundle on its first event; prints its line. */
    private boolean run(String function, Path bundle) {
        String size = Files.isDirectory(bundle) ? size(bundle) : "-";
        try {
            if (!Files.isDirectory(bundle)) {
                Path log = bundle.resolveSibling(function + ".build-log");
                throw new Failed(
                        Files.exists(log)
                                ? "make build-" + function + " failed:\n    " + lastLines(Files.readString(log), 12)
                                : "no bundle: the Makefile has no build-" + function + " target");
            }
            String result = invoke(function, bundle);
            System.out.printf(Locale.ROOT, "%-19s %-27s  ok      %s%n", function, size, result);
            return true;
        } catch (Failed | IOException | RuntimeException e) {
            System.out.printf(
                    Locale.ROOT,
                    "%-19s %-27s  FAILED  %s%n",
                    function,
                    size,
                    e instanceof Failed ? e.getMessage() : e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String invoke(String function, Path bundle) throws Failed, IOException, InterruptedException {
        LocalStack.FunctionSetup setup = stack.function(function);
        if (existingJob == null) {
            existingJob = events.submitJob();
        }
        // the worker finishes the job its message names, and the streaming task writes the answer of the job it is
        // given, so each gets one of its own
        String job = function.equals("WorkerFunction") || function.equals("StreamFunction")
                ? events.submitJob()
                : existingJob;
        if (function.equals("StreamFunction")) {
            events.claimForStreaming(job);
        }
        Path event = events.write(function, job, work);
        int deliveriesBefore = signedDeliveries.get();
        LambdaRuntimeProcess.Invocation run =
                lambda.invoke(bundle.toString(), setup.handler(), setup.environment(), event, "plain");
        if (run.exit() != 0 || run.line("answer ").isEmpty()) {
            throw new Failed("exit " + run.exit() + ": " + failure(run.stderr() + run.stdout()));
        }
        JsonNode answer = JSON.readTree(run.line("answer ").get());
        switch (function) {
            case "AuthorizerFunction" -> {
                require(answer.path("isAuthorized").asBoolean(), "the dev key was refused", answer);
                String tenant = answer.path("context").path("tenantId").asText();
                require(tenant.equals("dev"), "the dev key became tenant " + tenant, answer);
                return "allowed the dev key (tenant dev)";
            }
            case "SubmitFunction" -> {
                require(answer.path("statusCode").asInt() == 202, "not 202", answer);
                return "202, job "
                        + JSON.readTree(answer.path("body").asText()).path("id").asText() + " queued";
            }
            case "StatusFunction" -> {
                require(answer.path("statusCode").asInt() == 200, "not 200", answer);
                JsonNode body = JSON.readTree(answer.path("body").asText());
                require(body.path("id").asText().equals(job), "not job " + job, answer);
                return "200, job " + job + " " + body.path("status").asText();
            }
            case "WorkerFunction" -> {
                requireNoBatchItemFailures(answer);
                JsonNode done = events.job(job);
                require(
                        done.path("status").asText().equals("succeeded"),
                        "job " + job + " is " + done.path("status").asText(),
                        done);
                return "job " + job + " succeeded, "
                        + done.path("usage").path("outputTokens").asInt() + " output tokens";
            }
            case "WebhookFunction" -> {
                requireNoBatchItemFailures(answer);
                int delivered = signedDeliveries.get() - deliveriesBefore;
                require(delivered == 1, delivered + " signed deliveries reached the receiver", answer);
                return "delivered one signed event to the local receiver";
            }
            case "StreamFunction" -> {
                require(answer.path("ending").asText().equals("completed"), "the stream did not complete", answer);
                require(answer.path("pieces").asInt() > 0, "no piece was stored", answer);
                return "streamed " + answer.path("reply").path("outputTokens").asInt() + " output tokens in "
                        + answer.path("pieces").asInt() + " pieces";
            }
            case "ReconcilerFunction" -> {
                require(answer.isTextual() && !answer.asText().isBlank(), "no report", answer);
                return "pass: " + answer.asText();
            }
            default ->
                throw new Failed("answered " + answer + ", but this check does not know what " + function
                        + " should answer: add it here");
        }
    }

    private static void requireNoBatchItemFailures(JsonNode answer) throws Failed {
        require(
                answer.path("batchItemFailures").isArray()
                        && answer.path("batchItemFailures").isEmpty(),
                "the message failed",
                answer);
    }

    private static void require(boolean condition, String problem, JsonNode answer) throws Failed {
        if (!condition) {
            throw new Failed(problem + ": " + answer);
        }
    }

    /** An invocation error's exception chain, or the end of what the process printed. */
    private static String failure(String output) {
        List<String> chain = output.lines()
                .map(String::strip)
                .filter(l -> l.startsWith("Exception in thread") || l.startsWith("Caused by:"))
                .toList();
        return chain.isEmpty() ? lastLines(output, 12) : String.join("\n    ", chain);
    }

    private static String lastLines(String text, int n) {
        List<String> lines = new ArrayList<>(text.lines().toList());
        return String.join("\n    ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }

    /**
     * The bundle's size unzipped (what Lambda's 250 MB limit counts) and zipped (what {@code sam deploy} uploads),
     * 10^6 bytes.
     */
    private static String size(Path folder) {
        long unzipped = 0;
        CountingStream zipped = new CountingStream();
        try (Stream<Path> walk = Files.walk(folder);
                ZipOutputStream zip = new ZipOutputStream(zipped)) {
            for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
                zip.putNextEntry(new ZipEntry(folder.relativize(file).toString()));
                unzipped += Files.copy(file, zip);
                zip.closeEntry();
            }
        } catch (IOException e) {
            return "size unknown (" + e.getMessage() + ")";
        }
        return String.format(Locale.ROOT, "%5.1f MB (%4.1f MB zipped)", unzipped / 1e6, zipped.count / 1e6);
    }

    /** Counts what is written to it and keeps nothing. */
    private static final class CountingStream extends OutputStream {
        private long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
