package dev.bedrockjobs.local.emulators.sfn.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.local.emulators.Json;
import dev.bedrockjobs.local.emulators.sfn.asl.StateMachineDefinition;
import dev.bedrockjobs.local.emulators.sfn.lambda.LambdaInvokeResource;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;

/** An engine on virtual time with one scripted resource, and helpers to run a definition written inline. */
final class EngineFixture implements AutoCloseable {

    static final Instant START = Instant.parse("2025-01-01T00:00:00Z");

    // A call is taken as hung after 1.5 s of real time: a scripted answer on a busy CI machine can take far longer
    // than 100 ms, and a false hang would move virtual time past the execution's limit.
    final VirtualTimekeeper time = new VirtualTimekeeper(START, Duration.ofMillis(1500));
    final ScriptedResource resource;
    final StepFunctionsEngine engine;

    EngineFixture(ScriptedResource resource, long seed) {
        this.resource = resource;
        this.engine = StepFunctionsEngine.builder()
                .timekeeper(time)
                .random(new Random(seed))
                .resource(resource)
                .resource(LambdaInvokeResource.withoutFunctions())
                .build();
    }

    EngineFixture(ScriptedResource resource) {
        this(resource, 42);
    }

    ExecutionResult run(String definition, String input) {
        return run(engine.load(definition), input, ExecutionSpec.express("run"));
    }

    ExecutionResult run(StateMachineDefinition definition, String input, ExecutionSpec spec) {
        try {
            return engine.execute(definition, spec, Json.parse(input));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static JsonNode json(String text) {
        try {
            return Json.parse(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A one-task machine "T" with the given extra fields (Retry, Catch...) spliced in, plus a Pass state "Z" ending
     * the execution when the fields mention it (as a Catch target).
     */
    static String taskMachine(String taskFields) {
        String catchTarget = taskFields.contains("\"Z\"") ? ", \"Z\": {\"Type\": \"Pass\", \"End\": true}" : "";
        return """
                {"StartAt": "T", "States": {
                  "T": {"Type": "Task", "Resource": "%s", %s "End": true}%s
                }}""".formatted(ScriptedResource.ARN, taskFields.isBlank() ? "" : taskFields + ",", catchTarget);
    }

    @Override
    public void close() {
        engine.close();
    }
}
