package dev.bedrockjobs.local.emulators.sfn.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.local.emulators.Json;
import dev.bedrockjobs.local.emulators.sfn.asl.Catcher;
import dev.bedrockjobs.local.emulators.sfn.asl.ErrorNames;
import dev.bedrockjobs.local.emulators.sfn.asl.Retrier;
import dev.bedrockjobs.local.emulators.sfn.asl.State;
import dev.bedrockjobs.local.emulators.sfn.asl.StateMachineDefinition;
import dev.bedrockjobs.local.emulators.sfn.asl.StatesError;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;

/** One execution of a definition, from StartAt to its end; the semantics are documented on {@link StepFunctionsEngine}. */
final class ExecutionRun {

    static final int MAX_PAYLOAD_BYTES = 256 * 1024;

    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** The execution reached its time limit; ends it with TIMED_OUT whatever Catch says. */
    private static final class ExecutionTimedOut extends Exception {
        ExecutionTimedOut(String message) {
            super(message, null, false, false);
        }
    }

    /** A Fail state was reached; unlike {@link StatesError} its error and cause may be absent. */
    private static final class FailStateReached extends Exception {
        final String error;
        final String cause;

        FailStateReached(String error, String cause) {
            super(null, null, false, false);
            this.error = error;
            this.cause = cause;
        }
    }

    private record Step(JsonNode output, String next) {}

    private final StateMachineDefinition definition;
    private final ExecutionSpec spec;
    private final JsonNode input;
    private final Map<String, TaskResource> resources;
    private final Timekeeper time;
    private final Random random;
    private final ExecutorService taskExecutor;

    private final List<ExecutionEvent> history = new ArrayList<>();
    private final Map<String, int[]> retriesByState = new HashMap<>();
    private Instant start;
    private Instant deadline;
    private Duration timeLimit;
    private ObjectNode executionContext;
    private ObjectNode stateMachineContext;

    ExecutionRun(
            StateMachineDefinition definition,
            ExecutionSpec spec,
            JsonNode input,
            Map<String, TaskResource> resources,
            Timekeeper time,
            Random random,
            ExecutorService taskExecutor) {
        this.definition = definition;
        this.spec = spec;
        this.input = input;
        this.resources = resources;
        this.time = time;
        this.random = random;
        this.taskExecutor = taskExecutor;
    }

    ExecutionResult run() throws InterruptedException {
        start = time.now();
        timeLimit = timeLimit();
        deadline = timeLimit == null ? null : start.plus(timeLimit);
        executionContext = Json.object()
                .put("Id", spec.executionArn())
                .put("Name", spec.executionName())
                .put("RoleArn", spec.roleArn())
                .put("StartTime", ISO_MILLIS.format(start))
                .put("RedriveCount", 0);
        executionContext.set("Input", input);
        stateMachineContext = Json.object().put("Id", spec.stateMachineArn()).put("Name", spec.stateMachineName());
        record(ExecutionEvent.of(ExecutionEvent.Type.EXECUTION_STARTED, start, null));

        String current = definition.startAt();
        JsonNode data = input;
        try {
            while (true) {
                requireTimeLeft();
                State state = definition.state(current);
                Instant entered = time.now();
                record(ExecutionEvent.of(ExecutionEvent.Type.STATE_ENTERED, entered, current));
                Step step = runState(state, data, entered);
                record(ExecutionEvent.of(ExecutionEvent.Type.STATE_EXITED, time.now(), current));
                if (step.next() == null) {
                    return finish(ExecutionStatus.SUCCEEDED, step.output(), null, null);
                }
                current = step.next();
                data = step.output();
            }
        } catch (StatesError e) {
            return finish(ExecutionStatus.FAILED, null, e.error(), e.errorCause());
        } catch (FailStateReached e) {
            return finish(ExecutionStatus.FAILED, null, e.error, e.cause);
        } catch (ExecutionTimedOut e) {
            return finish(ExecutionStatus.TIMED_OUT, null, ErrorNames.TIMEOUT, e.getMessage());
        }
    }

    private Duration timeLimit() {
        Duration ownLimit =
                definition.timeoutSeconds() == null ? null : Duration.ofSeconds(definition.timeoutSeconds());
        return shorter(ownLimit, spec.serviceTimeLimit());
    }

    private static Duration shorter(Duration a, Duration b) {
        if (a == null) {
            return b;
        }
        return b == null || a.compareTo(b) <= 0 ? a : b;
    }

    private Step runState(State state, JsonNode data, Instant entered)
            throws InterruptedException, ExecutionTimedOut, FailStateReached {
        if (state instanceof State.Task task) {
            return runTask(task, data, entered);
        }
        if (state instanceof State.Pass pass) {
            return runPass(pass, data, entered);
        }
        if (state instanceof State.Choice choice) {
            return runChoice(choice, data, entered);
        }
        if (state instanceof State.Succeed succeed) {
            JsonNode context = context(succeed.name(), entered, 0);
            JsonNode effective = succeed.inputPath().apply("InputPath", data, context);
            return new Step(succeed.outputPath().apply("OutputPath", effective, context), null);
        }
        State.Fail fail = (State.Fail) state;
        throw new FailStateReached(fail.error(), fail.cause());
    }

