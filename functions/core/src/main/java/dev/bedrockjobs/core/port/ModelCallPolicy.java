package dev.bedrockjobs.core.port;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Runs one model call under the deployment's retry and timeout policy (the job state machine). Answers with the
 * model's own response body, or the name and cause of the error that ended the policy.
 */
public interface ModelCallPolicy {

    Outcome run(String jobId, String executionName, String modelId, ObjectNode body);

    sealed interface Outcome permits Answered, Failed {}

    /** @param attempts model calls made, when the policy reports it (0 if unknown) */
    record Answered(JsonNode response, int attempts) implements Outcome {}

    /** @param error the error name as Step Functions reports it, e.g. {@code Bedrock.ThrottlingException} */
    record Failed(String error, String cause) implements Outcome {}
}
