package dev.bedrockjobs.local.emulators.sfn.bedrock;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.bedrockjobs.local.emulators.Json;
import dev.bedrockjobs.local.emulators.sfn.asl.ErrorNames;
import dev.bedrockjobs.local.emulators.sfn.asl.StatesError;
import dev.bedrockjobs.local.emulators.sfn.engine.TaskFailure;
import dev.bedrockjobs.local.emulators.sfn.engine.TaskInvocation;
import dev.bedrockjobs.local.emulators.sfn.engine.TaskResource;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.BedrockRuntimeException;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelRequest;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelResponse;

/**
 * The optimized integration {@code arn:aws:states:::bedrock:invokeModel} (request-response), calling a Bedrock
 * runtime endpoint with the real {@link BedrockRuntimeClient}.
 *
 * <p>Parameters: {@code ModelId} (required), {@code Body} (required; a JSON value is sent as its JSON text, a string
 * as is), {@code ContentType} and {@code Accept} (default {@code application/json}). The S3 {@code Input}/
 * {@code Output} forms and guardrail fields are refused at load. Result: {@code {"Body": <the response body, parsed
 * when it is JSON>, "ContentType": <the response content type>}}.
 *
 * <p><b>Error names.</b> AWS does not document the names this integration raises. The engine raises
 * {@code Bedrock.<ExceptionName>} (e.g. {@code Bedrock.ThrottlingException}, {@code Bedrock.ValidationException}),
 * the {@code Service.Exception} convention Step Functions uses for its optimized integrations and the spelling
 * community state machines retry on; the cause is the service's message. A state machine meant for AWS should list
 * the plain names as well and keep a {@code States.TaskFailed} net (see {@code statemachine/job.asl.json}). An
 * attempt that outlasts its time limit raises {@code States.Timeout}; a transport failure (connection refused...)
 * raises {@code States.TaskFailed}.
 *
 * <p>The SDK's own retries are off: the state's Retry is the only retry policy, as it is in Step Functions.
 *
 * <p><b>Identity.</b> Step Functions calls Bedrock with the state machine's role. Against a local endpoint
 * ({@link #forEndpoint}) each call is signed with the role's name as access key id, so that a local IAM check can
 * hold it to that role's policy (a refusal surfaces as {@code Bedrock.AccessDeniedException}). A caller-built client
 * keeps its own credentials: with the real Bedrock those are the developer's, not the role's.
 */
public final class BedrockInvokeModelResource implements TaskResource, AutoCloseable {

    public static final String ARN = "arn:aws:states:::bedrock:invokeModel";

    private final BedrockRuntimeClient client;
    /** True for the local endpoint: the client is ours, and calls are signed as the execution's role. */
    private final boolean ownsClient;

    /**
     * Uses a caller-built client, e.g. one with the default credentials for the real Bedrock. Configure it with
     * {@code AwsRetryStrategy.doNotRetry()} so that the state machine's Retry stays the only retry policy.
     */
    public BedrockInvokeModelResource(BedrockRuntimeClient client) {
        this(client, false);
    }

    private BedrockInvokeModelResource(BedrockRuntimeClient client, boolean ownsClient) {
        this.client = client;
        this.ownsClient = ownsClient;
    }

    /** A client for a local endpoint (the Bedrock simulator): us-east-1, dummy static credentials, no SDK retries. */
    public static BedrockInvokeModelResource forEndpoint(URI endpoint) {
        BedrockRuntimeClient client = BedrockRuntimeClient.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                // The per-call timeout comes from the state's TimeoutSeconds; the socket timeout only guards
                // against a connection that stays silent past any reasonable state timeout.
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(Duration.ofMinutes(10))
                        .build())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
        return new BedrockInvokeModelResource(client, true);
    }

    @Override
    public String arn() {
        return ARN;
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
    public JsonNode invoke(TaskInvocation invocation) throws TaskFailure, InterruptedException {
        JsonNode parameters = invocation.parameters();
        InvokeModelRequest.Builder request = InvokeModelRequest.builder()
                .modelId(text(parameters, "ModelId"))
                .body(SdkBytes.fromUtf8String(body(parameters.get("Body"))))
                .contentType(textOr(parameters, "ContentType", "application/json"))
                .accept(textOr(parameters, "Accept", "application/json"));
        request.overrideConfiguration(o -> {
            invocation.timeLimit().ifPresent(o::apiCallTimeout);
            if (ownsClient && invocation.roleArn() != null) {
                String role =
                        invocation.roleArn().substring(invocation.roleArn().lastIndexOf('/') + 1);
                o.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(role, "local")));
            }
        });
        InvokeModelResponse response;
        try {
            response = client.invokeModel(request.build());
        } catch (BedrockRuntimeException e) {
            String code = e.awsErrorDetails() != null && e.awsErrorDetails().errorCode() != null
                    ? e.awsErrorDetails().errorCode()
                    : e.getClass().getSimpleName();
            String message = e.awsErrorDetails() != null && e.awsErrorDetails().errorMessage() != null
                    ? e.awsErrorDetails().errorMessage()
                    : e.getMessage();
            throw new TaskFailure("Bedrock." + code, message);
        } catch (ApiCallTimeoutException | ApiCallAttemptTimeoutException e) {
            throw TaskFailure.timeout(e.getMessage());
        } catch (AbortedException e) {
            throw new InterruptedException("the engine abandoned the attempt");
        } catch (SdkClientException e) {
            throw new TaskFailure(ErrorNames.TASK_FAILED, e.getMessage());
        }
        ObjectNode result = Json.object();
        result.set("Body", parseBody(response.body().asUtf8String()));
        result.put("ContentType", response.contentType() == null ? "application/json" : response.contentType());
        return result;
    }

    private static String text(JsonNode parameters, String name) {
        JsonNode value = parameters.get(name);
        if (value == null || !value.isTextual()) {
            throw StatesError.runtime("The parameter " + name + " of " + ARN + " must be a string, got "
                    + (value == null ? "nothing" : value.getNodeType()));
        }
        return value.textValue();
    }

    private static String textOr(JsonNode parameters, String name, String fallback) {
        return parameters.has(name) ? text(parameters, name) : fallback;
    }

    private static String body(JsonNode body) {
        if (body == null || body.isNull()) {
            throw StatesError.runtime("The parameter Body of " + ARN + " is missing");
        }
        return body.isTextual() ? body.textValue() : Json.write(body);
    }

    private static JsonNode parseBody(String text) {
        try {
            JsonNode parsed = Json.parse(text);
            return parsed == null || parsed.isMissingNode() ? TextNode.valueOf(text) : parsed;
        } catch (JsonProcessingException notJson) {
            return TextNode.valueOf(text);
        }
    }

    @Override
    public void close() {
        if (ownsClient) {
            client.close();
        }
    }
}
