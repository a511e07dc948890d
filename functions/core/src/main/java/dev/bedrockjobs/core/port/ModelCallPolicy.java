package dev.bedrockjobs.core.port;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Runs one model call under the deployment's retry and timeout policy (the job state machine). Answers with the
 * model's own response body, or the name and cause of the error that ended the policy.
 */
public interface ModelCallPolicy {

    /**
     * @param streamWriter for a job that streams its answer, the fencing token of the worker's claim, under which the
     *                     streaming task stores the answer's pieces; null for a plain call
     */
    Outcome run(String jobId, String executionName, String modelId, ObjectNode body, String streamWriter);

    sealed interface Outcome permits Answered, Streamed, Failed {}

    /** @param attempts model calls made, when the policy reports it (0 if unknown) */
    record Answered(JsonNode response, int attempts) implements Outcome {}

    /**
     * A streamed call's answer as the streaming task read it: the whole reply, or what came of it before a cancel
     * stopped it or the stream broke off (its pieces are stored).
     *
     * @param reply        the reply, as {@code model.ReplyJson} writes it
     * @param interruption the service's error and message when the stream broke off after the answer began; else null
     */
    record Streamed(JsonNode reply, boolean canceled, String interruption, int attempts) implements Outcome {}

    /** @param error the error name as Step Functions reports it, e.g. {@code Bedrock.ThrottlingException} */
    record Failed(String error, String cause) implements Outcome {}
}
