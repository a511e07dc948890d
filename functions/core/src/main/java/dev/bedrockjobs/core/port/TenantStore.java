package dev.bedrockjobs.core.port;

import dev.bedrockjobs.core.domain.ApiKey;
import dev.bedrockjobs.core.domain.Tenant;

import java.util.Optional;

/** Tenants and their API keys, kept in the same table as the jobs. */
public interface TenantStore {

    Optional<ApiKey> findKey(String keyHash);

    Optional<Tenant> findTenant(String tenantId);

    /** @return false if the tenant already exists */
    boolean createTenant(Tenant tenant);

    void putKey(ApiKey key);
}
