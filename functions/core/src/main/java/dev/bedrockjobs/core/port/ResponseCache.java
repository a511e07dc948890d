package dev.bedrockjobs.core.port;

import dev.bedrockjobs.core.domain.Job;
import java.time.Instant;
import java.util.Optional;

/**
 * Model answers kept for a while, per tenant: the key already names the tenant, and an entry answers only the tenant
 * that stored it.
 */
public interface ResponseCache {

    /** The live entry for a key, if any; an expired entry is ignored even while it is still stored. */
    Optional<Job.Result> find(String key, String tenantId, Instant now);

    void put(String key, String tenantId, Job.Result result, Instant expiresAt);
}