    private Step runPass(State.Pass pass, JsonNode data, Instant entered) {
        JsonNode context = context(pass.name(), entered, 0);
        JsonNode effective = pass.inputPath().apply("InputPath", data, context);
        JsonNode result = pass.result() != null
                ? pass.result().deepCopy()
                : pass.parameters() != null ? pass.parameters().evaluate(effective, context) : effective;
        JsonNode output =
                pass.outputPath().apply("OutputPath", pass.resultPath().apply(data, result), context);
        return new Step(withinDataLimit(output, pass.name()), pass.next());
    }

    private Step runChoice(State.Choice choice, JsonNode data, Instant entered) {
        JsonNode context = context(choice.name(), entered, 0);
        JsonNode effective = choice.inputPath().apply("InputPath", data, context);
        String next = choice.defaultNext();
        for (State.Rule rule : choice.choices()) {
            if (rule.condition().test(effective, context)) {
                next = rule.next();
                break;
            }
        }
        if (next == null) {
            throw new StatesError(ErrorNames.NO_CHOICE_MATCHED, "No Matches!");
        }
        return new Step(choice.outputPath().apply("OutputPath", effective, context), next);
    }

    private Step runTask(State.Task task, JsonNode data, Instant entered)
            throws InterruptedException, ExecutionTimedOut {
        TaskResource resource = resources.get(task.resource());
        int[] retrierCounts = retriesByState.computeIfAbsent(
                task.name(), name -> new int[task.retriers().size()]);
        JsonNode effective = task.inputPath().apply("InputPath", data, context(task.name(), entered, 0));
        for (int retries = 0; ; retries++) {
            JsonNode context = context(task.name(), entered, retries);
            JsonNode parameters =
                    task.parameters() == null ? effective : task.parameters().evaluate(effective, context);
            JsonNode result;
            try {
                result = attempt(task, resource, parameters, retries + 1);
            } catch (StatesError failure) {
                Optional<Duration> delay = retryDelay(task, retrierCounts, failure);
                if (delay.isPresent()) {
                    sleepBeforeRetry(delay.get());
                    continue;
                }
                return caught(task, data, failure);
            }
            JsonNode selected = task.resultSelector() == null
                    ? result
                    : task.resultSelector().evaluate(result, context);
            JsonNode output =
                    task.outputPath().apply("OutputPath", task.resultPath().apply(data, selected), context);
            return new Step(withinDataLimit(output, task.name()), task.next());
        }
    }

