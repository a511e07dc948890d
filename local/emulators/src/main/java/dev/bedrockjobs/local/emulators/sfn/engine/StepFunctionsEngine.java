package dev.bedrockjobs.local.emulators.sfn.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.local.emulators.sfn.asl.AslDefinitionException;
import dev.bedrockjobs.local.emulators.sfn.asl.PayloadTemplate;
import dev.bedrockjobs.local.emulators.sfn.asl.StateMachineDefinition;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local interpreter of Amazon States Language, faithful for the subset it accepts and refusing the rest at load
 * time (see {@code sfn.asl.DefinitionParser}).
 *
 * <h2>Semantics implemented, and the choices made where AWS documentation is silent</h2>
 * <ul>
 *   <li><b>States</b>: Task, Pass, Choice, Succeed, Fail. Input processing order per the ASL spec: InputPath,
 *       Parameters, task, ResultSelector, ResultPath (applied to the state's raw input), OutputPath.</li>
 *   <li><b>Retry</b>: retriers are scanned in order and the first whose ErrorEquals matches decides: if its
 *       attempts are not used up the attempt is retried after its delay, otherwise no further retrier is considered
 *       and Catch is tried. A retrier's count spans every visit to the state in the execution (so a state re-entered
 *       through a loop does not get a fresh budget). Delays: see {@link
 *       dev.bedrockjobs.local.emulators.sfn.asl.Retrier} (cap before FULL jitter, millisecond precision).</li>
 *   <li><b>Catch</b>: the error output {@code {"Error", "Cause"}} goes through the catcher's ResultPath into the
 *       state's raw input; OutputPath is not applied.</li>
 *   <li><b>Errors</b>: {@code States.ALL} matches everything except {@code States.Runtime} and
 *       {@code States.DataLimitExceeded}; {@code States.TaskFailed} everything a task raises except
 *       {@code States.Timeout}. Failures of paths, ResultPath and intrinsic functions raise {@code States.Runtime},
 *       which fails the execution at once (AWS reports missing paths this way; it is not retried or caught).
 *       State outputs over 256 KiB raise {@code States.DataLimitExceeded}.</li>
 *   <li><b>Timeouts</b>: a Task's {@code TimeoutSeconds} bounds each attempt and raises {@code States.Timeout},
 *       which Retry and Catch see. The execution's limit is the shorter of the top-level {@code TimeoutSeconds}
 *       and the service limit of its type (5 minutes for Express); reaching it ends the execution at once with
 *       status {@code TIMED_OUT} and error {@code States.Timeout}, which no Catch sees. A retry whose delay would
 *       outlast the execution's limit times the execution out at that limit.</li>
 *   <li><b>Context object</b>: Execution.{Id, Input, Name, RoleArn, StartTime, RedriveCount},
 *       State.{EnteredTime, Name, RetryCount}, StateMachine.{Id, Name}; readable from InputPath, Parameters,
 *       ResultSelector, OutputPath and Choice variables. {@code State.RetryCount} counts the retries made in the
 *       current visit of the state, so in ResultSelector it is the number of retries the successful attempt
 *       needed.</li>
 * </ul>
 *
 * Time and randomness are injected ({@link Timekeeper}, {@link Random}) so that tests can run retry policies
 * instantly and assert the delays chosen. Task attempts run on a cached thread pool so that the engine can give
 * up on an attempt at its time limit whatever the resource does.
 */
public final class StepFunctionsEngine implements AutoCloseable {

    private final Map<String, TaskResource> resources;
    private final Timekeeper timekeeper;
    private final Random random;
    private final ExecutorService taskExecutor;

    private StepFunctionsEngine(Builder builder) {
        this.resources = Map.copyOf(builder.resources);
        this.timekeeper = builder.timekeeper;
        this.random = builder.random;
        this.taskExecutor = Executors.newCachedThreadPool(daemonThreads());
    }

    public static Builder builder() {
        return new Builder();
    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        AtomicInteger number = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "sfn-task-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * Parses and checks a definition against this engine's resources.
     *
     * @throws AslDefinitionException naming the state and field the engine refuses
     */
    public StateMachineDefinition load(String definitionJson) {
        return StateMachineDefinition.parse(definitionJson, this::checkResource);
    }

    private void checkResource(String state, String resource, PayloadTemplate parameters) {
        TaskResource task = resources.get(resource);
        if (task == null) {
            throw new AslDefinitionException(
                    state,
                    "Resource",
                    "the resource '" + resource + "' is not supported "
                            + "by the local Step Functions engine (supported: " + new TreeSet<>(resources.keySet())
                            + ")");
        }
        Set<String> given = parameters == null ? Set.of() : parameters.outputKeys();
        for (String required : task.requiredParameters()) {
            if (!given.contains(required)) {
                throw new AslDefinitionException(
                        state,
                        "Parameters",
                        "the resource '" + resource + "' requires the parameter '" + required + "'");
            }
        }
        for (String name : given) {
            if (!task.requiredParameters().contains(name)
                    && !task.optionalParameters().contains(name)) {
                throw new AslDefinitionException(
                        state,
                        "Parameters." + name,
                        "the parameter '" + name + "' of resource '" + resource
                                + "' is not supported by the local Step Functions engine");
            }
        }
        task.checkParameters(state, parameters);
    }

    /**
     * Runs an execution to its end on the calling thread.
     *
     * @throws InterruptedException if the calling thread is interrupted (the execution is abandoned)
     */
    public ExecutionResult execute(StateMachineDefinition definition, ExecutionSpec spec, JsonNode input)
            throws InterruptedException {
        return new ExecutionRun(definition, spec, input, resources, timekeeper, random, taskExecutor).run();
    }

    public Timekeeper timekeeper() {
        return timekeeper;
    }

    /** Stops the task threads; attempts still running are interrupted. */
    @Override
    public void close() {
        taskExecutor.shutdownNow();
    }

    public static final class Builder {
        private final Map<String, TaskResource> resources = new LinkedHashMap<>();
        private Timekeeper timekeeper = SystemTimekeeper.INSTANCE;
        private Random random = new Random();

        private Builder() {}

        /** Registers a task resource under its ARN; a later one with the same ARN replaces it. */
        public Builder resource(TaskResource resource) {
            resources.put(resource.arn(), resource);
            return this;
        }

        public Builder timekeeper(Timekeeper timekeeper) {
            this.timekeeper = Objects.requireNonNull(timekeeper);
            return this;
        }

        /** The source of FULL jitter; seed it for reproducible delays. */
        public Builder random(Random random) {
            this.random = Objects.requireNonNull(random);
            return this;
        }

        public StepFunctionsEngine build() {
            return new StepFunctionsEngine(this);
        }
    }
}
