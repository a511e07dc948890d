package dev.bedrockjobs.local.emulators.sfn.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * An in-memory task resource playing a script of outcomes, one per attempt, then repeating the last one. Records
 * every invocation for assertions.
 */
final class ScriptedResource implements TaskResource {

    static final String ARN = "arn:aws:states:::test:scripted";

    private interface Outcome {
        JsonNode play(TaskInvocation invocation) throws TaskFailure, InterruptedException;
    }

    private final Deque<Outcome> script = new ArrayDeque<>();
    private Outcome last = invocation -> TextNode.valueOf("done");
    private final List<TaskInvocation> invocations = new ArrayList<>();
    private final String arn;
    private final Set<String> requiredParameters;
    private final Set<String> optionalParameters;

    ScriptedResource() {
        this(Set.of());
    }

    ScriptedResource(Set<String> optionalParameters) {
        this(ARN, Set.of(), optionalParameters);
    }

    private ScriptedResource(String arn, Set<String> requiredParameters, Set<String> optionalParameters) {
        this.arn = arn;
        this.requiredParameters = requiredParameters;
        this.optionalParameters = optionalParameters;
    }

    /** Stands in for the Bedrock integration, with its ARN and parameter names. */
    static ScriptedResource asBedrock() {
        return new ScriptedResource(
                "arn:aws:states:::bedrock:invokeModel", Set.of("ModelId", "Body"), Set.of("ContentType", "Accept"));
    }

    ScriptedResource fail(String error, int times) {
        for (int i = 0; i < times; i++) {
            then(invocation -> {
                throw new TaskFailure(error, "scripted " + error);
            });
        }
        return this;
    }

    ScriptedResource fail(String... errors) {
        for (String error : errors) {
            fail(error, 1);
        }
        return this;
    }

    /** Blocks until interrupted, as a task that never answers. */
    ScriptedResource hang(int times) {
        for (int i = 0; i < times; i++) {
            then(invocation -> {
                new CountDownLatch(1).await();
                throw new AssertionError("unreachable");
            });
        }
        return this;
    }

    ScriptedResource succeed(JsonNode result) {
        return then(invocation -> result);
    }

    /** Answers with the parameters it received. */
    ScriptedResource echo() {
        return then(TaskInvocation::parameters);
    }

    private ScriptedResource then(Outcome outcome) {
        synchronized (this) {
            script.addLast(outcome);
            last = outcome;
        }
        return this;
    }

    synchronized List<TaskInvocation> invocations() {
        return List.copyOf(invocations);
    }

    @Override
    public String arn() {
        return arn;
    }

    @Override
    public Set<String> requiredParameters() {
        return requiredParameters;
    }

    @Override
    public Set<String> optionalParameters() {
        return optionalParameters;
    }

    @Override
    public JsonNode invoke(TaskInvocation invocation) throws TaskFailure, InterruptedException {
        Outcome outcome;
        synchronized (this) {
            invocations.add(invocation);
            outcome = script.isEmpty() ? last : script.removeFirst();
        }
        return outcome.play(invocation);
    }
}
