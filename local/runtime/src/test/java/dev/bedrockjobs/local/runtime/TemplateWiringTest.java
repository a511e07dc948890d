package dev.bedrockjobs.local.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.bedrockjobs.local.emulators.RepoRoot;
import dev.bedrockjobs.local.emulators.template.SamTemplate;
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
import org.junit.jupiter.api.Test;

/**
 * Static checks of template.yaml: every handler it names exists and takes the environment it is given; every
 * variable a handler reads is set for that function; IAM names exact resources; the state machine's placeholders
 * and DefinitionSubstitutions agree; timeouts are ordered state machine &lt; Lambda &le; visibility.
 */
class TemplateWiringTest {
    private static final Path ROOT = RepoRoot.require();
    private final SamTemplate template = SamTemplate.load(ROOT.resolve("template.yaml"));
    /** The routes that need no key: the health check, and the console's page and files, which hold no data. */
    private static final Set<String> PUBLIC_PATHS = Set.of("/healthz", "/console", "/console/{file}");

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
            assertTrue(
                    List.of(type.getMethods()).stream()
                            .anyMatch(m -> m.getName().equals(method)),
                    handler);
            assertNotNull(type.getConstructor(), handler); // Lambda needs the no-argument constructor

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
            assertTrue(
                    !text.contains("dynamodb:*") && !text.contains("sqs:*") && !text.contains("states:*"),
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
            String queue = template.resolveString(
                    dimension.get("Value"), ref -> ref, attribute -> attribute.substring(0, attribute.indexOf('.')));
            metricsByQueue.computeIfAbsent(queue, q -> new HashSet<>()).add((String) p.get("MetricName"));
            if ("ApproximateAgeOfOldestMessage".equals(p.get("MetricName"))) {
                Object threshold = p.get("Threshold");
                assertTrue(
                        threshold instanceof Map<?, ?> ref
                                && template.parameters().containsKey(String.valueOf(ref.get("Ref"))),
                        alarm + ": the age threshold is a template parameter");
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
        assertEquals(
                String.valueOf(redrive.get("maxReceiveCount")),
                env.get("MAX_RECEIVE_COUNT"),
                "the worker must know when a receive is the last");
        int lease = Integer.parseInt(env.get("LEASE_SECONDS"));
        assertTrue(lease >= worker && lease < visibility, "a lease outlives the worker and ends before redelivery");
    }

    @Test
    void theWorkerIsGuardedAndReportsPartialFailures() {
        Map<?, ?> events =
                (Map<?, ?>) template.functionProperties("WorkerFunction").get("Events");
        Map<?, ?> jobs = (Map<?, ?>) ((Map<?, ?>) events.get("Jobs")).get("Properties");
        assertEquals(List.of("ReportBatchItemFailures"), jobs.get("FunctionResponseTypes"));
        assertTrue(String.valueOf(jobs.get("ScalingConfig")).contains("MaximumConcurrency"));
        Set<String> all = new HashSet<>(template.resources().keySet());
        if (!all.contains("JobsDeadLetterQueue")) {
            fail("the jobs queue needs a dead-letter queue");
        }
    }

    private static SamTemplate withParameters(String... nameValue) {
        Map<String, String> overrides = new HashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            overrides.put(nameValue[i], nameValue[i + 1]);
        }
        return SamTemplate.load(ROOT.resolve("template.yaml"), overrides);
    }

    private static Map<?, ?> resolved(SamTemplate t, Object value) {
        return (Map<?, ?>) t.resolve(value, ref -> "local-" + ref, att -> "local-" + att);
    }

