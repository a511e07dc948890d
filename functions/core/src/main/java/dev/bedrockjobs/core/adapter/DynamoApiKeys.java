package dev.bedrockjobs.core.adapter;

import static dev.bedrockjobs.core.adapter.JobItems.GSI1PK;
import static dev.bedrockjobs.core.adapter.JobItems.GSI1SK;
import static dev.bedrockjobs.core.adapter.JobItems.PK;
import static dev.bedrockjobs.core.adapter.JobItems.SK;
import static dev.bedrockjobs.core.adapter.JobItems.s;

import dev.bedrockjobs.core.domain.ApiKey;
import dev.bedrockjobs.core.port.ApiKeys;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * API keys ({@code KEY#sha256}) in the jobs table. Keys are also indexed in the {@code byTenant} index under one
 * partition ({@code gsi1pk = APIKEYS}, {@code gsi1sk = keyId}): an operator lists and disables keys by their public id
 * without a table scan and without ever handling a hash or a secret. A job's partition there is {@code TENANT#...},
 * so the two never meet.
 */
public final class DynamoApiKeys implements ApiKeys {
    private static final String KEYS_PARTITION = "APIKEYS";
    private static final String BY_TENANT = "byTenant";

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoApiKeys(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public Optional<ApiKey> findKey(String keyHash) {
        Map<String, AttributeValue> item = dynamo.getItem(
                        g -> g.tableName(table).key(Map.of(PK, s("KEY#" + keyHash), SK, s("KEY"))))
                .item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(key(item));
    }

    private static ApiKey key(Map<String, AttributeValue> item) {
        return new ApiKey(
                item.get("keyHash").s(),
                item.get("keyId").s(),
                item.get("tenantId").s(),
                item.containsKey("name") ? item.get("name").s() : null,
                item.containsKey("disabled")
                        && Boolean.TRUE.equals(item.get("disabled").bool()),
                Instant.parse(item.get("createdAt").s()));
    }

    @Override
    public void putKey(ApiKey key) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(PK, s("KEY#" + key.keyHash()));
        item.put(SK, s("KEY"));
        item.put("keyHash", s(key.keyHash()));
        item.put("keyId", s(key.keyId()));
        item.put("tenantId", s(key.tenantId()));
        if (key.name() != null) {
            item.put("name", s(key.name()));
        }
        item.put("disabled", AttributeValue.fromBool(key.disabled()));
        item.put("createdAt", s(key.createdAt().toString()));
        item.put(GSI1PK, s(KEYS_PARTITION));
        item.put(GSI1SK, s(key.keyId()));
        dynamo.putItem(r -> r.tableName(table).item(item));
    }

    @Override
    public List<ApiKey> listKeys(String tenantId) {
        QueryRequest.Builder q =
                QueryRequest.builder().tableName(table).indexName(BY_TENANT).keyConditionExpression("gsi1pk = :p");
        if (tenantId == null) {
            q.expressionAttributeValues(Map.of(":p", s(KEYS_PARTITION)));
        } else {
            q.filterExpression("tenantId = :t")
                    .expressionAttributeValues(Map.of(":p", s(KEYS_PARTITION), ":t", s(tenantId)));
        }
        return DynamoPages.items(dynamo, q.build())
                .map(DynamoApiKeys::key)
                .sorted(Comparator.comparing(ApiKey::tenantId)
                        .thenComparing(ApiKey::createdAt)
                        .thenComparing(ApiKey::keyId))
                .toList();
    }

    @Override
    public Optional<ApiKey> disableKey(String keyId) {
        var found = dynamo.query(q -> q.tableName(table)
                        .indexName(BY_TENANT)
                        .keyConditionExpression("gsi1pk = :p AND gsi1sk = :k")
                        .expressionAttributeValues(Map.of(":p", s(KEYS_PARTITION), ":k", s(keyId))))
                .items();
        if (found.isEmpty()) {
            return Optional.empty();
        }
        String hash = found.get(0).get("keyHash").s();
        try {
            Map<String, AttributeValue> after = dynamo.updateItem(u -> u.tableName(table)
                            .key(Map.of(PK, s("KEY#" + hash), SK, s("KEY")))
                            .updateExpression("SET disabled = :t")
                            .conditionExpression("attribute_exists(pk)")
                            .expressionAttributeValues(Map.of(":t", AttributeValue.fromBool(true)))
                            .returnValues(ReturnValue.ALL_NEW))
                    .attributes();
            return Optional.of(key(after));
        } catch (ConditionalCheckFailedException gone) {
            return Optional.empty();
        }
    }
}
