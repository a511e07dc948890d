package dev.bedrockjobs.local.runtime;

import dev.bedrockjobs.local.emulators.RepoRoot;
import dev.bedrockjobs.local.emulators.template.SamTemplate;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Static checks of template.yaml: every handler it names exists and takes the environment it is given; every
 * variable a handler reads is set for that function; IAM names exact resources; the state machine's placeholders
 * and DefinitionSubstitutions agree; timeouts are ordered state machine &lt; Lambda &le; visibility.
 */
class TemplateWiringTest {
    private static final Path ROOT = RepoRoot.require();
    private final SamTemplate template = SamTemplate.load(ROOT.resolve("template.yaml"));

    /** Variables the Lambda service itself provides, or that only point a local run at emulators. */
    private static boolean providedByPlatform(String name) {
        return name.startsWith("AWS_");
    }

    private Map<String, String> environmentOf(String function) {
        Object vars = ((Map<?, ?>) template.functionProperties(function).getOrDefault("Environment", Map.of()))
                .get("Variables");
        Map<String, String> env = new HashMap<>();
        Map<?, ?> resolved = (Map<?, ?>) template.resolve(vars, ref -> "local-" + ref, att -> "local-" + att);
        resolved.forEach((k, v) -> env.put((String) k, String.valueOf(v)));
        return env;
    }

    /** An environment that remembers every name read, so the test knows what a handler needs. */
    private static final class RecordingEnvironment extends HashMap<String, String> {
        final Set<String> read = new TreeSet<>();

        RecordingEnvironment(Map<String, String> base) {
            super(base);
        }

        @Override
        public String get(Object key) {
            read.add((String) key);
            return super.get(key);
        }

        @Override
        public String getOrDefault(Object key, String fallback) {
            read.add((String) key);
            return super.getOrDefault(key, fallback);
        }

        @Override
        public boolean containsKey(Object key) {
            read.add((String) key);
            return super.containsKey(key);
        }
    }

