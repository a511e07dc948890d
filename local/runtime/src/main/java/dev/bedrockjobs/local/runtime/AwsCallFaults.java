package dev.bedrockjobs.local.runtime;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * Fault injection for the functions' DynamoDB and SQS calls ({@code --aws-failure-rate}, {@code --worker-kill-rate}).
 * The AWS SDK loads it into every client of the JVM (as a global execution interceptor listed in
 * {@code software/amazon/awssdk/global/handlers/execution.interceptors}); it does nothing until a stack arms it, and
 * then only to requests signed by a function's own identity (each function gets its name as access key id), never
 * to the runtime's plumbing (event source pollers, redrive, tenants) or to test clients.
 *
 * <p>A failed call fails as the service would, retryably, in one of the two ways that matter: before the request
 * is sent (a connection reset: nothing happened), or after it was applied (a 500 replaces the answer: the write
 * happened but the caller does not know, and its SDK retries it). A killed worker throws an {@link Error} from
 * inside one of its calls, which no product code catches: its invocation fails mid-job and its messages come back.
 */
public final class AwsCallFaults implements ExecutionInterceptor {
    private static final Pattern CREDENTIAL = Pattern.compile("Credential=([^/]+)/");
    private static final Set<String> SERVICES = Set.of("DynamoDb", "Sqs");
    private static final ExecutionAttribute<Boolean> FAIL_AFTER = new ExecutionAttribute<>("bedrockJobsFailAfter");
    private static final String WORKER = "WorkerFunction";

    private static volatile LocalOptions.Faults faults = LocalOptions.Faults.NONE;
    private static volatile Set<String> functions = Set.of();
    private static final AtomicLong FAILED_BEFORE = new AtomicLong();
    private static final AtomicLong FAILED_AFTER = new AtomicLong();
    private static final AtomicLong KILLS = new AtomicLong();

    /** Thrown inside a worker's SDK call: the invocation dies as a crashed or timed-out Lambda would. */
    public static final class WorkerKilled extends Error {
        WorkerKilled() {
            super("worker invocation killed by fault injection", null, false, false);
        }
    }

    /** Arms the faults for the named functions' calls (one stack per JVM at a time). */
    static void arm(LocalOptions.Faults f, Set<String> functionNames) {
        functions = Set.copyOf(functionNames);
        faults = f;
    }

    static void disarm() {
        faults = LocalOptions.Faults.NONE;
    }

    /** Counts since the JVM started: calls failed before sending, after applying, and worker kills. */
    public static String counts() {
        return "aws-failed-before=" + FAILED_BEFORE.get() + " aws-failed-after=" + FAILED_AFTER.get() + " worker-kills="
                + KILLS.get();
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        LocalOptions.Faults f = faults;
        if (!f.any() || !SERVICES.contains(service(attributes))) {
            return;
        }
        String caller = caller(context);
        if (caller == null || !functions.contains(caller)) {
            return;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (caller.equals(WORKER) && random.nextDouble() < f.workerKillRate()) {
            KILLS.incrementAndGet();
            throw new WorkerKilled();
        }
        double r = random.nextDouble();
        if (r < f.awsFailureRate() / 2) {
            FAILED_BEFORE.incrementAndGet();
            throw SdkClientException.builder()
                    .message("injected fault: connection reset before sending")
                    .cause(new IOException("injected fault: connection reset"))
                    .build();
        }
        if (r < f.awsFailureRate()) {
            attributes.putAttribute(FAIL_AFTER, true);
        }
    }

    @Override
    public SdkHttpResponse modifyHttpResponse(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
        if (!Boolean.TRUE.equals(attributes.getAttribute(FAIL_AFTER))) {
            return context.httpResponse();
        }
        return context.httpResponse().toBuilder()
                .statusCode(500)
                .statusText("Internal Server Error")
                .build();
    }

    @Override
    public Optional<InputStream> modifyHttpResponseContent(
            Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
        if (!Boolean.TRUE.equals(attributes.getAttribute(FAIL_AFTER))) {
            return context.responseBody();
        }
        attributes.putAttribute(FAIL_AFTER, false); // the retry is a new attempt, with its own draw
        FAILED_AFTER.incrementAndGet();
        context.responseBody().ifPresent(AwsCallFaults::drain);
        return Optional.of(new ByteArrayInputStream(("{\"__type\":\"InternalServerError\",\"message\":"
                        + "\"injected fault: the request was applied, the answer lost\"}")
                .getBytes(StandardCharsets.UTF_8)));
    }

    private static void drain(InputStream in) {
        try (in) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // the real answer is discarded anyway
        }
    }

    private static String service(ExecutionAttributes attributes) {
        return attributes.getAttribute(software.amazon.awssdk.core.interceptor.SdkExecutionAttribute.SERVICE_NAME);
    }

    private static String caller(Context.BeforeTransmission context) {
        return context.httpRequest()
                .firstMatchingHeader("Authorization")
                .map(h -> {
                    Matcher m = CREDENTIAL.matcher(h);
                    return m.find() ? m.group(1) : null;
                })
                .orElse(null);
    }
}
