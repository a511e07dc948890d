package dev.bedrockjobs.core.port;

import dev.bedrockjobs.core.domain.ApiKey;
import dev.bedrockjobs.core.domain.Tenant;
import dev.bedrockjobs.core.domain.TenantLimits;

import java.util.Optional;

/** Tenants and their API keys, kept in the same table as the jobs. */
public interface TenantStore {

    Optional<ApiKey> findKey(String keyHash);

    Optional<Tenant> findTenant(String tenantId);

    /** @return false if the tenant already exists */
    boolean createTenant(Tenant tenant);

    void putKey(ApiKey key);

    /** The tenant's own limits and cache setting (attributes of its item); {@code NONE} for a tenant without any. */
    TenantLimits.Overrides findLimitOverrides(String tenantId);

    /** Replaces the tenant's own limits and cache setting; a null field falls back to the deployment's default. */
    void setLimitOverrides(String tenantId, TenantLimits.Overrides overrides);
}
