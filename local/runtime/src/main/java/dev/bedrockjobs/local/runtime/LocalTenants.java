package dev.bedrockjobs.local.runtime;

import dev.bedrockjobs.core.adapter.DynamoApiKeys;
import dev.bedrockjobs.core.domain.ApiKey;
import dev.bedrockjobs.core.domain.Tenant;
import dev.bedrockjobs.core.domain.TenantLimits;
import dev.bedrockjobs.core.port.ApiKeys;
import dev.bedrockjobs.core.port.TenantLimitOverrides;
import dev.bedrockjobs.core.port.Tenants;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Tenants and API keys of the local stack, written with the same adapters ({@link DynamoApiKeys} and the others) the authorizer reads, so
 * a key made here is checked exactly as it would be in AWS.
 *
 * <p>The dev tenant's key comes from {@code BEDROCK_JOBS_API_KEY} when set, else from {@code <data>/dev-api-key}, else
 * is generated and stored there; only its hash goes to the table. Its webhook secret lives in the tenant item (what
 * signs webhooks) and is mirrored to {@code <data>/dev-webhook-secret} for receivers to verify with.
 */
final class LocalTenants {
    static final String DEV_TENANT = "dev";
    static final String API_KEY_ENV = "BEDROCK_JOBS_API_KEY";
    private static final Logger LOG = Logger.getLogger(LocalTenants.class.getName());

    private final ApiKeys keys;
    private final Tenants tenants;
    private final TenantLimitOverrides limitOverrides;
    private final Clock clock;

    LocalTenants(ApiKeys keys, Tenants tenants, TenantLimitOverrides limitOverrides, Clock clock) {
        this.keys = keys;
        this.tenants = tenants;
        this.limitOverrides = limitOverrides;
        this.clock = clock;
    }

    /** Makes sure the dev tenant and its key exist; returns the key's secret. */
    String ensureDevTenant(DataDirectory data, String keyFromEnvironment) {
        String secret = data.read(DataDirectory.DEV_WEBHOOK_SECRET).orElseGet(ApiKey::newWebhookSecret);
        Instant now = clock.instant();
        if (!tenants.createTenant(new Tenant(DEV_TENANT, "Local development", secret, false, now))) {
            // The table is what signs webhooks: after a restart its secret wins over a file edited or lost since.
            secret = tenants.findTenant(DEV_TENANT).map(Tenant::webhookSecret).orElse(secret);
        }
        if (!data.read(DataDirectory.DEV_WEBHOOK_SECRET).equals(Optional.of(secret))) {
            data.writeSecret(DataDirectory.DEV_WEBHOOK_SECRET, secret);
        }

        String key;
        if (keyFromEnvironment != null && !keyFromEnvironment.isBlank()) {
            key = keyFromEnvironment.strip();
            requireWellFormed(key);
        } else {
            Optional<String> stored = data.read(DataDirectory.DEV_API_KEY);
            key = stored.orElseGet(ApiKey::newSecret);
            if (stored.isEmpty()) {
                data.writeSecret(DataDirectory.DEV_API_KEY, key);
                LOG.info(
                        "generated the dev API key " + key + " (kept in " + data.file(DataDirectory.DEV_API_KEY) + ")");
            }
        }
        putKey(DEV_TENANT, key, "dev", now);
        return key;
    }

    /** Creates a tenant (if new) with a fresh API key; returns the key's secret, shown only now. */
    String createTenant(String tenantId) {
        Instant now = clock.instant();
        tenants.createTenant(new Tenant(tenantId, tenantId, ApiKey.newWebhookSecret(), false, now));
        String key = ApiKey.newSecret();
        putKey(tenantId, key, "local", now);
        return key;
    }

    void setLimits(String tenantId, TenantLimits.Overrides overrides) {
        limitOverrides.setLimitOverrides(tenantId, overrides);
    }

    private void putKey(String tenantId, String key, String name, Instant now) {
        String hash = ApiKey.hash(key);
        keys.putKey(new ApiKey(hash, ApiKey.idFor(hash), tenantId, name, false, now));
    }

    private static void requireWellFormed(String key) {
        if (!key.startsWith(ApiKey.PREFIX) || !key.matches("[A-Za-z0-9_-]{8,128}")) {
            throw new IllegalArgumentException(API_KEY_ENV + " must look like an API key: '" + ApiKey.PREFIX
                    + "' followed by letters, digits, '_' or '-' (8 to 128 characters in all)");
        }
    }
}
