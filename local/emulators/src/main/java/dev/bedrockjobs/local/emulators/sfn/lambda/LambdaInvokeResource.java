package dev.bedrockjobs.local.emulators.sfn.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.local.emulators.Json;
import dev.bedrockjobs.local.emulators.sfn.asl.AslDefinitionException;
import dev.bedrockjobs.local.emulators.sfn.asl.ErrorNames;
import dev.bedrockjobs.local.emulators.sfn.asl.PayloadTemplate;
import dev.bedrockjobs.local.emulators.sfn.asl.StatesError;
import dev.bedrockjobs.local.emulators.sfn.engine.TaskFailure;
import dev.bedrockjobs.local.emulators.sfn.engine.TaskInvocation;
import dev.bedrockjobs.local.emulators.sfn.engine.TaskResource;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * The optimized integration {@code arn:aws:states:::lambda:invoke} (request-response), running a function through a
 * {@link LambdaInvoker} (the local stack's runs the template's functions in its JVM).
 *
 * <p>Parameters: {@code FunctionName} (required; see {@link FunctionReference}), {@code Payload} (optional, any JSON
 * value; {@code {}} when absent) and {@code InvocationType} (optional, {@code RequestResponse} only). Refused at load
 * when written as constants, and as {@code States.Runtime} when a path yields them: the {@code Event} and
 * {@code DryRun} invocation types, and qualifiers other than {@code $LATEST} (a template's functions have no
 * published versions or aliases locally). The other Invoke parameters ({@code ClientContext}, {@code Qualifier},
 * {@code LogType}) are refused at load as unknown.
 *
 * <p>Result, as Step Functions gives it (<a
 * href="https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html">Invoke a Lambda function with Step
 * Functions</a>; the fields are those of Lambda's <a
 * href="https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html">Invoke</a> response): {@code {"ExecutedVersion":
 * "$LATEST", "Payload": <the function's result, parsed JSON>, "SdkHttpMetadata": {"AllHttpHeaders", "HttpHeaders",
 * "HttpStatusCode": 200}, "SdkResponseMetadata": {"RequestId"}, "StatusCode": 200}}. State machines usually keep
 * only {@code $.Payload}.
 *
 * <p><b>Errors</b>, as the <a
 * href="https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html">Step Functions guide</a>
 * names them:
 * <ul>
 *   <li>an error the function raised: its {@code errorType} (for a Java handler the exception's fully qualified class
 *       name), with the cause the JSON text of {@code {"errorMessage", "errorType", "stackTrace"}};</li>
 *   <li>a failure without an error type (the function's own timeout, out of memory): {@code Lambda.Unknown}, the
 *       cause the JSON text of Lambda's error payload {@code {"errorMessage"}} (the guide does not give the cause's
 *       wording);</li>
 *   <li>Lambda's own errors: {@code Lambda.<Exception>}, e.g. {@code Lambda.ServiceException},
 *       {@code Lambda.TooManyRequestsException}, {@code Lambda.ResourceNotFoundException},
 *       {@code Lambda.AWSLambdaException}, the cause the service's message;</li>
 *   <li>an attempt that outlasts its time limit: {@code States.Timeout}.</li>
 * </ul>
 */
public final class LambdaInvokeResource implements TaskResource {

    public static final String ARN = "arn:aws:states:::lambda:invoke";

    /** The one invocation type a request-response task can wait for. */
    private static final String REQUEST_RESPONSE = "RequestResponse";

    private final LambdaInvoker invoker;

    /**
     * For an engine that runs no functions (tests of a state machine's other states): every invocation is answered
     * as Lambda answers for a function that does not exist, so a task that invokes one fails as it would without it.
     */
    public static LambdaInvokeResource withoutFunctions() {
        return new LambdaInvokeResource((function, payload, timeLimit, role) ->
                new LambdaInvoker.ServiceError("ResourceNotFoundException", "Function not found: " + function));
    }

    public LambdaInvokeResource(LambdaInvoker invoker) {
        this.invoker = Objects.requireNonNull(invoker);
    }

    @Override
    public String arn() {
        return ARN;
    }

    @Override
    public Set<String> requiredParameters() {
        return Set.of("FunctionName");
    }

    @Override
    public Set<String> optionalParameters() {
        return Set.of("Payload", "InvocationType");
    }

