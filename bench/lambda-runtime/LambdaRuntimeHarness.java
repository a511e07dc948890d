import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Plays the part of the Lambda Java managed runtime for one invocation, in a fresh JVM whose classpath is one
 * function's bundle, then this class and what the runtime itself brings (its event serialization library and the core
 * interfaces). As the runtime does: loads the class the template's {@code Handler} names and builds it through its
 * public no-argument constructor (the function reads its configuration from this process's environment, which the
 * caller sets as Lambda would), optionally runs its CRaC {@code beforeCheckpoint}/{@code afterRestore} hooks (what a
 * SnapStart snapshot holds), deserializes the event with the serializer the runtime picks for the handler's parameter
 * type, invokes the handler once and serializes its answer the same way.
 *
 * <p>Args: handler ({@code class::method} or a class), event file, {@code plain} or {@code primed}. Prints two lines
 * on stdout: {@code invocation jvm_start=.. main=.. init=.. primed=.. invoked=.. hooks=..} (wall-clock instants, for
 * the cold-start benchmark) and {@code answer <json>}. A handler that throws ends the process with its stack trace and
 * exit 1, as an invocation error.
 */
@SuppressWarnings("DefaultPackage") // started by its simple name, alone with a bundle, as the runtime starts a handler
public final class LambdaRuntimeHarness {
    public static void main(String[] args) throws Exception {
        long mainAt = System.currentTimeMillis();
        String[] handlerName = args[0].split("::", 2);
        String methodName = handlerName.length == 2 ? handlerName[1] : "handleRequest";
        Class<?> handlerClass = Class.forName(handlerName[0]);
        Object handler = handlerClass.getConstructor().newInstance();
        long initAt = System.currentTimeMillis();

        boolean primed = false;
        if ("primed".equals(args[2])) {
            boolean checkpointed = runHook(handler, "beforeCheckpoint");
            boolean restored = runHook(handler, "afterRestore"); // runs even if the first hook failed, as SnapStart's
            primed = checkpointed && restored;
        }
        long primedAt = System.currentTimeMillis();

        Method handle = handlerMethod(handlerClass, methodName);
        byte[] eventJson = Files.readAllBytes(Path.of(args[1]));
        Object event = serializer(handle.getParameterTypes()[0]).fromJson(new ByteArrayInputStream(eventJson));
        Object response = handle.invoke(handler, event, new HarnessContext());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (response != null) {
            @SuppressWarnings("unchecked")
            PojoSerializer<Object> answer = (PojoSerializer<Object>) serializer(response.getClass());
            answer.toJson(response, out);
        }
        long invokedAt = System.currentTimeMillis();

        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        System.out.println("invocation jvm_start=" + jvmStart + " main=" + mainAt + " init=" + initAt + " primed="
                + primedAt + " invoked=" + invokedAt + " hooks=" + primed);
        System.out.println("answer " + out.toString(StandardCharsets.UTF_8).replace('\n', ' '));
        System.out.flush();
        // the handler's SDK clients keep non-daemon threads; an invocation is over once its answer is out
        System.exit(0);
    }

    /** Calls a CRaC hook by name with a null context; false when the handler has none. */
    private static boolean runHook(Object handler, String name) throws Exception {
        for (Method m : handler.getClass().getMethods()) {
            if (m.getName().equals(name) && m.getParameterCount() == 1) {
                m.invoke(handler, (Object) null);
                return true;
            }
        }
        return false;
    }

    /** The public {@code (event, Context)} method of that name; the bridge a generic interface adds is not it. */
    private static Method handlerMethod(Class<?> c, String name) {
        for (Method m : c.getMethods()) {
            if (m.getName().equals(name) && m.getParameterCount() == 2 && !m.isBridge()
                    && m.getParameterTypes()[1] == Context.class) {
                return m;
            }
        }
        throw new IllegalStateException(c + " has no public " + name + "(event, Context)");
    }

    /**
     * The runtime's choice: the event types its serialization library lists as supported (SQS, schedules, and
     * others, not the HTTP API's) get that library's event serializers, with their mix-ins and its Joda-Time module,
     * which loads {@code org.joda.time.DateTime} from the function's own code; any other type plain Jackson.
     */
    @SuppressWarnings("unchecked")
    private static <T> PojoSerializer<T> serializer(Class<T> type) {
        if (LambdaEventSerializers.isLambdaSupportedEvent(type.getName())) {
            return LambdaEventSerializers.serializerFor(type, LambdaRuntimeHarness.class.getClassLoader());
        }
        return JacksonFactory.getInstance().getSerializer(type);
    }

    private static final class HarnessContext implements Context {
        private final long deadline = System.currentTimeMillis() + 60_000;
        private final String functionName = System.getenv().getOrDefault("AWS_LAMBDA_FUNCTION_NAME", "harness");

        @Override public String getAwsRequestId() { return "harness-0000"; }
        @Override public String getLogGroupName() { return "/aws/lambda/" + functionName; }
        @Override public String getLogStreamName() { return "harness"; }
        @Override public String getFunctionName() { return functionName; }
        @Override public String getFunctionVersion() { return "$LATEST"; }
        @Override public String getInvokedFunctionArn() {
            return "arn:aws:lambda:us-east-1:000000000000:function:" + functionName;
        }
        @Override public CognitoIdentity getIdentity() { return null; }
        @Override public ClientContext getClientContext() { return null; }
        @Override public int getRemainingTimeInMillis() {
            return (int) Math.max(0, deadline - System.currentTimeMillis());
        }
        @Override public int getMemoryLimitInMB() {
            return Integer.parseInt(System.getenv().getOrDefault("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024"));
        }
        @Override public LambdaLogger getLogger() {
            return new LambdaLogger() {
                @Override public void log(String message) { System.err.print(message); }
                @Override public void log(byte[] message) { System.err.write(message, 0, message.length); }
            };
        }
    }
}
