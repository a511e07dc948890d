package dev.bedrockjobs.local.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bedrockjobs.core.webhook.RetrySchedule;
import dev.bedrockjobs.local.emulators.RepoRoot;
import dev.bedrockjobs.local.emulators.template.SamTemplate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Static checks of what template.yaml does to a deployment beyond wiring the code: what outlives the stack, what
 * alarms reach someone, how long messages and logs are kept, which parameter values and Regions it refuses.
 */
class TemplateDeploymentTest {
    private static final Path ROOT = RepoRoot.require();
    private static final Duration FOURTEEN_DAYS = Duration.ofDays(14);
    private final SamTemplate template = SamTemplate.load(ROOT.resolve("template.yaml"));

    private static SamTemplate withParameters(String... nameValue) {
        Map<String, String> overrides = new HashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            overrides.put(nameValue[i], nameValue[i + 1]);
        }
        return SamTemplate.load(ROOT.resolve("template.yaml"), overrides);
    }

    private Map<?, ?> resource(String logicalId) {
        return (Map<?, ?>) template.resources().get(logicalId);
    }

    private Map<?, ?> parameter(String name) {
        return (Map<?, ?>) template.section("Parameters").get(name);
    }

    private long number(Object value) {
        return Long.parseLong(String.valueOf(value));
    }

    /** The logical id a {@code Ref} or {@code Fn::GetAtt} names. */
    private static String target(Object reference) {
        Map<?, ?> r = (Map<?, ?>) reference;
        if (r.containsKey("Ref")) {
            return String.valueOf(r.get("Ref"));
        }
        Object getAtt = r.get("Fn::GetAtt");
        return getAtt instanceof List<?> l
                ? String.valueOf(l.get(0))
                : String.valueOf(getAtt).split("\\.")[0];
    }

    @Test
    void theTableOutlivesTheStackAndRefusesToBeDeleted() {
        List<String> tables = template.resourcesOfType("AWS::DynamoDB::Table");
        assertFalse(tables.isEmpty());
        for (String table : tables) {
            assertEquals("Retain", resource(table).get("DeletionPolicy"), table + ": tenants, keys and usage");
            assertEquals("Retain", resource(table).get("UpdateReplacePolicy"), table);
            assertEquals(true, template.properties(table).get("DeletionProtectionEnabled"), table);
        }
    }

    @Test
    void everyAlarmNotifiesTheAlarmTopicAndAnEmailCanSubscribe() {
        assertEquals("AWS::SNS::Topic", resource("AlarmTopic").get("Type"));
        List<String> alarms = template.resourcesOfType("AWS::CloudWatch::Alarm");
        assertTrue(alarms.size() >= 10, "alarms: " + alarms);
        for (String alarm : alarms) {
            assertEquals(
                    List.of(Map.of("Ref", "AlarmTopic")),
                    template.properties(alarm).get("AlarmActions"),
                    alarm);
        }
        Map<?, ?> subscription = resource("AlarmEmailSubscription");
        assertEquals("SubscribeAlarmEmail", subscription.get("Condition"));
        assertEquals(
                Map.of("Ref", "AlarmEmail"),
                template.properties("AlarmEmailSubscription").get("Endpoint"));
        assertFalse(template.condition("SubscribeAlarmEmail"), "no subscription unless an address is given");
        assertTrue(withParameters("AlarmEmail", "ops@example.com").condition("SubscribeAlarmEmail"));
        assertEquals(
                Map.of("Ref", "AlarmTopic"),
                ((Map<?, ?>) template.section("Outputs").get("AlarmTopicArn")).get("Value"));
    }

    @Test
    void theFunctionsNoQueueWatchesAlarmOnTheirErrors() {
        Set<String> watched = new LinkedHashSet<>();
        for (String alarm : template.resourcesOfType("AWS::CloudWatch::Alarm")) {
            Map<String, Object> p = template.properties(alarm);
            if ("AWS/Lambda".equals(p.get("Namespace")) && "Errors".equals(p.get("MetricName"))) {
                Map<?, ?> dimension = (Map<?, ?>) ((List<?>) p.get("Dimensions")).get(0);
                assertEquals("FunctionName", dimension.get("Name"));
                watched.add(target(dimension.get("Value")));
            }
        }
        assertTrue(watched.containsAll(List.of("ReconcilerFunction", "AuthorizerFunction")), "" + watched);
    }

    @Test
    void aDeadLetteredMessageWaitsAWeekOrMoreForAnOperator() {
        long shortestStay = Long.MAX_VALUE;
        int redriven = 0;
        for (String queue : template.resourcesOfType("AWS::SQS::Queue")) {
            Map<?, ?> redrive = (Map<?, ?>) template.properties(queue).get("RedrivePolicy");
            if (redrive == null) {
                continue;
            }
            redriven++;
            String deadLetters = target(redrive.get("deadLetterTargetArn"));
            long kept = number(template.properties(queue).get("MessageRetentionPeriod"));
            long keptDead = number(template.properties(deadLetters).get("MessageRetentionPeriod"));
            assertEquals(FOURTEEN_DAYS.toSeconds(), keptDead, deadLetters + " keeps the most SQS allows");
            // a moved message keeps the time it was first sent: it lives keptDead - (its age on arrival <= kept)
            long stay = keptDead - kept;
            assertTrue(stay >= Duration.ofDays(7).toSeconds(), queue + " leaves " + stay + " s in " + deadLetters);
            shortestStay = Math.min(shortestStay, stay);
        }
        assertEquals(3, redriven, "the two lanes' queues and the webhooks queue");
        assertTrue(
                number(parameter("DeadLetterAgeAlarmSeconds").get("MaxValue")) < shortestStay,
                "the dead-letter age alarm can fire before its messages expire");
    }

    @Test
    void theWebhooksQueueKeepsAnEventForItsWholeRetrySchedule() {
        Object variables =
                ((Map<?, ?>) template.functionProperties("WebhookFunction").get("Environment")).get("Variables");
        Map<?, ?> env = (Map<?, ?>) template.resolve(variables, ref -> "local-" + ref, att -> "local-" + att);
        RetrySchedule schedule = RetrySchedule.standard((int) number(env.get("WEBHOOK_MAX_ATTEMPTS")));
        // the longest draw of every wait, each first period stretched as far as a Retry-After can stretch it
        RandomGenerator longest = new RandomGenerator() {
            @Override
            public long nextLong() {
                return Long.MAX_VALUE;
            }

            @Override
            public long nextLong(long origin, long bound) {
                return bound - 1;
            }
        };
        Duration span = Duration.ZERO;
        for (int attempt = 1; attempt < schedule.maxAttempts(); attempt++) {
            span = span.plus(
                    schedule.waitAfter(attempt, Duration.ofDays(1), longest).total());
        }
        long kept = number(template.properties("WebhooksQueue").get("MessageRetentionPeriod"));
        assertTrue(span.toSeconds() < kept, "the last attempt may come " + span + " after the first; kept " + kept);
        assertTrue(span.compareTo(schedule.longestSpan()) > 0, "the stretched schedule is the longer one");
    }

    @Test
    void everyFunctionLogsToADeclaredGroupOfItsNameKeptAsConfigured() {
        for (String function : template.resourcesOfType("AWS::Serverless::Function")) {
            Map<String, Object> p = template.functionProperties(function);
            Map<?, ?> logging = (Map<?, ?>) p.get("LoggingConfig");
            assertEquals("JSON", logging.get("LogFormat"), function);
            String group = target(logging.get("LogGroup"));
            String name = template.resolveString(p.get("FunctionName"), ref -> "stack", att -> null);
            assertEquals(
                    "/aws/lambda/" + name,
                    template.resolveString(template.properties(group).get("LogGroupName"), ref -> "stack", a -> null),
                    function + "'s group is where Lambda would put it, so every tool finds it");
            assertKeptAsConfigured(group);
        }
    }

    @Test
    void theStateMachineLogsToAVendedLogsGroup() {
        Map<?, ?> logging = (Map<?, ?>) template.properties("JobStateMachine").get("Logging");
        Map<?, ?> destination =
                (Map<?, ?>) ((Map<?, ?>) ((List<?>) logging.get("Destinations")).get(0)).get("CloudWatchLogsLogGroup");
        String group = target(destination.get("LogGroupArn"));
        String name = template.resolveString(template.properties(group).get("LogGroupName"), ref -> "stack", a -> null);
        assertTrue(name.startsWith("/aws/vendedlogs/states/"), name);
        assertKeptAsConfigured(group);
    }

    private void assertKeptAsConfigured(String group) {
        assertEquals("AWS::Logs::LogGroup", resource(group).get("Type"));
        assertEquals(
                Map.of("Ref", "LogRetentionDays"), template.properties(group).get("RetentionInDays"), group);
        assertEquals("Delete", resource(group).get("DeletionPolicy"), group + " goes with the stack");
    }

    @Test
    void noArnNamesThePartition() {
        List<String> hardCoded = new ArrayList<>();
        collectStrings(template.resources(), "Resources", hardCoded);
        collectStrings(template.section("Globals"), "Globals", hardCoded);
        collectStrings(template.section("Outputs"), "Outputs", hardCoded);
        assertEquals(List.of(), hardCoded, "use arn:${AWS::Partition}:");
    }

    private static void collectStrings(Object v, String where, List<String> hardCoded) {
        if (v instanceof Map<?, ?> m) {
            m.forEach((k, x) -> collectStrings(x, where + "." + k, hardCoded));
        } else if (v instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                collectStrings(l.get(i), where + "[" + i + "]", hardCoded);
            }
        } else if (v instanceof String s && s.contains("arn:aws:")) {
            hardCoded.add(where + ": " + s);
        }
    }

    @Test
    void everyNumberParameterIsBoundedAndItsBoundsHoldTogether() {
        template.section("Parameters").forEach((name, definition) -> {
            Map<?, ?> p = (Map<?, ?>) definition;
            if (!"Number".equals(p.get("Type"))) {
                return;
            }
            if (p.containsKey("AllowedValues")) {
                assertTrue(((List<?>) p.get("AllowedValues")).contains(p.get("Default")), name);
                return;
            }
            assertNotNull(p.get("MinValue"), name + " has no MinValue");
            assertNotNull(p.get("MaxValue"), name + " has no MaxValue");
            double dflt = Double.parseDouble(String.valueOf(p.get("Default")));
            assertTrue(
                    Double.parseDouble(String.valueOf(p.get("MinValue"))) <= dflt
                            && dflt <= Double.parseDouble(String.valueOf(p.get("MaxValue"))),
                    name + "'s default is in range");
        });
        long worker = number(template.functionProperties("WorkerFunction").get("Timeout"));
        assertTrue(
                number(parameter("ReconcileGraceSeconds").get("MinValue")) > worker,
                "a job is left to its worker longer than the worker can run");
        assertTrue(number(parameter("ReconcileGraceSeconds").get("MaxValue"))
                < number(template.properties("JobsQueue").get("MessageRetentionPeriod")));
        long execution = number(parameter("ExecutionTimeoutSeconds").get("MaxValue"));
        assertTrue(execution < worker && execution <= 290, "within the worker and Express's 300 s");
        for (String wait : List.of("AttemptTimeoutSeconds", "MaxDelaySeconds")) {
            assertTrue(number(parameter(wait).get("MaxValue")) <= execution, wait);
        }
        assertTrue(number(parameter("BackoffRate").get("MinValue")) >= 1, "Step Functions needs a rate of 1 or more");
        for (String[] alarm : List.of(
                new String[] {"JobsQueueAgeAlarmSeconds", "JobsQueue"},
                new String[] {"BulkJobsQueueAgeAlarmSeconds", "BulkJobsQueue"},
                new String[] {"WebhooksQueueAgeAlarmSeconds", "WebhooksQueue"})) {
            assertTrue(
                    number(parameter(alarm[0]).get("MaxValue"))
                            < number(template.properties(alarm[1]).get("MessageRetentionPeriod")),
                    alarm[0] + " must be reachable before the queue drops the message");
        }
    }

    private static List<String> rulesRefusing(String region, String... nameValue) {
        return withParameters(nameValue).ruleViolations(Map.of("AWS::Region", region));
    }

    private static List<String> ruleNames(List<String> violations) {
        return violations.stream()
                .map(v -> v.substring(0, v.indexOf(':')))
                .distinct()
                .toList();
    }

    @Test
    void anInferenceProfileIsRefusedOutsideTheRegionsItIncludes() {
        assertEquals(List.of(), rulesRefusing("us-east-1", "InferenceProfilePrefix", "us"));
        assertEquals(List.of("UsProfileInUsRegion"), ruleNames(rulesRefusing("eu-west-1")), "us, the default");
        assertEquals(List.of(), rulesRefusing("eu-west-1", "InferenceProfilePrefix", "eu"));
        assertEquals(
                List.of("EuProfileInEuRegion"), ruleNames(rulesRefusing("us-east-1", "InferenceProfilePrefix", "eu")));
        assertEquals(List.of(), rulesRefusing("ap-northeast-1", "InferenceProfilePrefix", "apac"));
        assertEquals(
                List.of("ApacProfileInApRegion"),
                ruleNames(rulesRefusing("eu-west-1", "InferenceProfilePrefix", "apac")));
        for (String anywhere : List.of("global", "none")) {
            for (String region : List.of("us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1")) {
                assertEquals(List.of(), rulesRefusing(region, "InferenceProfilePrefix", anywhere), anywhere);
            }
        }
        // each rule's list names only Regions of its geography
        Map<String, String> prefixes =
                Map.of("UsProfileInUsRegion", "us-", "EuProfileInEuRegion", "eu-", "ApacProfileInApRegion", "ap-");
        prefixes.forEach((rule, prefix) -> {
            List<?> regions = regionsOf(rule);
            assertFalse(regions.isEmpty(), rule);
            assertTrue(regions.stream().allMatch(r -> String.valueOf(r).startsWith(prefix)), rule + ": " + regions);
        });
        assertEquals(
                List.of(),
                withParameters("InferenceProfilePrefix", "eu").ruleViolations(),
                "the local stack has no Region of its own: rules on the Region are not its to check");
    }

    private List<?> regionsOf(String rule) {
        Map<?, ?> r = (Map<?, ?>) template.section("Rules").get(rule);
        Map<?, ?> assertion = (Map<?, ?>) ((Map<?, ?>) ((List<?>) r.get("Assertions")).get(0)).get("Assert");
        return (List<?>) ((List<?>) assertion.get("Fn::Contains")).get(0);
    }

    @Test
    void aBudgetIsRefusedWithoutAnAddressOrWhereCloudFormationCannotMakeOne() {
        assertEquals(
                List.of(),
                rulesRefusing(
                        "eu-west-1",
                        "InferenceProfilePrefix",
                        "eu",
                        "MonthlyBudgetUsd",
                        "500",
                        "BudgetAlertEmail",
                        "ops@example.com"));
        assertEquals(
                List.of("BudgetInSupportedRegion"),
                ruleNames(rulesRefusing(
                        "eu-north-1",
                        "InferenceProfilePrefix",
                        "eu",
                        "MonthlyBudgetUsd",
                        "500",
                        "BudgetAlertEmail",
                        "ops@example.com")));
        assertEquals(List.of(), rulesRefusing("eu-north-1", "InferenceProfilePrefix", "eu"), "no budget, no limit");
        assertEquals(List.of("BudgetNeedsEmail"), ruleNames(rulesRefusing("us-east-1", "MonthlyBudgetUsd", "500")));
    }

    @Test
    void theStackIsRefusedInARegionWithoutWhatItUses() {
        assertEquals(
                List.of("RegionHasWhatTheStackUses"),
                ruleNames(rulesRefusing("eu-central-2", "InferenceProfilePrefix", "global")));
        assertTrue(
                regionsOf("RegionHasWhatTheStackUses").containsAll(regionsOf("BudgetInSupportedRegion")),
                "every Region a budget can be made in can take the stack");
    }

    @Test
    void everyParameterIsARowOfTheReadmeConfigurationTable() throws Exception {
        List<String> lines = Files.readAllLines(ROOT.resolve("README.md"));
        int heading = lines.indexOf("### Configuration (template parameters)");
        assertTrue(heading >= 0, "README has its configuration section");
        int first = heading + 1;
        while (!lines.get(first).startsWith("|")) {
            first++;
        }
        Set<String> documented = new LinkedHashSet<>();
        Pattern name = Pattern.compile("`(\\w+)`");
        for (int i = first; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            Matcher m = name.matcher(lines.get(i).split("\\|")[1]);
            while (m.find()) {
                documented.add(m.group(1));
            }
        }
        List<String> missing = new ArrayList<>(template.section("Parameters").keySet());
        missing.removeAll(documented);
        assertEquals(List.of(), missing, "parameters without a row in README's configuration table");
    }
}
