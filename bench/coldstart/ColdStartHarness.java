import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;

import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Plays the part of the Lambda Java runtime for one cold start, in a fresh JVM whose classpath is one function's
 * bundle (plus this class and the runtime's event serialization library): builds the handler through its
 * {@code (Map<String, String> env)} constructor, optionally runs its CRaC {@code beforeCheckpoint}/{@code afterRestore}
 * hooks (what a SnapStart snapshot holds), then deserializes the event, invokes the handler once and serializes the
 * answer, as the runtime does. Prints the wall-clock instants; the driver computes the phases.
 *
 * <p>Args: handler class, event file, environment file (properties), {@code plain} or {@code primed}.
 */
public final class ColdStartHarness {
    public static void main(String[] args) throws Exception {
        long mainAt = System.currentTimeMillis();
        Properties props = new Properties();
        try (InputStream in = new FileInputStream(args[2])) {
            props.load(in);
        }
        Map<String, String> env = new HashMap<>();
        props.stringPropertyNames().forEach(k -> env.put(k, props.getProperty(k)));
        Class<?> handlerClass = Class.forName(args[0]);
        Object handler = handlerClass.getConstructor(Map.class).newInstance(env);
        long initAt = System.currentTimeMillis();

        boolean primed = false;
        if ("primed".equals(args[3])) {
            primed = runHook(handler, "beforeCheckpoint") & runHook(handler, "afterRestore");
        }
        long primedAt = System.currentTimeMillis();

        Method handle = handleRequest(handlerClass);
        byte[] eventJson = Files.readAllBytes(Path.of(args[1]));
        Object event = serializer(handle.getParameterTypes()[0]).fromJson(new java.io.ByteArrayInputStream(eventJson));
        Object response = handle.invoke(handler, event, new HarnessContext());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (response != null) {
            @SuppressWarnings("unchecked")
            PojoSerializer<Object> answer = (PojoSerializer<Object>) serializer(response.getClass());
            answer.toJson(response, out);
        }
        long invokedAt = System.currentTimeMillis();

        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        System.out.println("coldstart jvm_start=" + jvmStart + " main=" + mainAt + " init=" + initAt + " primed="
                + primedAt + " invoked=" + invokedAt + " hooks=" + primed + " response_bytes=" + out.size());
        System.out.flush();
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

    private static Method handleRequest(Class<?> c) {
        for (Method m : c.getMethods()) {
            if (m.getName().equals("handleRequest") && m.getParameterCount() == 2 && !m.isBridge()) {
                return m;
            }
        }
        throw new IllegalStateException(c + " has no handleRequest(event, context)");
    }

    @SuppressWarnings("unchecked")
    private static <T> PojoSerializer<T> serializer(Class<T> type) {
        if (type.getName().startsWith("com.amazonaws.services.lambda.runtime.events.")) {
            return LambdaEventSerializers.serializerFor(type, ColdStartHarness.class.getClassLoader());
        }
        return JacksonFactory.getInstance().getSerializer(type);
    }

    private static final class HarnessContext implements Context {
        private final long deadline = System.currentTimeMillis() + 60_000;

        @Override public String getAwsRequestId() { return "cold-start-0000"; }
        @Override public String getLogGroupName() { return "/aws/lambda/coldstart"; }
        @Override public String getLogStreamName() { return "coldstart"; }
        @Override public String getFunctionName() { return "coldstart"; }
        @Override public String getFunctionVersion() { return "$LATEST"; }
        @Override public String getInvokedFunctionArn() {
            return "arn:aws:lambda:us-east-1:000000000000:function:coldstart";
        }
        @Override public CognitoIdentity getIdentity() { return null; }
        @Override public ClientContext getClientContext() { return null; }
        @Override public int getRemainingTimeInMillis() {
            return (int) Math.max(0, deadline - System.currentTimeMillis());
        }
        @Override public int getMemoryLimitInMB() { return 1024; }
        @Override public LambdaLogger getLogger() {
            return new LambdaLogger() {
                @Override public void log(String message) { System.err.print(message); }
                @Override public void log(byte[] message) { System.err.write(message, 0, message.length); }
            };
        }
    }
}
