package dev.bedrockjobs.local.runtime;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.local.emulators.sfn.lambda.FunctionReference;
import dev.bedrockjobs.local.emulators.sfn.lambda.LambdaInvoker;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The template's functions as the Step Functions {@code lambda:invoke} task reaches them: run in this JVM, each in an
 * execution environment of its own (one instance, created on first use, shared by concurrent calls as the HTTP front
 * shares its instances).
 *
 * <p><b>Names.</b> A function answers to its local name (its logical id, what {@code !Ref F} gives locally), to the
 * {@code FunctionName} the template deploys it as ({@code !Sub '${AWS::StackName}-stream'} resolved for this stack),
 * and to either as a partial ARN or as a function ARN of this stack's region and account; {@code !GetAtt F.Arn} gives
 * the latter. Anything else is Lambda's {@code ResourceNotFoundException}.
 *
 * <p><b>Events and results.</b> The payload is read into the handler's declared input type
 * ({@link LambdaFunction#inputType()}): a {@code Map} handler gets a {@code Map}, an open one the plain JSON values
 * ({@code Map}, {@code List}, {@code String}...), a bean type is bound by Jackson's rules (the classes of
 * aws-lambda-java-events are read by Lambda's own serializers in AWS, not reproduced here). The result is written back
 * as its JSON. A payload the type cannot hold fails as a function error of the binding's exception type.
 *
 * <p><b>Errors.</b> An exception the handler throws is the function's error, its type the exception's class name, as
 * Lambda's Java runtime reports it; running out of memory is an unhandled failure (Step Functions'
 * {@code Lambda.Unknown}). The function's own {@code Timeout} is not enforced, as elsewhere in the local stack; the
 * task's time limit is: the attempt is abandoned (the handler's thread interrupted) when it passes.
 *
 * <p><b>IAM.</b> Step Functions invokes with the state machine's role, so each call needs {@code lambda:InvokeFunction}
 * on the function's ARN in that role's policy ({@link IamEnforcement#refusal}). Step Functions does not document what
 * a refusal raises. The error names its guide lists ({@code AWSLambdaException}, {@code SdkClientException},
 * {@code ClientExecutionTimeoutException}) and its result's {@code SdkHttpMetadata} are those of the AWS SDK for Java
 * 1.x, which raises its base {@code AWSLambdaException} for an error Invoke does not model, and Invoke models no
 * {@code AccessDeniedException}
 * (<a href="https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_Errors">Invoke errors</a>): a
 * refusal is {@code Lambda.AWSLambdaException}, its cause IAM's message with that SDK's error details appended.
 */
final class TemplateLambdaInvoker implements LambdaInvoker, AutoCloseable {

    private record Target(LambdaFunction function, Supplier<LambdaFunction.Instance> instance, JavaType inputType) {}

    /** By local name and deployed name. */
    private volatile Map<String, Target> targets = Map.of();

    private final ExecutorService calls = Executors.newCachedThreadPool(daemonThreads());

    private static ThreadFactory daemonThreads() {
        AtomicInteger number = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "lambda-invoke-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * Serves the functions from now on. The state machines are created before the functions' environments can be
     * resolved (those name the state machines), so until this call every function is unknown.
     */
    void serve(LocalResources resources, Map<String, LambdaFunction> functions) {
        Map<String, Target> byName = new LinkedHashMap<>();
        functions.forEach((id, f) -> {
            Target target =
                    new Target(f, f.lazyInstance(), Json.MAPPER.getTypeFactory().constructType(f.inputType()));
            byName.put(f.name(), target);
            Object deployed = resources.template().functionProperties(id).get("FunctionName");
            if (deployed != null) {
                byName.putIfAbsent(resources.resolveString(deployed), target);
            }
        });
        targets = Map.copyOf(byName);
    }

    @Override
    public Outcome invoke(FunctionReference function, JsonNode payload, Optional<Duration> timeLimit, String roleArn)
            throws InterruptedException {
        Target target = find(function);
        String arn = target == null
                ? asNamed(function)
                : LocalResources.functionArn(target.function().name());
        Optional<String> refusal = IamEnforcement.refusal(roleName(roleArn), IamRequests.lambdaInvoke(arn));
        if (refusal.isPresent()) {
            return new ServiceError(
                    "AWSLambdaException",
                    refusal.get() + " (Service: AWSLambda; Status Code: 403; Error Code: AccessDeniedException; "
                            + "Request ID: " + UUID.randomUUID() + ")");
        }
        if (target == null) {
            // Lambda's message for an unknown function
            return new ServiceError("ResourceNotFoundException", "Function not found: " + arn);
        }
        Object event;
        try {
            event = Json.MAPPER.convertValue(payload, target.inputType());
        } catch (IllegalArgumentException e) {
            return failure(e);
        }
        Future<Object> call = calls.submit(() -> target.instance().get().invoke(event));
        try {
            Object result =
                    timeLimit.isPresent() ? call.get(timeLimit.get().toNanos(), TimeUnit.NANOSECONDS) : call.get();
            return new Returned(Json.MAPPER.valueToTree(result));
        } catch (TimeoutException e) {
            call.cancel(true);
            return new TimedOut(target.function().name() + " did not answer within " + timeLimit.get());
        } catch (InterruptedException e) {
            call.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            return failure(e.getCause());
        }
    }

    private Target find(FunctionReference function) {
        boolean here = (function.region() == null || function.region().equals(LocalResources.REGION))
                && (function.account() == null || function.account().equals(LocalResources.ACCOUNT_ID));
        return here ? targets.get(function.name()) : null;
    }

    /** The ARN of a function this stack does not have, as Lambda would build it from the name the caller gave. */
    private static String asNamed(FunctionReference function) {
        return "arn:aws:lambda:" + (function.region() == null ? LocalResources.REGION : function.region()) + ":"
                + (function.account() == null ? LocalResources.ACCOUNT_ID : function.account()) + ":function:"
                + function.name();
    }

    /** The role name in {@code arn:aws:iam::<account>:role/<name>}: what a state machine's SDK calls sign with. */
    private static String roleName(String roleArn) {
        return roleArn == null ? null : roleArn.substring(roleArn.lastIndexOf('/') + 1);
    }

    private static Outcome failure(Throwable error) {
        if (error instanceof OutOfMemoryError) {
            return new Unhandled("the function ran out of memory: " + error.getMessage());
        }
        return new FunctionError(
                error.getClass().getName(),
                error.getMessage(),
                Arrays.stream(error.getStackTrace())
                        .map(StackTraceElement::toString)
                        .toList());
    }

    @Override
    public void close() {
        calls.shutdownNow();
    }
}
