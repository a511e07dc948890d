package dev.bedrockjobs.core.port;

import dev.bedrockjobs.core.domain.Tenant;
import java.time.Instant;
import java.util.Optional;

/** The tenants themselves: whether one exists and is enabled, and the secret its webhooks are signed with. */
public interface Tenants {

    Optional<Tenant> findTenant(String tenantId);

    /** @return false if the tenant already exists */
    boolean createTenant(Tenant tenant);

    /**
     * Replaces the tenant's webhook signing secret; the one it replaces keeps signing alongside until
     * {@code previousUntil} (pass a past instant to drop it now). false if there is no such tenant.
     */
    boolean replaceWebhookSecret(String tenantId, String webhookSecret, Instant previousUntil);
}
