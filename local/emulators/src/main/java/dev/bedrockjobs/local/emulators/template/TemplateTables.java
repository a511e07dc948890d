package dev.bedrockjobs.local.emulators.template;

import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/** Creates a DynamoDB table in an emulator from its {@code AWS::DynamoDB::Table} resource in the template. */
public final class TemplateTables {
    private TemplateTables() {}

    /** Creates the table unless it exists already (a restarted local stack keeps its data). */
    public static void create(DynamoDbClient dynamo, SamTemplate template, String logicalId, String tableName) {
        try {
            dynamo.createTable(request(template.properties(logicalId), tableName));
        } catch (ResourceInUseException alreadyThere) {
            return;
        }
        for (int i = 0; i < 200; i++) {
            if (dynamo.describeTable(d -> d.tableName(tableName)).table().tableStatus() == TableStatus.ACTIVE) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new IllegalStateException("table " + tableName + " did not become active");
    }

    @SuppressWarnings("unchecked")
    static CreateTableRequest request(Map<String, Object> p, String tableName) {
        List<AttributeDefinition> attributes = ((List<Map<String, Object>>) p.get("AttributeDefinitions"))
                .stream()
                        .map(a -> AttributeDefinition.builder()
                                .attributeName((String) a.get("AttributeName"))
                                .attributeType((String) a.get("AttributeType"))
                                .build())
                        .toList();
        CreateTableRequest.Builder b = CreateTableRequest.builder()
                .tableName(tableName)
                .attributeDefinitions(attributes)
                .keySchema(keys((List<Map<String, Object>>) p.get("KeySchema")))
                .billingMode(BillingMode.PAY_PER_REQUEST);
        Object gsis = p.get("GlobalSecondaryIndexes");
        if (gsis != null) {
            b.globalSecondaryIndexes(((List<Map<String, Object>>) gsis)
                    .stream()
                            .map(g -> GlobalSecondaryIndex.builder()
                                    .indexName((String) g.get("IndexName"))
                                    .keySchema(keys((List<Map<String, Object>>) g.get("KeySchema")))
                                    .projection(projection((Map<String, Object>) g.get("Projection")))
                                    .build())
                            .toList());
        }
        return b.build();
    }

    @SuppressWarnings("unchecked")
    private static Projection projection(Map<String, Object> p) {
        Projection.Builder b = Projection.builder().projectionType((String) p.get("ProjectionType"));
        Object nonKey = p.get("NonKeyAttributes");
        if (nonKey != null) {
            b.nonKeyAttributes((List<String>) nonKey);
        }
        return b.build();
    }

    private static List<KeySchemaElement> keys(List<Map<String, Object>> schema) {
        return schema.stream()
                .map(k -> KeySchemaElement.builder()
                        .attributeName((String) k.get("AttributeName"))
                        .keyType((String) k.get("KeyType"))
                        .build())
                .toList();
    }
}
