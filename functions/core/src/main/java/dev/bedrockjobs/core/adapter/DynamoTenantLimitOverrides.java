package dev.bedrockjobs.core.adapter;

import static dev.bedrockjobs.core.adapter.JobItems.PK;
import static dev.bedrockjobs.core.adapter.JobItems.SK;
import static dev.bedrockjobs.core.adapter.JobItems.s;

import dev.bedrockjobs.core.domain.TenantLimits;
import dev.bedrockjobs.core.port.TenantLimitOverrides;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A tenant's own limits, optional attributes of its item ({@link DynamoTenants}): {@code rateLimitPerSecond},
 * {@code maxActiveJobs}, {@code monthlyTokenBudget}, {@code monthlyCostBudgetUsd} (numbers, 0 = unlimited),
 * {@code cacheResponses} and {@code interactiveBatches}. Setting them never creates the tenant.
 */
public final class DynamoTenantLimitOverrides implements TenantLimitOverrides {
    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoTenantLimitOverrides(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    private static final String[] LIMIT_ATTRIBUTES = {
        "rateLimitPerSecond",
        "maxActiveJobs",
        "monthlyTokenBudget",
        "monthlyCostBudgetUsd",
        "cacheResponses",
        "interactiveBatches"
    };

    @Override
    public TenantLimits.Overrides findLimitOverrides(String tenantId) {
        Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(table)
                        .key(Map.of(PK, s("TENANT#" + tenantId), SK, s("TENANT")))
                        .projectionExpression(String.join(", ", LIMIT_ATTRIBUTES)))
                .item();
        if (item == null || item.isEmpty()) {
            return TenantLimits.Overrides.NONE;
        }
        AttributeValue cache = item.get("cacheResponses");
        AttributeValue interactiveBatches = item.get("interactiveBatches");
        return new TenantLimits.Overrides(
                JobItems.num(item, "rateLimitPerSecond"),
                JobItems.num(item, "maxActiveJobs"),
                JobItems.num(item, "monthlyTokenBudget"),
                item.containsKey("monthlyCostBudgetUsd")
                        ? new BigDecimal(item.get("monthlyCostBudgetUsd").n())
                        : null,
                cache == null ? null : cache.bool(),
                interactiveBatches == null ? null : interactiveBatches.bool());
    }

    @Override
    public void setLimitOverrides(String tenantId, TenantLimits.Overrides o) {
        Map<String, AttributeValue> values = new HashMap<>();
        List<String> set = new ArrayList<>();
        List<String> remove = new ArrayList<>();
        Object[] given = {
            o.requestsPerSecond(),
            o.maxActiveJobs(),
            o.monthlyTokenBudget(),
            o.monthlyCostBudgetUsd(),
            o.cacheResponses(),
            o.interactiveBatches()
        };
        for (int i = 0; i < LIMIT_ATTRIBUTES.length; i++) {
            String name = LIMIT_ATTRIBUTES[i];
            if (given[i] == null) {
                remove.add(name);
            } else {
                set.add(name + " = :" + name);
                values.put(
                        ":" + name,
                        given[i] instanceof Boolean b
                                ? AttributeValue.fromBool(b)
                                : AttributeValue.fromN(
                                        given[i] instanceof BigDecimal d ? d.toPlainString() : given[i].toString()));
            }
        }
        String update = (set.isEmpty() ? "" : "SET " + String.join(", ", set) + " ")
                + (remove.isEmpty() ? "" : "REMOVE " + String.join(", ", remove));
        dynamo.updateItem(u -> {
            u.tableName(table)
                    .key(Map.of(PK, s("TENANT#" + tenantId), SK, s("TENANT")))
                    .updateExpression(update.strip())
                    .conditionExpression("attribute_exists(pk)");
            if (!values.isEmpty()) {
                u.expressionAttributeValues(values);
            }
        });
    }
}
