package dev.bedrockjobs.local.emulators.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.local.emulators.Json;
import dev.bedrockjobs.local.emulators.sfn.JobStateMachine;
import dev.bedrockjobs.local.emulators.sfn.asl.StateMachineDefinition;
import dev.bedrockjobs.local.emulators.sfn.engine.ExecutionResult;
import dev.bedrockjobs.local.emulators.sfn.engine.ExecutionSpec;
import dev.bedrockjobs.local.emulators.sfn.engine.ExecutionStatus;
import dev.bedrockjobs.local.emulators.sfn.engine.StepFunctionsEngine;
import dev.bedrockjobs.local.emulators.sfn.engine.TaskFailure;
import dev.bedrockjobs.local.emulators.sfn.engine.TaskInvocation;
import dev.bedrockjobs.local.emulators.sfn.engine.TaskResource;
import dev.bedrockjobs.local.emulators.sfn.engine.VirtualTimekeeper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The local engine's own cost per execution of {@code statemachine/job.asl.json}, measured with an in-JVM model
 * that answers at once (no HTTP, no simulator), plus the retry delays the committed policy chooses. Not a test: a
 * main class run by hand, whose figures are never asserted. From the repository root, after {@code mvn install}:
 *
 * <pre>
 * cd local/emulators &amp;&amp; mvn -q exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.bedrockjobs.local.emulators.bench.EngineOverheadBench [-Dexec.args="200000 4"]
 * </pre>
 *
 * <p>Arguments: {@code [executions] [threads]}, default 200000 and 4.
 */
public final class EngineOverheadBench {

    private static final String MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";

    private EngineOverheadBench() {}

    /** Answers every invocation with the same Claude-shaped body, or fails a given number of times first. */
    private static final class InstantModel implements TaskResource {
        private final JsonNode answer;
        private final AtomicInteger failuresLeft;

        InstantModel(int failures) {
            ObjectNode body = Json.object()
                    .put("id", "msg_bdrk_bench")
                    .put("type", "message")
                    .put("role", "assistant");
            body.putArray("content").addObject().put("type", "text").put("text", "Looks good. Verdict: approve.");
            body.put("stop_reason", "end_turn");
            body.putObject("usage").put("input_tokens", 42).put("output_tokens", 9);
            this.answer = Json.object().<ObjectNode>set("Body", body).put("ContentType", "application/json");
            this.failuresLeft = new AtomicInteger(failures);
        }

        @Override
        public String arn() {
            return "arn:aws:states:::bedrock:invokeModel";
        }

        @Override
        public Set<String> requiredParameters() {
            return Set.of("ModelId", "Body");
        }

        @Override
        public Set<String> optionalParameters() {
            return Set.of("ContentType", "Accept");
        }

        @Override
        public JsonNode invoke(TaskInvocation invocation) throws TaskFailure {
            if (failuresLeft.getAndDecrement() > 0) {
                throw new TaskFailure(
                        "Bedrock.ThrottlingException", "Too many requests, please wait before trying again.");
            }
            return answer;
        }
    }

    public static void main(String[] args) throws Exception {
        int executions = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        JsonNode input = Json.parse("""
                {"jobId": "bench", "modelId": "%s", "body": {"anthropic_version": "bedrock-2023-05-31",
                 "max_tokens": 512, "messages": [{"role": "user", "content": [{"type": "text",
                 "text": "Review this diff: + int count = items.size();"}]}]}}""".formatted(MODEL));

        try (StepFunctionsEngine engine =
                StepFunctionsEngine.builder().resource(new InstantModel(0)).build()) {
            StateMachineDefinition definition = engine.load(JobStateMachine.definition());
            ExecutionSpec spec = ExecutionSpec.express("bench");
            runSingleThreaded(engine, definition, spec, input, executions / 4);
            double perExecution = runSingleThreaded(engine, definition, spec, input, executions);
            System.out.printf(
                    Locale.ROOT,
                    "single thread: %,d executions of job.asl.json, %.1f µs each%n",
                    executions,
                    perExecution / 1_000);
            double throughput = runConcurrently(engine, definition, spec, input, executions, threads);
            System.out.printf(Locale.ROOT, "%d threads: %,.0f executions/s%n", threads, throughput);
        }
        printRetryTable(input);
    }

    private static double runSingleThreaded(
            StepFunctionsEngine engine,
            StateMachineDefinition definition,
            ExecutionSpec spec,
            JsonNode input,
            int executions)
            throws Exception {
        long start = System.nanoTime();
        for (int i = 0; i < executions; i++) {
            requireSuccess(engine.execute(definition, spec, input));
        }
        return (System.nanoTime() - start) / (double) executions;
    }

    private static double runConcurrently(
            StepFunctionsEngine engine,
            StateMachineDefinition definition,
            ExecutionSpec spec,
            JsonNode input,
            int executions,
            int threads)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long start = System.nanoTime();
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    for (int i = 0; i < executions / threads; i++) {
                        requireSuccess(engine.execute(definition, spec, input));
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
            return executions / ((System.nanoTime() - start) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void requireSuccess(ExecutionResult result) {
        if (result.status() != ExecutionStatus.SUCCEEDED) {
            throw new IllegalStateException(result.error() + ": " + result.cause());
        }
    }

    /** Six throttles in a row, then success: the delays with the committed FULL jitter and with NONE. */
    private static void printRetryTable(JsonNode input) throws Exception {
        List<Duration> full = delays(JobStateMachine.definition(), input);
        List<Duration> none = delays(JobStateMachine.definition().replace("\"FULL\"", "\"NONE\""), input);
        System.out.println(
                "Six throttles in a row, seed 42 (ThrottleIntervalSeconds 2, BackoffRate 2, MaxDelaySeconds 30):");
        System.out.println("retry | NONE delay (s) | FULL delay (s)");
        double totalNone = 0;
        double totalFull = 0;
        for (int i = 0; i < none.size(); i++) {
            totalNone += none.get(i).toMillis() / 1000.0;
            totalFull += full.get(i).toMillis() / 1000.0;
            System.out.printf(
                    Locale.ROOT,
                    "%5d | %14.3f | %14.3f%n",
                    i + 1,
                    none.get(i).toMillis() / 1000.0,
                    full.get(i).toMillis() / 1000.0);
        }
        System.out.printf(Locale.ROOT, "total | %14.3f | %14.3f%n", totalNone, totalFull);
    }

    private static List<Duration> delays(String definition, JsonNode input) throws Exception {
        VirtualTimekeeper time = new VirtualTimekeeper();
        try (StepFunctionsEngine engine = StepFunctionsEngine.builder()
                .timekeeper(time)
                .random(new Random(42))
                .resource(new InstantModel(6))
                .build()) {
            ExecutionResult result = engine.execute(engine.load(definition), ExecutionSpec.express("table"), input);
            requireSuccess(result);
            return result.retryDelays();
        }
    }
}
