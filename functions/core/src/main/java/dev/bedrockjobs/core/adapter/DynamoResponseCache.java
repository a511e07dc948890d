package dev.bedrockjobs.core.adapter;

import static dev.bedrockjobs.core.adapter.JobItems.PK;
import static dev.bedrockjobs.core.adapter.JobItems.SK;
import static dev.bedrockjobs.core.adapter.JobItems.n;
import static dev.bedrockjobs.core.adapter.JobItems.s;

import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.port.ResponseCache;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Cached answers in the jobs table ({@code pk = CACHE#key}, {@code sk = CACHE}), removed by the table's TTL. TTL
 * deletion lags (and the local emulator never deletes), so a reader checks the expiry itself; it also checks the
 * tenant, although the key already depends on it.
 */
public final class DynamoResponseCache implements ResponseCache {
    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoResponseCache(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    private static Map<String, AttributeValue> key(String cacheKey) {
        return Map.of(PK, s("CACHE#" + cacheKey), SK, s("CACHE"));
    }

    @Override
    public Optional<Job.Result> find(String cacheKey, String tenantId, Instant now) {
        Map<String, AttributeValue> item =
                dynamo.getItem(g -> g.tableName(table).key(key(cacheKey))).item();
        if (item == null || item.isEmpty() || !tenantId.equals(JobItems.str(item, "tenantId"))) {
            return Optional.empty();
        }
        Long expires = JobItems.num(item, "ttl");
        if (expires == null || expires <= now.getEpochSecond()) {
            return Optional.empty();
        }
        return Optional.of(new Job.Result(JobItems.str(item, "resultText"), JobItems.str(item, "stopReason")));
    }

    @Override
    public void put(String cacheKey, String tenantId, Job.Result result, Instant expiresAt) {
        Map<String, AttributeValue> item = new HashMap<>(key(cacheKey));
        item.put("tenantId", s(tenantId));
        item.put("resultText", s(result.text() == null ? "" : result.text()));
        item.put("stopReason", s(result.stopReason() == null ? "" : result.stopReason()));
        item.put("ttl", n(expiresAt.getEpochSecond()));
        dynamo.putItem(p -> p.tableName(table).item(item));
    }
}
