package dev.bedrockjobs.core.adapter;

import static dev.bedrockjobs.core.adapter.JobItems.PK;
import static dev.bedrockjobs.core.adapter.JobItems.SK;
import static dev.bedrockjobs.core.adapter.JobItems.s;

import dev.bedrockjobs.core.domain.Tenant;
import dev.bedrockjobs.core.port.Tenants;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Tenants, one item each ({@code pk = TENANT#id}, {@code sk = TENANT}) in the jobs table: name, whether disabled, the
 * webhook signing secret and the one it replaced while that still signs. The same item holds the tenant's own limits
 * ({@link DynamoTenantLimitOverrides}), which nothing here reads or writes.
 */
public final class DynamoTenants implements Tenants {
    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoTenants(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public Optional<Tenant> findTenant(String tenantId) {
        Map<String, AttributeValue> item = dynamo.getItem(
                        g -> g.tableName(table).key(Map.of(PK, s("TENANT#" + tenantId), SK, s("TENANT"))))
                .item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        AttributeValue until = item.get("previousSecretUntil");
        return Optional.of(new Tenant(
                item.get("tenantId").s(),
                item.get("name").s(),
                item.get("webhookSecret").s(),
                item.containsKey("disabled")
                        && Boolean.TRUE.equals(item.get("disabled").bool()),
                Instant.parse(item.get("createdAt").s()),
                item.containsKey("previousWebhookSecret")
                        ? item.get("previousWebhookSecret").s()
                        : null,
                until == null ? null : Instant.parse(until.s())));
    }

    @Override
    public boolean createTenant(Tenant tenant) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(PK, s("TENANT#" + tenant.id()));
        item.put(SK, s("TENANT"));
        item.put("tenantId", s(tenant.id()));
        item.put("name", s(tenant.name()));
        item.put("webhookSecret", s(tenant.webhookSecret()));
        item.put("disabled", AttributeValue.fromBool(tenant.disabled()));
        item.put("createdAt", s(tenant.createdAt().toString()));
        try {
            dynamo.putItem(r -> r.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public boolean replaceWebhookSecret(String tenantId, String webhookSecret, Instant previousUntil) {
        try {
            // Every operand of an update expression reads the item as it was before it: the previous secret is the
            // one being replaced.
            dynamo.updateItem(u -> u.tableName(table)
                    .key(Map.of(PK, s("TENANT#" + tenantId), SK, s("TENANT")))
                    .updateExpression("SET previousWebhookSecret = webhookSecret, previousSecretUntil = :until, "
                            + "webhookSecret = :s")
                    .conditionExpression("attribute_exists(pk)")
                    .expressionAttributeValues(Map.of(":s", s(webhookSecret), ":until", s(previousUntil.toString()))));
            return true;
        } catch (ConditionalCheckFailedException noTenant) {
            return false;
        }
    }
}
