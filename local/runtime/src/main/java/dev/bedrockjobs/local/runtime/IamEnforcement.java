package dev.bedrockjobs.local.runtime;

import dev.bedrockjobs.core.domain.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Logger;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.core.interceptor.SdkInternalExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.identity.spi.IdentityProviders;

/**
 * IAM for the local stack: every DynamoDB, SQS, Step Functions and Bedrock call a function (or a state machine) makes,
 * and every function a state machine invokes ({@link #refusal}),
 * is checked against that principal's role as {@code template.yaml} defines it ({@link TemplatePolicies}), and a call
 * no statement allows is refused with the error the service returns, so that a missing permission fails a local run
 * the way it fails a deployment.
 *
 * <p><b>Where the check sits.</b> The AWS SDK loads this class into every client of the JVM (a global execution
 * interceptor listed in {@code software/amazon/awssdk/global/handlers/execution.interceptors}), as it does
 * {@link AwsCallFaults}. The functions run in this JVM and sign with their own identity (a function's access key id
 * is its logical id, a state machine's model calls are signed with its role's name), which tells their calls apart
 * from the runtime's own plumbing (event source pollers, redrive, tenants, admin) and from tests' clients: those sign
 * as {@code local} and are never checked, as a deployment's operators and Lambda's pollers are not bound by the
 * functions' roles. Checking here, rather than in front of each emulator, needs no proxy in the path of every allowed
 * call (dynalite and ElasticMQ are separate servers, one a Node process) and sees the request before it is signed,
 * while it can still be sent elsewhere: a refused call never reaches its service. It is sent to
 * {@link RefusalResponder}, which answers with the status, headers and body of the service's refusal, and the SDK
 * reads that answer as it reads the service's: a {@code DynamoDbException} or {@code SfnException} with error code
 * {@code AccessDeniedException}, an {@code SqsException} with {@code AccessDenied} (the JSON protocol's
 * {@code x-amzn-query-error} code, which the SDK prefers), Bedrock's modeled {@code AccessDeniedException}.
 *
 * <p>Each refusal is logged as one line naming the principal, the action and the resource. Not checked locally:
 * KMS (the template grants {@code kms:Decrypt} and {@code kms:GenerateDataKey} on a customer key, but no local service
 * encrypts with KMS, so those statements are read, not exercised), CloudWatch Logs and X-Ray, resource-based policies
 * (queues and the table have none), and calls made by handlers running in a JVM of their own (the cold-start bench).
 */
public final class IamEnforcement implements ExecutionInterceptor {
    private static final Logger LOG = Logger.getLogger(IamEnforcement.class.getName());

    /** What a stack armed: whose calls to check and where refused calls are answered. */
    record Armed(Map<String, TemplatePolicies.Principal> principals, URI responder) {}

    /** A call refused, as logged. */
    record Refusal(String principal, IamRequests.Authorization authorization) {
        @Override
        public String toString() {
            return principal + " may not " + authorization;
        }
    }

    private static volatile Armed armed;
    private static final Queue<Refusal> REFUSALS = new ConcurrentLinkedQueue<>();

    /** Checks the principals' calls from now on (one stack per JVM at a time, as for {@link AwsCallFaults}). */
    static Armed arm(Map<String, TemplatePolicies.Principal> principals, URI responder) {
        Armed a = new Armed(Map.copyOf(principals), responder);
        armed = a;
        return a;
    }

    /** Stops checking, unless another stack armed it since. */
    @SuppressWarnings("ReferenceEquality") // the very configuration this stack armed, not an equal one
    static void disarm(Armed a) {
        if (armed == a) {
            armed = null;
        }
    }

    /** The calls refused since the JVM started, oldest first. */
    static List<Refusal> refusals() {
        return List.copyOf(REFUSALS);
    }