    @Test
    void everyFunctionsHandlerExistsAndReadsOnlyWhatTheTemplateSets() throws Exception {
        List<String> functions = template.resourcesOfType("AWS::Serverless::Function");
        assertTrue(functions.size() >= 4, "functions: " + functions);
        List<String> problems = new ArrayList<>();
        for (String function : functions) {
            Map<String, Object> props = template.functionProperties(function);
            assertEquals("java21", props.get("Runtime"), function);
            String handler = (String) props.get("Handler");
            String className = handler.substring(0, handler.indexOf("::"));
            String method = handler.substring(handler.indexOf("::") + 2);
            Class<?> type = Class.forName(className);
            assertTrue(com.amazonaws.services.lambda.runtime.RequestHandler.class.isAssignableFrom(type), handler);
            assertTrue(List.of(type.getMethods()).stream().anyMatch(m -> m.getName().equals(method)), handler);
            type.getConstructor(); // Lambda needs the no-argument constructor

            Map<String, String> env = environmentOf(function);
            env.put("AWS_REGION", "us-east-1");
            RecordingEnvironment recording = new RecordingEnvironment(env);
            type.getConstructor(Map.class).newInstance(recording);
            for (String name : recording.read) {
                if (!providedByPlatform(name) && !env.containsKey(name)) {
                    problems.add(function + " reads " + name + " but the template does not set it");
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void policiesNameExactResources() {
        for (String function : template.resourcesOfType("AWS::Serverless::Function")) {
            Object policies = template.functionProperties(function).get("Policies");
            String text = String.valueOf(policies);
            assertTrue(!text.contains("Resource=*"), function + " has a wildcard resource: " + text);
            assertTrue(!text.contains("dynamodb:*") && !text.contains("sqs:*") && !text.contains("states:*"),
                    function + " grants a whole service");
        }
    }

    @Test
    void stateMachinePlaceholdersMatchDefinitionSubstitutions() throws Exception {
        Map<String, Object> sm = template.properties("JobStateMachine");
        assertEquals("EXPRESS", sm.get("Type"));
        String asl = Files.readString(ROOT.resolve((String) sm.get("DefinitionUri")));
        Set<String> placeholders = new TreeSet<>();
        Matcher m = Pattern.compile("\\$\\{(\\w+)}").matcher(asl);
        while (m.find()) {
            placeholders.add(m.group(1));
        }
        Set<String> substitutions = new TreeSet<>(((Map<String, ?>) sm.get("DefinitionSubstitutions")).keySet());
        assertEquals(substitutions, placeholders);
        assertTrue(asl.contains("arn:aws:states:::bedrock:invokeModel"));
    }

    @Test
    void everyQueueAlarmsOnTheAgeOfItsOldestMessageAndEveryDeadLetterQueueOnItsDepth() {
        Map<String, Set<String>> metricsByQueue = new HashMap<>();
        for (String alarm : template.resourcesOfType("AWS::CloudWatch::Alarm")) {
            Map<String, Object> p = template.properties(alarm);
            if (!"AWS/SQS".equals(p.get("Namespace"))) {
                continue;
            }
            Map<?, ?> dimension = (Map<?, ?>) ((List<?>) p.get("Dimensions")).get(0);
            String queue = template.resolveString(dimension.get("Value"), ref -> ref,
                    attribute -> attribute.substring(0, attribute.indexOf('.')));
            metricsByQueue.computeIfAbsent(queue, q -> new HashSet<>()).add((String) p.get("MetricName"));
            if ("ApproximateAgeOfOldestMessage".equals(p.get("MetricName"))) {
                Object threshold = p.get("Threshold");
                assertTrue(threshold instanceof Map<?, ?> ref && template.parameters().containsKey(
                        String.valueOf(ref.get("Ref"))), alarm + ": the age threshold is a template parameter");
            }
        }
        for (String queue : template.resourcesOfType("AWS::SQS::Queue")) {
            Set<String> metrics = metricsByQueue.getOrDefault(queue, Set.of());
            assertTrue(metrics.contains("ApproximateAgeOfOldestMessage"), queue + " has no age alarm: " + metrics);
            if (queue.contains("DeadLetter")) {
                assertTrue(metrics.contains("ApproximateNumberOfMessagesVisible"), queue + " has no depth alarm");
            }
        }
    }

    @Test
    void timeoutsAreOrdered() {
        Map<String, String> p = template.parameters();
        int execution = Integer.parseInt(p.get("ExecutionTimeoutSeconds"));
        int worker = ((Number) template.functionProperties("WorkerFunction").get("Timeout")).intValue();
        int visibility = ((Number) template.properties("JobsQueue").get("VisibilityTimeout")).intValue();
        assertTrue(execution < worker, "state machine " + execution + " < worker " + worker);
        assertTrue(execution <= 300, "an Express execution stops at 300 s");
        assertTrue(worker * 6 <= visibility, "visibility " + visibility + " >= 6 x worker " + worker);
        Map<?, ?> redrive = (Map<?, ?>) template.properties("JobsQueue").get("RedrivePolicy");
        assertTrue(((Number) redrive.get("maxReceiveCount")).intValue() >= 5);
        Map<String, String> env = environmentOf("WorkerFunction");
        assertEquals(String.valueOf(redrive.get("maxReceiveCount")), env.get("MAX_RECEIVE_COUNT"),
                "the worker must know when a receive is the last");
        int lease = Integer.parseInt(env.get("LEASE_SECONDS"));
        assertTrue(lease >= worker && lease < visibility, "a lease outlives the worker and ends before redelivery");
    }

    @Test
    void theWorkerIsGuardedAndReportsPartialFailures() {
        Map<?, ?> events = (Map<?, ?>) template.functionProperties("WorkerFunction").get("Events");
        Map<?, ?> jobs = (Map<?, ?>) ((Map<?, ?>) events.get("Jobs")).get("Properties");
        assertEquals(List.of("ReportBatchItemFailures"), jobs.get("FunctionResponseTypes"));
        assertTrue(String.valueOf(jobs.get("ScalingConfig")).contains("MaximumConcurrency"));
        Set<String> all = new HashSet<>(template.resources().keySet());
        if (!all.contains("JobsDeadLetterQueue")) {
            fail("the jobs queue needs a dead-letter queue");
        }
    }
}
