package dev.bedrockjobs.core.adapter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.port.ModelCallPolicy;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.StartSyncExecutionResponse;
import software.amazon.awssdk.services.sfn.model.SyncExecutionStatus;

/**
 * The job state machine (Express) started synchronously. StartSyncExecution answers 200 even when the execution
 * failed, so the status is read, never assumed; the state machine's own Catch shapes model errors as
 * {@code {"failure": {"error", "cause"}}} in a successful output. A streamed job's execution runs the streaming task
 * instead of the model call, whose result is {@code {"streamed": {reply, ending, error}}}.
 */
public final class StepFunctionsModelCallPolicy implements ModelCallPolicy {
    private final SfnClient sfn;
    private final String stateMachineArn;

    public StepFunctionsModelCallPolicy(SfnClient sfn, String stateMachineArn) {
        this.sfn = sfn;
        this.stateMachineArn = stateMachineArn;
    }

    @Override
    public Outcome run(String jobId, String executionName, String modelId, ObjectNode body, String streamWriter) {
        ObjectNode input = Json.object();
        input.put("jobId", jobId);
        input.put("modelId", modelId);
        input.set("body", body);
        input.put("stream", streamWriter != null);
        if (streamWriter != null) {
            input.put("writer", streamWriter);
        }
        StartSyncExecutionResponse r = sfn.startSyncExecution(
                s -> s.stateMachineArn(stateMachineArn).name(executionName).input(Json.write(input)));
        if (r.status() != SyncExecutionStatus.SUCCEEDED) {
            String error = r.error() != null
                    ? r.error()
                    : r.status() == SyncExecutionStatus.TIMED_OUT ? "States.Timeout" : "States.Runtime";
            return new Failed(error, r.cause());
        }
        JsonNode output = Json.parse(r.output());
        JsonNode failure = output.get("failure");
        if (failure != null && failure.isObject()) {
            return new Failed(
                    failure.path("error").asText("States.TaskFailed"),
                    failure.path("cause").asText(null));
        }
        JsonNode streamed = output.get("streamed");
        if (streamed != null && streamed.isObject()) {
            return streamed(streamed, output.path("attempts").asInt(0));
        }
        JsonNode response = output.get("response");
        if (response == null) {
            return new Failed("States.Runtime", "the state machine's output has neither a response nor a failure");
        }
        return new Answered(response, output.path("attempts").asInt(0));
    }

    private static Outcome streamed(JsonNode streamed, int attempts) {
        JsonNode reply = streamed.get("reply");
        if (reply == null || !reply.isObject()) {
            return new Failed("States.Runtime", "the streaming task's result has no reply: " + streamed);
        }
        String ending = streamed.path("ending").asText("");
        return new Streamed(
                reply,
                "canceled".equals(ending),
                "interrupted".equals(ending) ? streamed.path("error").asText("StreamInterrupted") : null,
                attempts);
    }
}
