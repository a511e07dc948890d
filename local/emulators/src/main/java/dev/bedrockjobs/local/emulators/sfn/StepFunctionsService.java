package dev.bedrockjobs.local.emulators.sfn;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.local.emulators.Json;
import dev.bedrockjobs.local.emulators.sfn.asl.AslDefinitionException;
import dev.bedrockjobs.local.emulators.sfn.asl.StateMachineDefinition;
import dev.bedrockjobs.local.emulators.sfn.engine.ExecutionResult;
import dev.bedrockjobs.local.emulators.sfn.engine.ExecutionSpec;
import dev.bedrockjobs.local.emulators.sfn.engine.StepFunctionsEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * The Step Functions control and data plane the local server exposes, usable directly from Java: state machines
 * registered in memory, executions run by a {@link StepFunctionsEngine}.
 *
 * <p>As in AWS: StartSyncExecution works on EXPRESS machines only and blocks until the end; StartExecution runs in
 * the background; DescribeExecution serves STANDARD executions only (Express executions have no stored history in
 * AWS either), which also keeps memory flat under a stream of synchronous Express runs. Express executions are
 * limited to 5 minutes; STANDARD ones only by their definition's TimeoutSeconds.
 */
public final class StepFunctionsService implements AutoCloseable {

    public static final String REGION = "us-east-1";
    public static final String ACCOUNT_ID = "123456789012";
    public static final int MAX_INPUT_BYTES = 262_144;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,80}");
    private static final String ARN_PREFIX = "arn:aws:states:" + REGION + ":" + ACCOUNT_ID + ":";

    private final StepFunctionsEngine engine;
    private final Map<String, StateMachine> machinesByArn = new LinkedHashMap<>();
    private final Map<String, ExecutionRecord> standardExecutions = new ConcurrentHashMap<>();
    private final ExecutorService backgroundExecutions;

    public StepFunctionsService(StepFunctionsEngine engine) {
        this.engine = Objects.requireNonNull(engine);
        AtomicInteger number = new AtomicInteger();
        this.backgroundExecutions = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "sfn-execution-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    public StepFunctionsEngine engine() {
        return engine;
    }

    /**
     * CreateStateMachine. Creating the same name again with the same definition, role and type returns the existing
     * machine, as AWS does; anything else under that name is refused.
     *
     * @throws SfnApiException {@code InvalidName}, {@code InvalidDefinition} (with the engine's refusal),
     *                         {@code StateMachineAlreadyExists}
     */
    public synchronized StateMachine createStateMachine(
            String name, String definition, String roleArn, StateMachineType type) {
        requireName(name, "state machine");
        if (definition == null) {
            throw new SfnApiException("ValidationException", "definition is required");
        }
        String arn = ARN_PREFIX + "stateMachine:" + name;
        StateMachine existing = machinesByArn.get(arn);
        if (existing != null) {
            if (existing.definitionText().equals(definition)
                    && Objects.equals(existing.roleArn(), roleArn)
                    && existing.type() == type) {
                return existing;
            }
            throw new SfnApiException("StateMachineAlreadyExists", "State Machine Already Exists: '" + arn + "'");
        }
        StateMachineDefinition parsed;
        try {
            parsed = engine.load(definition);
        } catch (AslDefinitionException e) {
            throw new SfnApiException(
                    "InvalidDefinition", "Invalid State Machine Definition: '" + e.getMessage() + "'");
        }
        StateMachine machine = new StateMachine(
                name, arn, type, definition, roleArn, engine.timekeeper().now(), parsed);
        machinesByArn.put(arn, machine);
        return machine;
    }

    /**
     * Registers a definition file the way SAM deploys it: {@code ${Placeholder}} substitutions applied, then
     * CreateStateMachine. For the local runtime, which reads the values from template.yaml.
     */
    public StateMachine registerDefinitionFile(
            String name, Path definitionFile, Map<String, ?> substitutions, StateMachineType type) {
        String template;
        try {
            template = Files.readString(definitionFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + definitionFile, e);
        }
        String definition = DefinitionSubstitutions.apply(template, substitutions);
        return createStateMachine(name, definition, "arn:aws:iam::" + ACCOUNT_ID + ":role/" + name + "-role", type);
    }

    public synchronized StateMachine describeStateMachine(String arn) {
        StateMachine machine = machinesByArn.get(arn);
        if (machine == null) {
            throw new SfnApiException("StateMachineDoesNotExist", "State Machine Does Not Exist: '" + arn + "'");
        }
        return machine;
    }

    public synchronized List<StateMachine> listStateMachines() {
        return List.copyOf(new ArrayList<>(machinesByArn.values()));
    }

    public synchronized void deleteStateMachine(String arn) {
        machinesByArn.remove(arn);
    }

    /**
     * StartSyncExecution: runs an EXPRESS execution on the calling thread and returns it finished.
     *
     * @throws SfnApiException {@code StateMachineTypeNotSupported} for a STANDARD machine, or an input or name error
     */
    public ExecutionRecord startSyncExecution(String stateMachineArn, String name, String input)
            throws InterruptedException {
        StateMachine machine = describeStateMachine(stateMachineArn);
        if (machine.type() != StateMachineType.EXPRESS) {
            throw new SfnApiException(
                    "StateMachineTypeNotSupported", "This operation is not supported by this type of state machine");
        }
        ExecutionRecord record = newExecution(machine, name, input);
        run(record);
        return record;
    }

    /** StartExecution: starts the execution in the background and returns at once. */
    public ExecutionRecord startExecution(String stateMachineArn, String name, String input) {
        StateMachine machine = describeStateMachine(stateMachineArn);
        ExecutionRecord record = newExecution(machine, name, input);
        if (machine.type() == StateMachineType.STANDARD) {
            ExecutionRecord earlier = standardExecutions.putIfAbsent(record.executionArn(), record);
            if (earlier != null) {
                if (earlier.input().equals(record.input())) {
                    return earlier;
                }
                throw new SfnApiException(
                        "ExecutionAlreadyExists", "Execution Already Exists: '" + record.executionArn() + "'");
            }
        }
        backgroundExecutions.execute(() -> {
            try {
                run(record);
            } catch (InterruptedException e) {
                record.abort();
            }
        });
        return record;
    }

    /** DescribeExecution, for STANDARD executions. */
    public ExecutionRecord describeExecution(String executionArn) {
        if (executionArn != null && executionArn.startsWith(ARN_PREFIX + "express:")) {
            throw new SfnApiException(
                    "InvalidArn",
                    "Invalid Arn: 'DescribeExecution does not support EXPRESS executions: " + executionArn + "'");
        }
        ExecutionRecord record = standardExecutions.get(executionArn);
        if (record == null) {
            throw new SfnApiException("ExecutionDoesNotExist", "Execution Does Not Exist: '" + executionArn + "'");
        }
        return record;
    }

    private ExecutionRecord newExecution(StateMachine machine, String name, String input) {
        String executionName = name == null ? UUID.randomUUID().toString() : name;
        requireName(executionName, "execution");
        String inputText = input == null ? "{}" : input;
        if (inputText.getBytes(StandardCharsets.UTF_8).length > MAX_INPUT_BYTES) {
            throw new SfnApiException(
                    "ValidationException",
                    "1 validation error detected: Value at 'input' failed to satisfy constraint: "
                            + "Member must have length less than or equal to " + MAX_INPUT_BYTES);
        }
        parseInput(inputText);
        String arn = machine.type() == StateMachineType.EXPRESS
                ? ARN_PREFIX + "express:" + machine.name() + ":" + executionName + ":" + UUID.randomUUID()
                : ARN_PREFIX + "execution:" + machine.name() + ":" + executionName;
        return new ExecutionRecord(
                arn, executionName, machine, inputText, engine.timekeeper().now());
    }

    private void run(ExecutionRecord record) throws InterruptedException {
        StateMachine machine = record.stateMachine();
        Duration serviceLimit = machine.type() == StateMachineType.EXPRESS ? ExecutionSpec.EXPRESS_TIME_LIMIT : null;
        ExecutionSpec spec = new ExecutionSpec(
                record.executionArn(), record.name(), machine.arn(), machine.name(), machine.roleArn(), serviceLimit);
        ExecutionResult result = engine.execute(machine.definition(), spec, parseInput(record.input()));
        record.finish(result);
    }

    private static JsonNode parseInput(String input) {
        try {
            JsonNode node = Json.parse(input);
            if (node == null || node.isMissingNode()) {
                throw new SfnApiException(
                        "InvalidExecutionInput", "Invalid State Machine Execution Input: empty input");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new SfnApiException(
                    "InvalidExecutionInput", "Invalid State Machine Execution Input: '" + e.getOriginalMessage() + "'");
        }
    }

    private static void requireName(String name, String what) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new SfnApiException(
                    "InvalidName",
                    "Invalid Name: '" + name + "' (a " + what + " name has 1 to 80 letters, digits, '-' or '_')");
        }
    }

    /** Stops background executions. The engine is the caller's to close. */
    @Override
    public void close() {
        backgroundExecutions.shutdownNow();
    }
}
