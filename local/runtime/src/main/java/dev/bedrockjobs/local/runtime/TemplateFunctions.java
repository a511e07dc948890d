package dev.bedrockjobs.local.runtime;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads every {@code AWS::Serverless::Function} of the template (Globals merged, as SAM does) into a
 * {@link LambdaFunction} whose environment is what Lambda would set: the template's {@code Environment.Variables}
 * resolved against the local resources, then the platform's own variables, with the SDK endpoints pointed at the
 * local emulators.
 */
final class TemplateFunctions {
    /** Lambda's defaults when the template leaves them out. */
    private static final int DEFAULT_TIMEOUT_SECONDS = 3;

    private static final int DEFAULT_MEMORY_MB = 128;

    private TemplateFunctions() {}

    /** Registers every function's name and ARN, so that references between resources resolve. */
    static List<String> register(LocalResources resources) {
        List<String> ids = resources.template().resourcesOfType("AWS::Serverless::Function");
        ids.forEach(resources::putFunction);
        return ids;
    }

    /**
     * @param platform variables every function gets on top of its own (region, endpoints, credentials, flags); they
     *                 win over the template's, as Lambda's reserved variables do
     */
    static Map<String, LambdaFunction> read(LocalResources resources, Map<String, String> platform) {
        Map<String, LambdaFunction> functions = new LinkedHashMap<>();
        for (String id : register(resources)) {
            Map<String, Object> props = resources.template().functionProperties(id);
            Map<String, String> env = new LinkedHashMap<>();
            Object environment = props.get("Environment");
            if (environment instanceof Map<?, ?> e && e.get("Variables") instanceof Map<?, ?> vars) {
                ((Map<?, ?>) resources.resolve(vars)).forEach((k, v) -> env.put((String) k, String.valueOf(v)));
            }
            int memory = number(resources, props.get("MemorySize"), DEFAULT_MEMORY_MB);
            env.put("AWS_LAMBDA_FUNCTION_NAME", id);
            env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
            env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(memory));
            env.putAll(platform);
            // Each function signs with its own identity, as each Lambda has its own role; fault injection
            // (AwsCallFaults) tells the functions' calls apart from the runtime's own by it.
            env.put("AWS_ACCESS_KEY_ID", id);
            functions.put(
                    id,
                    new LambdaFunction(
                            id,
                            String.valueOf(props.get("Handler")),
                            env,
                            Duration.ofSeconds(number(resources, props.get("Timeout"), DEFAULT_TIMEOUT_SECONDS)),
                            memory));
        }
        return functions;
    }

    static int number(LocalResources resources, Object value, int fallback) {
        return value == null ? fallback : Integer.parseInt(resources.resolveString(value));
    }
}
