package dev.bedrockjobs.core.port;

import dev.bedrockjobs.core.domain.TenantLimits;

/** A tenant's own limits and cache setting, each one in place of the deployment's default. */
public interface TenantLimitOverrides {

    /** {@code NONE} for a tenant without any, or for no such tenant. */
    TenantLimits.Overrides findLimitOverrides(String tenantId);

    /** Replaces the tenant's own settings; a null field falls back to the deployment's default. */
    void setLimitOverrides(String tenantId, TenantLimits.Overrides overrides);
}
