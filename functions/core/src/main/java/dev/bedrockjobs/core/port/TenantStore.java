package dev.bedrockjobs.core.port;

import dev.bedrockjobs.core.domain.ApiKey;
import dev.bedrockjobs.core.domain.Tenant;
import dev.bedrockjobs.core.domain.TenantLimits;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Tenants and their API keys, kept in the same table as the jobs. */
public interface TenantStore {

    Optional<ApiKey> findKey(String keyHash);

    Optional<Tenant> findTenant(String tenantId);

    /** @return false if the tenant already exists */
    boolean createTenant(Tenant tenant);

    void putKey(ApiKey key);

    /** Every key, or only one tenant's ({@code tenantId} not null), ordered by key id. */
    List<ApiKey> listKeys(String tenantId);

    /** Marks the key with this public id disabled; returns it as it now is, or empty if no key has that id. */
    Optional<ApiKey> disableKey(String keyId);

    /**
     * Replaces the tenant's webhook signing secret; the one it replaces keeps signing alongside until
     * {@code previousUntil} (pass a past instant to drop it now). false if there is no such tenant.
     */
    boolean replaceWebhookSecret(String tenantId, String webhookSecret, Instant previousUntil);

    /** The tenant's own limits and cache setting (attributes of its item); {@code NONE} for a tenant without any. */
    TenantLimits.Overrides findLimitOverrides(String tenantId);

    /** Replaces the tenant's own limits and cache setting; a null field falls back to the deployment's default. */
    void setLimitOverrides(String tenantId, TenantLimits.Overrides overrides);
}
