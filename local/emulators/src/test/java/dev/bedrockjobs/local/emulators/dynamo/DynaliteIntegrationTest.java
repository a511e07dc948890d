package dev.bedrockjobs.local.emulators.dynamo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

class DynaliteIntegrationTest {

    @Test
    void servesTheDynamoDbApiFromMemory() {
        try (Dynalite dynalite =
                        Dynalite.builder().tableStateDelayMillis(0).build().start();
                DynamoDbClient dynamo = client(dynalite.endpoint())) {
            createJobsTable(dynamo);
            dynamo.putItem(b -> b.tableName("jobs")
                    .item(Map.of("id", AttributeValue.fromS("job-1"), "status", AttributeValue.fromS("QUEUED"))));

            Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName("jobs")
                            .key(Map.of("id", AttributeValue.fromS("job-1")))
                            .consistentRead(true))
                    .item();

            assertEquals("QUEUED", item.get("status").s());
            assertEquals(
                    "http://127.0.0.1:" + dynalite.port(), dynalite.endpoint().toString());
        }
    }

    @Test
    void keepsDataOnDiskAcrossARestartOnTheSamePort(@TempDir Path data) {
        int port;
        try (Dynalite first = Dynalite.builder()
                        .dataDirectory(data)
                        .tableStateDelayMillis(0)
                        .build()
                        .start();
                DynamoDbClient dynamo = client(first.endpoint())) {
            port = first.port();
            createJobsTable(dynamo);
            dynamo.putItem(b -> b.tableName("jobs").item(Map.of("id", AttributeValue.fromS("survivor"))));
        }

        try (Dynalite second = Dynalite.builder()
                        .dataDirectory(data)
                        .port(port)
                        .build()
                        .start();
                DynamoDbClient dynamo = client(second.endpoint())) {
            assertTrue(dynamo.getItem(b -> b.tableName("jobs").key(Map.of("id", AttributeValue.fromS("survivor"))))
                    .hasItem());
        }
    }

    @Test
    void closeStopsTheChildProcess() {
        Dynalite dynalite = Dynalite.inMemory().start();
        assertTrue(dynalite.isRunning());

        dynalite.close();

        assertFalse(dynalite.isRunning());
        dynalite.close();
    }

    /**
     * dynalite is started with a preload that keeps parsed expressions: a repeated expression must still act on each
     * request's own values, and still be checked against each request's own names and value types.
     */
    @Test
    void repeatedExpressionsActOnEachRequestsOwnValues() {
        try (Dynalite dynalite =
                        Dynalite.builder().tableStateDelayMillis(0).build().start();
                DynamoDbClient dynamo = client(dynalite.endpoint())) {
            createJobsTable(dynamo);
            dynamo.putItem(b -> b.tableName("jobs")
                    .item(Map.of(
                            "id",
                            AttributeValue.fromS("job-1"),
                            "status",
                            AttributeValue.fromS("S0"),
                            "n",
                            AttributeValue.fromN("0"))));
            for (int i = 1; i <= 5; i++) {
                advance(dynamo, "S" + (i - 1), "S" + i, AttributeValue.fromN(Integer.toString(i)));
            }
            Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName("jobs")
                            .key(Map.of("id", AttributeValue.fromS("job-1")))
                            .consistentRead(true))
                    .item();
            assertEquals("S5", item.get("status").s());
            assertEquals("15", item.get("n").n()); // 1 + 2 + 3 + 4 + 5: every step added its own value

            assertThrows(
                    ConditionalCheckFailedException.class,
                    () -> advance(dynamo, "S0", "S9", AttributeValue.fromN("1")));
            DynamoDbException wrongType = assertThrows(
                    DynamoDbException.class, () -> advance(dynamo, "S5", "S6", AttributeValue.fromS("one")));
            assertEquals("ValidationException", wrongType.awsErrorDetails().errorCode());
            assertEquals(
                    "S5",
                    dynamo.getItem(b -> b.tableName("jobs")
                                    .key(Map.of("id", AttributeValue.fromS("job-1")))
                                    .consistentRead(true))
                            .item()
                            .get("status")
                            .s());
        }
    }

    private static void advance(DynamoDbClient dynamo, String from, String to, AttributeValue add) {
        dynamo.updateItem(u -> u.tableName("jobs")
                .key(Map.of("id", AttributeValue.fromS("job-1")))
                .updateExpression("SET #s = :to ADD n :add")
                .conditionExpression("#s = :from")
                .expressionAttributeNames(Map.of("#s", "status"))
                .expressionAttributeValues(
                        Map.of(":to", AttributeValue.fromS(to), ":from", AttributeValue.fromS(from), ":add", add)));
    }

    private static void createJobsTable(DynamoDbClient dynamo) {
        dynamo.createTable(b -> b.tableName("jobs")
                .attributeDefinitions(a -> a.attributeName("id").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("id").keyType(KeyType.HASH))
                .billingMode(BillingMode.PAY_PER_REQUEST));
        dynamo.waiter().waitUntilTableExists(b -> b.tableName("jobs"));
    }

    private static DynamoDbClient client(URI endpoint) {
        return DynamoDbClient.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }
}
