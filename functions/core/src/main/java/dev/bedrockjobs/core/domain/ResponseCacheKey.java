package dev.bedrockjobs.core.domain;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The response cache's key: a hash of everything that shapes a model's answer, and of the tenant, so that two
 * tenants sending the same prompt never share an entry. Metadata, webhook and idempotency key do not shape the answer
 * and are left out.
 */
public final class ResponseCacheKey {
    private ResponseCacheKey() {}

    public static String of(String tenantId, String modelId, JobRequest r) {
        ObjectNode n = Json.object();
        n.put("tenant", tenantId);
        n.put("modelId", modelId);
        n.put("system", r.system());
        n.put("prompt", r.prompt());
        n.put("maxTokens", r.maxTokens());
        if (r.temperature() != null) {
            n.put("temperature", r.temperature());
        }
        return Ids.sha256Hex(Json.write(n));
    }
}
