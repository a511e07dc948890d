package dev.bedrockjobs.local.runtime;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.nio.charset.StandardCharsets;
import java.util.logging.Logger;

/**
 * The {@link Context} of one local invocation: request id, names as Lambda would report them, and the time left
 * before the function's configured {@code Timeout}. Function logs go to stderr through java.util.logging, under the
 * function's name.
 */
final class LocalLambdaContext implements Context {
    private final LambdaFunction function;
    private final String requestId;
    private final long deadlineNanos;

    LocalLambdaContext(LambdaFunction function, String requestId) {
        this.function = function;
        this.requestId = requestId;
        this.deadlineNanos = System.nanoTime() + function.timeout().toNanos();
    }

    @Override
    public String getAwsRequestId() {
        return requestId;
    }

    @Override
    public String getLogGroupName() {
        return "/aws/lambda/" + function.name();
    }

    @Override
    public String getLogStreamName() {
        return "local/[$LATEST]" + Integer.toHexString(System.identityHashCode(function));
    }

    @Override
    public String getFunctionName() {
        return function.name();
    }

    @Override
    public String getFunctionVersion() {
        return "$LATEST";
    }

    @Override
    public String getInvokedFunctionArn() {
        return LocalResources.functionArn(function.name());
    }

    @Override
    public CognitoIdentity getIdentity() {
        return null;
    }

    @Override
    public ClientContext getClientContext() {
        return null;
    }

    @Override
    public int getRemainingTimeInMillis() {
        return (int) Math.max(0, (deadlineNanos - System.nanoTime()) / 1_000_000);
    }

    @Override
    public int getMemoryLimitInMB() {
        return function.memoryMb();
    }

    @Override
    public LambdaLogger getLogger() {
        Logger log = Logger.getLogger("lambda." + function.name());
        return new LambdaLogger() {
            @Override
            public void log(String message) {
                log.info(message);
            }

            @Override
            public void log(byte[] message) {
                log.info(new String(message, StandardCharsets.UTF_8));
            }
        };
    }
}