    private JsonNode attempt(State.Task task, TaskResource resource, JsonNode parameters, int attempt)
            throws InterruptedException, ExecutionTimedOut {
        withinDataLimit(parameters, task.name());
        Instant now = time.now();
        Duration remaining = deadline == null ? null : Duration.between(now, deadline);
        if (remaining != null && (remaining.isZero() || remaining.isNegative())) {
            throw timedOut();
        }
        Duration taskLimit = task.timeoutSeconds() == null ? null : Duration.ofSeconds(task.timeoutSeconds());
        Duration limit = shorter(taskLimit, remaining);
        boolean taskLimitBinds = taskLimit != null && (remaining == null || taskLimit.compareTo(remaining) <= 0);
        record(new ExecutionEvent(ExecutionEvent.Type.TASK_STARTED, now, task.name(), attempt, null, null, null, null));

        TaskInvocation invocation = new TaskInvocation(
                spec.executionArn(), task.name(), parameters, Optional.ofNullable(limit), attempt, spec.roleArn());
        Future<JsonNode> running = taskExecutor.submit(() -> resource.invoke(invocation));
        try {
            JsonNode result = time.await(running, limit);
            record(new ExecutionEvent(
                    ExecutionEvent.Type.TASK_SUCCEEDED, time.now(), task.name(), attempt, null, null, null, null));
            return withinDataLimit(result, task.name());
        } catch (TimeoutException e) {
            running.cancel(true);
            throw attemptTimedOut(task, attempt, taskLimitBinds);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof TaskFailure failure) {
                if (failure.isTimeout()) {
                    throw attemptTimedOut(task, attempt, taskLimitBinds || remaining == null);
                }
                record(new ExecutionEvent(
                        ExecutionEvent.Type.TASK_FAILED,
                        time.now(),
                        task.name(),
                        attempt,
                        failure.error(),
                        failure.errorCause(),
                        null,
                        null));
                throw new StatesError(failure.error(), failure.errorCause());
            }
            if (cause instanceof StatesError error) {
                throw error;
            }
            throw StatesError.runtime("The task resource " + task.resource() + " failed unexpectedly: " + cause);
        } catch (InterruptedException e) {
            running.cancel(true);
            throw e;
        }
    }

    /** A task-level timeout (catchable {@code States.Timeout}) or, when the execution's limit was the bound, its end. */
    private RuntimeException attemptTimedOut(State.Task task, int attempt, boolean taskLimitBinds)
            throws ExecutionTimedOut {
        if (!taskLimitBinds) {
            throw timedOut();
        }
        String cause = task.timeoutSeconds() == null
                ? "The task timed out."
                : "The task did not finish within its TimeoutSeconds of " + task.timeoutSeconds() + " seconds.";
        record(new ExecutionEvent(
                ExecutionEvent.Type.TASK_TIMED_OUT,
                time.now(),
                task.name(),
                attempt,
                ErrorNames.TIMEOUT,
                cause,
                null,
                null));
        return new StatesError(ErrorNames.TIMEOUT, cause);
    }

    /** The first retrier matching the error decides; an exhausted one ends the retrying. */
    private Optional<Duration> retryDelay(State.Task task, int[] counts, StatesError failure) {
        List<Retrier> retriers = task.retriers();
        for (int i = 0; i < retriers.size(); i++) {
            Retrier retrier = retriers.get(i);
            if (!retrier.matches(failure.error())) {
                continue;
            }
            if (counts[i] >= retrier.maxAttempts()) {
                return Optional.empty();
            }
            counts[i]++;
            Duration delay = retrier.delayBeforeRetry(counts[i], random);
            record(new ExecutionEvent(
                    ExecutionEvent.Type.RETRY_SCHEDULED,
                    time.now(),
                    task.name(),
                    counts[i],
                    failure.error(),
                    failure.errorCause(),
                    i,
                    delay));
            return Optional.of(delay);
        }
        return Optional.empty();
    }

    private void sleepBeforeRetry(Duration delay) throws InterruptedException, ExecutionTimedOut {
        if (deadline != null) {
            Duration remaining = Duration.between(time.now(), deadline);
            if (delay.compareTo(remaining) >= 0) {
                time.sleep(remaining.isNegative() ? Duration.ZERO : remaining);
                throw timedOut();
            }
        }
        time.sleep(delay);
    }

    private Step caught(State.Task task, JsonNode data, StatesError failure) {
        for (Catcher catcher : task.catchers()) {
            if (catcher.matches(failure.error())) {
                ObjectNode errorOutput =
                        Json.object().put("Error", failure.error()).put("Cause", failure.errorCause());
                record(new ExecutionEvent(
                        ExecutionEvent.Type.ERROR_CAUGHT,
                        time.now(),
                        task.name(),
                        null,
                        failure.error(),
                        failure.errorCause(),
                        null,
                        null));
                return new Step(
                        withinDataLimit(catcher.resultPath().apply(data, errorOutput), task.name()), catcher.next());
            }
        }
        throw failure;
    }

    private void requireTimeLeft() throws ExecutionTimedOut {
        if (deadline != null && !time.now().isBefore(deadline)) {
            throw timedOut();
        }
    }

    private ExecutionTimedOut timedOut() {
        return new ExecutionTimedOut(
                "The execution did not finish within its time limit of " + timeLimit.toSeconds() + " seconds.");
    }

    private JsonNode context(String state, Instant entered, int retryCount) {
        ObjectNode context = Json.object();
        context.set("Execution", executionContext);
        context.putObject("State")
                .put("EnteredTime", ISO_MILLIS.format(entered))
                .put("Name", state)
                .put("RetryCount", retryCount);
        context.set("StateMachine", stateMachineContext);
        return context;
    }

    private static JsonNode withinDataLimit(JsonNode payload, String state) {
        long size = serializedSize(payload);
        if (size > MAX_PAYLOAD_BYTES) {
            throw new StatesError(
                    ErrorNames.DATA_LIMIT_EXCEEDED,
                    "The state/task '" + state + "' returned a result "
                            + "with a size exceeding the maximum number of bytes service limit (" + size + " bytes).");
        }
        return payload;
    }

    private static long serializedSize(JsonNode payload) {
        ByteCounter counter = new ByteCounter();
        try {
            Json.mapper().writeValue(counter, payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return counter.count;
    }

    /** Counts bytes written, so the size check never builds the string it measures. */
    private static final class ByteCounter extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            count += length;
        }
    }

    private void record(ExecutionEvent event) {
        history.add(event);
    }

    private ExecutionResult finish(ExecutionStatus status, JsonNode output, String error, String cause) {
        Instant stop = time.now();
        ExecutionEvent.Type type = switch (status) {
            case SUCCEEDED -> ExecutionEvent.Type.EXECUTION_SUCCEEDED;
            case TIMED_OUT -> ExecutionEvent.Type.EXECUTION_TIMED_OUT;
            default -> ExecutionEvent.Type.EXECUTION_FAILED;
        };
        record(new ExecutionEvent(type, stop, null, null, error, cause, null, null));
        return new ExecutionResult(status, output, error, cause, start, stop, history);
    }
}
