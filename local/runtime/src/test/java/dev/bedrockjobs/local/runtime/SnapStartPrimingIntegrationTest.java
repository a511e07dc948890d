package dev.bedrockjobs.local.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bedrockjobs.local.emulators.RepoRoot;
import dev.bedrockjobs.local.emulators.template.SamTemplate;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.crac.Resource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Every function's SnapStart hooks, run as Lambda runs them before a snapshot, against the local stack: they run to
 * the end, write no item, send no message, and leave nothing behind that a restored environment would share; and
 * they also run to the end with no service reachable at all, as before a snapshot without network.
 */
class SnapStartPrimingIntegrationTest {
    @TempDir
    static Path data;

    private static LocalStack stack;
    private static DynamoDbClient dynamo;
    private static SqsClient sqs;
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        stack = LocalStack.start(LocalOptions.builder(RepoRoot.require())
                .port(0)
                .dataDirectory(data)
                .eventSourcesEnabled(false)
                .build());
        JsonNode endpoints = JSON.readTree(Files.readString(data.resolve("endpoints.json")));
        var creds = StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
        dynamo = DynamoDbClient.builder()
                .endpointOverride(URI.create(endpoints.path("dynamodb").asText()))
                .region(Region.US_EAST_1)
                .credentialsProvider(creds)
                .build();
        sqs = SqsClient.builder()
                .endpointOverride(URI.create(endpoints.path("sqs").asText()))
                .region(Region.US_EAST_1)
                .credentialsProvider(creds)
                .build();
    }

    @AfterAll
    static void stop() {
        dynamo.close();
        sqs.close();
        stack.close();
    }

    private static List<String> functions() {
        return SamTemplate.load(RepoRoot.require().resolve("template.yaml"))
                .resourcesOfType("AWS::Serverless::Function");
    }

    private static Resource handler(String function, Map<String, String> env) throws Exception {
        String handler = stack.function(function).handler().split("::")[0];
        Object h = Class.forName(handler).getConstructor(Map.class).newInstance(env);
        assertTrue(h instanceof Resource, handler + " has SnapStart hooks");
        return (Resource) h;
    }

    private static Set<String> everyItemKey() {
        Set<String> keys = new TreeSet<>();
        for (String table : dynamo.listTables().tableNames()) {
            dynamo.scanPaginator(s -> s.tableName(table))
                    .items()
                    .forEach(item -> keys.add(table + " "
                            + item.getOrDefault("pk", AttributeValue.fromS("?")).s() + " "
                            + item.getOrDefault("sk", AttributeValue.fromS("?")).s()));
        }
        return keys;
    }

    private static int messagesInEveryQueue() {
        int n = 0;
        for (String url : sqs.listQueues().queueUrls()) {
            Map<QueueAttributeName, String> a = sqs.getQueueAttributes(r -> r.queueUrl(url)
                            .attributeNames(
                                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED))
                    .attributes();
            for (String v : a.values()) {
                n += Integer.parseInt(v);
            }
        }
        return n;
    }

    @Test
    void everyFunctionPrimesWithoutWritingOrSendingAnything() throws Exception {
        List<String> functions = functions();
        assertTrue(functions.size() >= 6, functions.toString());
        Set<String> before = everyItemKey();
        int messagesBefore = messagesInEveryQueue();
        for (String function : functions) {
            Resource h = handler(function, stack.function(function).environment());
            h.beforeCheckpoint(null);
            h.afterRestore(null);
        }
        assertEquals(before, everyItemKey(), "items written while priming");
        assertEquals(messagesBefore, messagesInEveryQueue(), "messages sent while priming");
    }

    @Test
    void primingRunsToTheEndWithNoServiceReachable() throws Exception {
        List<String> failures = new ArrayList<>();
        for (String function : functions()) {
            Map<String, String> env = new HashMap<>(stack.function(function).environment());
            // a port nothing listens on: every call is refused at once
            env.replaceAll((k, v) -> k.startsWith("AWS_ENDPOINT_URL") ? "http://127.0.0.1:9" : v);
            try {
                Resource h = handler(function, env);
                h.beforeCheckpoint(null);
                h.afterRestore(null);
            } catch (Exception | AssertionError e) {
                failures.add(function + ": " + e);
            }
        }
        assertEquals(List.of(), failures);
    }
}