    @Override
    public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
        Armed a = armed;
        String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
        if (a == null || !IamRequests.SERVICES.containsKey(service)) {
            return context.httpRequest();
        }
        String keyId = accessKeyId(attributes);
        TemplatePolicies.Principal principal =
                keyId == null ? null : a.principals().get(keyId);
        if (principal == null) {
            return context.httpRequest();
        }
        SdkHttpRequest request = context.httpRequest();
        List<IamRequests.Authorization> needed = IamRequests.of(
                        service,
                        request.firstMatchingHeader("X-Amz-Target").orElse(null),
                        request.encodedPath(),
                        body(context))
                .orElseThrow();
        for (IamRequests.Authorization authorization : needed) {
            Optional<String> refusal = decide(principal, authorization);
            if (refusal.isPresent()) {
                return refused(request, a.responder(), service, refusal.get());
            }
        }
        return request;
    }

    /**
     * Checks a call that no SDK client makes, so that no interceptor sees it: the Step Functions task that invokes a
     * function of this JVM. Refusals are recorded and logged as the intercepted ones are.
     *
     * @param accessKeyId who calls, as its SDK calls would be signed (a state machine's role name)
     * @return AWS's refusal message, or empty when allowed or when nothing is armed for the caller
     */
    static Optional<String> refusal(String accessKeyId, IamRequests.Authorization authorization) {
        Armed a = armed;
        TemplatePolicies.Principal principal =
                a == null || accessKeyId == null ? null : a.principals().get(accessKeyId);
        return principal == null ? Optional.empty() : decide(principal, authorization);
    }

    private static Optional<String> decide(
            TemplatePolicies.Principal principal, IamRequests.Authorization authorization) {
        IamPolicy.Decision decision = principal.policy().decide(authorization.action(), authorization.resource());
        if (decision == IamPolicy.Decision.ALLOWED) {
            return Optional.empty();
        }
        Refusal refusal = new Refusal(principal.name(), authorization);
        REFUSALS.add(refusal);
        LOG.warning("IAM refused " + refusal + " ("
                + (decision == IamPolicy.Decision.EXPLICITLY_DENIED
                        ? "a statement denies it"
                        : "no statement of its role allows it")
                + ")");
        return Optional.of(message(principal, authorization, decision));
    }

    /**
     * The access key id the request will be signed with: the credentials the client (or the request's own override)
     * resolves. The signer resolves them again after this hook; a static provider, as every local principal has,
     * answers the same both times.
     */
    private static String accessKeyId(ExecutionAttributes attributes) {
        IdentityProviders providers = attributes.getAttribute(SdkInternalExecutionAttribute.IDENTITY_PROVIDERS);
        IdentityProvider<AwsCredentialsIdentity> provider =
                providers == null ? null : providers.identityProvider(AwsCredentialsIdentity.class);
        try {
            return provider == null ? null : provider.resolveIdentity().join().accessKeyId();
        } catch (CompletionException | SdkClientException noCredentials) {
            return null; // not a local principal's: the signer reports the missing credentials itself
        }
    }

    private static String body(Context.ModifyHttpRequest context) {
        return context.requestBody()
                .map(b -> {
                    try (InputStream in = b.contentStreamProvider().newStream()) {
                        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                })
                .orElse(null);
    }

    /** AWS's wording, so that a refusal reads locally as it will in CloudWatch. */
    static String message(TemplatePolicies.Principal principal, IamRequests.Authorization a, IamPolicy.Decision d) {
        return "User: " + principal.arn() + " is not authorized to perform: " + a.action() + " on resource: "
                + a.resource()
                + (d == IamPolicy.Decision.EXPLICITLY_DENIED
                        ? " with an explicit deny in an identity-based policy"
                        : " because no identity-based policy allows the " + a.action() + " action");
    }

    /**
     * The request sent to the responder instead, carrying the service's refusal: DynamoDB, SQS and Step Functions
     * answer 400 (their common error {@code AccessDeniedException}), Bedrock's REST API 403.
     */
    private static SdkHttpRequest refused(SdkHttpRequest request, URI responder, String service, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        int status = 400;
        List<String> headers = new ArrayList<>();
        String contentType = "application/x-amz-json-1.0";
        switch (service) {
            case "DynamoDb" -> body.put("__type", "com.amazonaws.dynamodb.v20120810#AccessDeniedException");
            case "Sqs" -> {
                // the JSON protocol's error, and the query protocol's code the SDK reads from this header:
                // docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-json-api-responses.html
                body.put("__type", "com.amazon.coral.service#AccessDeniedException");
                headers.add("x-amzn-query-error: AccessDenied;Sender");
            }
            case "Sfn" -> body.put("__type", "com.amazon.coral.service#AccessDeniedException");
            default -> { // BedrockRuntime, REST-JSON
                status = 403;
                contentType = "application/json";
                headers.add("x-amzn-ErrorType: AccessDeniedException");
            }
        }
        body.put("message", message);
        SdkHttpRequest.Builder b = request.toBuilder()
                .protocol(responder.getScheme())
                .host(responder.getHost())
                .port(responder.getPort())
                .encodedPath("/")
                .putHeader(RefusalResponder.STATUS, Integer.toString(status))
                .putHeader(RefusalResponder.CONTENT_TYPE, contentType)
                .putHeader(
                        RefusalResponder.BODY,
                        Base64.getEncoder().encodeToString(Json.write(body).getBytes(StandardCharsets.UTF_8)));
        if (!headers.isEmpty()) {
            b.putHeader(RefusalResponder.HEADER, headers);
        }
        return b.build();
    }
}