    @Override
    public void checkParameters(String state, PayloadTemplate parameters) {
        if (parameters == null) {
            return;
        }
        parameters.constant("FunctionName").ifPresent(name -> {
            try {
                function(name);
            } catch (IllegalArgumentException e) {
                throw new AslDefinitionException(state, "Parameters.FunctionName", e.getMessage());
            }
        });
        parameters.constant("InvocationType").ifPresent(type -> {
            try {
                requireRequestResponse(type);
            } catch (IllegalArgumentException e) {
                throw new AslDefinitionException(state, "Parameters.InvocationType", e.getMessage());
            }
        });
    }

    @Override
    public JsonNode invoke(TaskInvocation invocation) throws TaskFailure, InterruptedException {
        JsonNode parameters = invocation.parameters();
        FunctionReference function;
        try {
            function = function(parameters.get("FunctionName"));
            if (parameters.has("InvocationType")) {
                requireRequestResponse(parameters.get("InvocationType"));
            }
        } catch (IllegalArgumentException e) {
            throw StatesError.runtime(e.getMessage());
        }
        JsonNode payload = parameters.has("Payload") ? parameters.get("Payload") : Json.object();
        LambdaInvoker.Outcome outcome = invoker.invoke(function, payload, invocation.timeLimit(), invocation.roleArn());
        if (outcome instanceof LambdaInvoker.Returned returned) {
            return result(returned.payload() == null ? NullNode.getInstance() : returned.payload());
        }
        if (outcome instanceof LambdaInvoker.FunctionError error) {
            if (error.errorType() == null || error.errorType().isEmpty()) {
                throw unknown(error.errorMessage());
            }
            ObjectNode cause = Json.object();
            cause.put("errorMessage", error.errorMessage());
            cause.put("errorType", error.errorType());
            ArrayNode trace = cause.putArray("stackTrace");
            error.stackTrace().forEach(trace::add);
            throw new TaskFailure(error.errorType(), Json.write(cause));
        }
        if (outcome instanceof LambdaInvoker.Unhandled unhandled) {
            throw unknown(unhandled.errorMessage());
        }
        if (outcome instanceof LambdaInvoker.ServiceError service) {
            throw new TaskFailure("Lambda." + service.errorCode(), service.message());
        }
        if (outcome instanceof LambdaInvoker.TimedOut timedOut) {
            throw TaskFailure.timeout(timedOut.message());
        }
        throw new TaskFailure(ErrorNames.TASK_FAILED, "the invoker answered nothing for " + function.name());
    }

    private static FunctionReference function(JsonNode value) {
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("The parameter FunctionName of " + ARN + " must be a string, got "
                    + (value == null ? "nothing" : value.getNodeType()));
        }
        FunctionReference function = FunctionReference.parse(value.textValue());
        if (!function.isLatest()) {
            throw new IllegalArgumentException("the qualifier '" + function.qualifier() + "' of '"
                    + value.textValue() + "' is not supported by the local Step Functions engine: the functions "
                    + "run here have no published versions or aliases; name the function without a qualifier");
        }
        return function;
    }

    private static void requireRequestResponse(JsonNode type) {
        if (type == null || !type.isTextual() || !type.textValue().equals(REQUEST_RESPONSE)) {
            throw new IllegalArgumentException("the InvocationType " + type + " of " + ARN + " is not supported by "
                    + "the local Step Functions engine (supported: " + REQUEST_RESPONSE + ")");
        }
    }

    private static TaskFailure unknown(String errorMessage) {
        ObjectNode payload = Json.object();
        payload.put("errorMessage", errorMessage);
        return new TaskFailure("Lambda.Unknown", Json.write(payload));
    }

    private static JsonNode result(JsonNode payload) {
        String requestId = UUID.randomUUID().toString();
        ObjectNode result = Json.object();
        result.put("ExecutedVersion", FunctionReference.LATEST);
        result.set("Payload", payload);
        ObjectNode metadata = result.putObject("SdkHttpMetadata");
        ObjectNode all = metadata.putObject("AllHttpHeaders");
        ObjectNode headers = metadata.putObject("HttpHeaders");
        header(all, headers, "Content-Type", "application/json");
        header(all, headers, "X-Amz-Executed-Version", FunctionReference.LATEST);
        header(all, headers, "x-amzn-RequestId", requestId);
        metadata.put("HttpStatusCode", 200);
        result.putObject("SdkResponseMetadata").put("RequestId", requestId);
        result.put("StatusCode", 200);
        return result;
    }

    /** The SDK's metadata lists every header twice: as its values, and as its last value. */
    private static void header(ObjectNode all, ObjectNode headers, String name, String value) {
        all.putArray(name).add(value);
        headers.put(name, value);
    }
}
