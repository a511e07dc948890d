package dev.bedrockjobs.core.admin;

import dev.bedrockjobs.core.domain.ApiKey;
import dev.bedrockjobs.core.domain.Tenant;
import dev.bedrockjobs.core.port.ApiKeys;
import dev.bedrockjobs.core.port.Tenants;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What an operator does with tenants and API keys, without the AWS console: create a key (and its tenant on first
 * use), list keys, disable one, rotate a tenant's webhook secret. Secrets are returned only by the call that makes
 * them; the table keeps the key's SHA-256 only.
 */
public final class KeyAdmin {
    public static final int MAX_NAME_LENGTH = 100;

    /**
     * A key just made. {@code webhookSecret} is set only when this call created the tenant: an existing tenant's
     * secret is never shown again (rotate it instead).
     */
    public record CreatedKey(String tenantId, String keyId, String secret, String webhookSecret) {
        public boolean tenantCreated() {
            return webhookSecret != null;
        }
    }

    private final ApiKeys keys;
    private final Tenants tenants;
    private final Clock clock;

    public KeyAdmin(ApiKeys keys, Tenants tenants, Clock clock) {
        this.keys = keys;
        this.tenants = tenants;
        this.clock = clock;
    }

    public CreatedKey create(String tenantId, String name) {
        requireTenantId(tenantId);
        if (name != null && (name.isBlank() || name.length() > MAX_NAME_LENGTH)) {
            throw new IllegalArgumentException("--name must be 1 to " + MAX_NAME_LENGTH + " characters");
        }
        Instant now = clock.instant();
        String webhookSecret = ApiKey.newWebhookSecret();
        boolean created = tenants.createTenant(new Tenant(tenantId, tenantId, webhookSecret, false, now));
        String secret = ApiKey.newSecret();
        String hash = ApiKey.hash(secret);
        ApiKey key = new ApiKey(hash, ApiKey.idFor(hash), tenantId, name, false, now);
        keys.putKey(key);
        return new CreatedKey(tenantId, key.keyId(), secret, created ? webhookSecret : null);
    }

    public List<ApiKey> list(String tenantId) {
        if (tenantId != null) {
            requireTenantId(tenantId);
        }
        return keys.listKeys(tenantId);
    }

    /** @return the key as it now is, or empty if there is no key with that id */
    public Optional<ApiKey> disable(String keyId) {
        if (keyId == null || !keyId.matches("key_[0-9a-f]{12}")) {
            // not echoed: what was typed may be the secret key itself
            throw new IllegalArgumentException("a key id is key_ followed by 12 hex digits (see 'admin keys list'); "
                    + (keyId != null && keyId.startsWith(ApiKey.PREFIX)
                            ? "that was an API key, not its id"
                            : "that was not one"));
        }
        return keys.disableKey(keyId);
    }

    /** How long a replaced webhook secret keeps signing unless the operator says otherwise. */
    public static final Duration DEFAULT_SECRET_GRACE = Duration.ofHours(24);
    /** The longest an operator may keep a replaced secret signing. */
    public static final Duration MAX_SECRET_GRACE = Duration.ofDays(30);

    /**
     * Gives the tenant a new webhook secret; the replaced one keeps signing beside it for {@code grace} (zero: not at
     * all), so a receiver still holding it verifies every event until it has deployed the new one.
     *
     * @return the new secret, or empty if there is no such tenant
     */
    public Optional<String> rotateWebhookSecret(String tenantId, Duration grace) {
        requireTenantId(tenantId);
        if (grace.isNegative() || grace.compareTo(MAX_SECRET_GRACE) > 0) {
            throw new IllegalArgumentException(
                    "the grace period is 0 to " + MAX_SECRET_GRACE.toHours() + " hours, not " + grace.toHours());
        }
        String secret = ApiKey.newWebhookSecret();
        return tenants.replaceWebhookSecret(tenantId, secret, clock.instant().plus(grace))
                ? Optional.of(secret)
                : Optional.empty();
    }

    static void requireTenantId(String tenantId) {
        if (!Tenant.isValidId(tenantId)) {
            throw new IllegalArgumentException("a tenant id is 1 to 128 letters, digits, '.', '_', '@', ':' or '-', "
                    + "starting with a letter or digit, not '" + tenantId + "'");
        }
    }
}