    @Test
    void everyRouteButHealthzNeedsTheDefaultAuthorizer() {
        int routes = 0;
        for (String function : template.resourcesOfType("AWS::Serverless::Function")) {
            Object events = template.functionProperties(function).get("Events");
            if (!(events instanceof Map<?, ?> byName)) {
                continue;
            }
            for (Object e : byName.values()) {
                Map<?, ?> event = (Map<?, ?>) e;
                if (!"HttpApi".equals(event.get("Type"))) {
                    continue;
                }
                routes++;
                Map<?, ?> p = (Map<?, ?>) event.get("Properties");
                Object auth = p.get("Auth");
                if (PUBLIC_PATHS.contains(String.valueOf(p.get("Path")))) {
                    assertEquals(
                            Map.of("Authorizer", "NONE"),
                            auth,
                            "only the health check and the console's static files are public");
                } else {
                    assertEquals(
                            null, auth, p.get("Method") + " " + p.get("Path") + " must use the default authorizer");
                }
            }
        }
        assertTrue(routes >= 11, "routes: " + routes);
    }

    @Test
    void apiKeysAreTheDefaultAndTheAuthorizerCacheFollowsItsParameter() {
        Map<?, ?> auth = resolved(template, template.properties("HttpApi").get("Auth"));
        assertEquals("ApiKeyAuthorizer", auth.get("DefaultAuthorizer"));
        Map<?, ?> authorizer = (Map<?, ?>) ((Map<?, ?>) auth.get("Authorizers")).get("ApiKeyAuthorizer");
        assertEquals(
                Map.of("Headers", List.of("Authorization"), "ReauthorizeEvery", "60"),
                authorizer.get("Identity"),
                "cached per Authorization header for AuthorizerCacheSeconds (default 60)");
        assertEquals(1, ((Map<?, ?>) auth.get("Authorizers")).size());

        SamTemplate fiveSeconds = withParameters("AuthorizerCacheSeconds", "5");
        Map<?, ?> shorter =
                resolved(fiveSeconds, fiveSeconds.properties("HttpApi").get("Auth"));
        assertEquals(
                "5",
                ((Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) shorter.get("Authorizers")).get("ApiKeyAuthorizer"))
                                .get("Identity"))
                        .get("ReauthorizeEvery"));
        Map<?, ?> range = (Map<?, ?>) template.section("Parameters").get("AuthorizerCacheSeconds");
        assertEquals(List.of(0, 3600), List.of(range.get("MinValue"), range.get("MaxValue")), "API Gateway's range");

        for (String function : List.of("SubmitFunction", "StatusFunction")) {
            assertEquals("", environmentOf(function).get("JWT_TENANT_CLAIM"), function + " reads the Lambda context");
        }
    }

    @Test
    void jwtModeUsesAnHttpApiJwtAuthorizerAndTellsTheHandlersTheClaim() {
        SamTemplate jwt = withParameters(
                "AuthMode",
                "jwt",
                "JwtIssuer",
                "https://issuer.example.com",
                "JwtAudience",
                "client-1,client-2",
                "JwtTenantClaim",
                "custom:tenant_id");
        assertEquals(List.of(), jwt.ruleViolations());
        Map<?, ?> auth = resolved(jwt, jwt.properties("HttpApi").get("Auth"));
        assertEquals("JwtAuthorizer", auth.get("DefaultAuthorizer"));
        Map<?, ?> authorizers = (Map<?, ?>) auth.get("Authorizers");
        assertEquals(Set.of("JwtAuthorizer"), authorizers.keySet(), "no Lambda authorizer in JWT mode");
        Map<?, ?> jwtAuthorizer = (Map<?, ?>) authorizers.get("JwtAuthorizer");
        assertEquals("$request.header.Authorization", jwtAuthorizer.get("IdentitySource"));
        assertEquals(
                Map.of("issuer", "https://issuer.example.com", "audience", List.of("client-1", "client-2")),
                jwtAuthorizer.get("JwtConfiguration"));
        for (String function : List.of("SubmitFunction", "StatusFunction")) {
            Object vars = ((Map<?, ?>) jwt.functionProperties(function).get("Environment")).get("Variables");
            assertEquals("custom:tenant_id", resolved(jwt, vars).get("JWT_TENANT_CLAIM"), function);
        }
        assertEquals(
                List.of(
                        "JwtModeNeedsIssuerAndAudience: AuthMode jwt needs JwtIssuer.",
                        "JwtModeNeedsIssuerAndAudience: AuthMode jwt needs JwtAudience (no empty entries)."),
                withParameters("AuthMode", "jwt").ruleViolations());
    }

    @Test
    void stageThrottlingComesFromParameters() {
        Map<?, ?> settings = resolved(
                withParameters("ThrottlingBurstLimit", "40", "ThrottlingRateLimit", "12"),
                template.properties("HttpApi").get("DefaultRouteSettings"));
        assertEquals(Map.of("ThrottlingBurstLimit", "40", "ThrottlingRateLimit", "12"), settings);
    }

    @Test
    void corsIsOffByDefaultAndNeverAllowsAnyOriginWithCredentials() {
        Object cors = Map.of("c", template.properties("HttpApi").get("CorsConfiguration"));
        assertEquals(Map.of(), resolved(template, cors), "no CorsConfiguration by default");
        assertEquals(List.of(), template.ruleViolations());

        SamTemplate listed = withParameters(
                "CorsAllowedOrigins",
                "https://app.example.com,https://admin.example.com",
                "CorsAllowCredentials",
                "true");
        Map<?, ?> on = (Map<?, ?>) resolved(listed, cors).get("c");
        assertEquals(List.of("https://app.example.com", "https://admin.example.com"), on.get("AllowOrigins"));
        assertEquals(true, on.get("AllowCredentials"));
        assertEquals(List.of(), listed.ruleViolations());

        SamTemplate anyOrigin = withParameters("CorsAllowedOrigins", "*");
        assertEquals(false, ((Map<?, ?>) resolved(anyOrigin, cors).get("c")).get("AllowCredentials"));
        assertEquals(List.of(), anyOrigin.ruleViolations(), "'*' without credentials is allowed");

        assertEquals(
                List.of("NoWildcardOriginWithCredentials: CorsAllowCredentials 'true' cannot be combined with a "
                        + "'*' origin; list the origins."),
                withParameters("CorsAllowedOrigins", "https://app.example.com,*", "CorsAllowCredentials", "true")
                        .ruleViolations());
    }

    @Test
    void aCustomerManagedKeyEncryptsTheTableAndOnlyThatKeyIsGranted() {
        Object sse = Map.of("s", template.properties("JobsTable").get("SSESpecification"));
        assertEquals(Map.of("SSEEnabled", false), resolved(template, sse).get("s"), "AWS owned key by default");
        String key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        SamTemplate withKey = withParameters("KmsKeyArn", key);
        assertEquals(
                Map.of("SSEEnabled", true, "SSEType", "KMS", "KMSMasterKeyId", key),
                resolved(withKey, sse).get("s"));

        for (String function : template.resourcesOfType("AWS::Serverless::Function")) {
            Object policies = Map.of("p", template.functionProperties(function).get("Policies"));
            String withoutKey = String.valueOf(resolved(template, policies));
            String granted = String.valueOf(resolved(withKey, policies));
            if (!withoutKey.contains("dynamodb:")) {
                continue;
            }
            assertTrue(!withoutKey.contains("kms:"), function + " gets no KMS permission without a key");
            assertTrue(
                    granted.contains("Action=[kms:Decrypt, kms:GenerateDataKey], Resource=" + key + "}"),
                    function + " may use the table's key: " + granted);
            assertTrue(!granted.contains("kms:*") && granted.split("kms:Decrypt", -1).length == 2, function);
        }
    }

    @Test
    void retentionIsSetInHoursFromOneHourToOneYear() {
        Map<?, ?> p = (Map<?, ?>) template.section("Parameters").get("RetentionHours");
        assertEquals(List.of(720, 1, 8760), List.of(p.get("Default"), p.get("MinValue"), p.get("MaxValue")));
        for (String function : template.resourcesOfType("AWS::Serverless::Function")) {
            assertEquals("720", environmentOf(function).get("RETENTION_HOURS"), function);
        }
    }
}
