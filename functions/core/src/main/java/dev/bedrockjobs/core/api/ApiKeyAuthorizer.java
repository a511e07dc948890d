package dev.bedrockjobs.core.api;

import dev.bedrockjobs.core.domain.ApiKey;
import dev.bedrockjobs.core.port.ApiKeys;
import dev.bedrockjobs.core.port.Tenants;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Resolves {@code Authorization: Bearer <key>} to a tenant. Unknown, disabled, malformed, or a disabled tenant: deny.
 * Keys are looked up by their SHA-256 and the stored hash is compared in constant time.
 */
public final class ApiKeyAuthorizer {
    private static final Pattern BEARER = Pattern.compile("(?i)bearer ([A-Za-z0-9_-]{8,128})");
    /** Longer than any well-formed header ("Bearer " + 128 characters, with some surrounding space): not parsed. */
    static final int MAX_HEADER_LENGTH = 256;

    public record Principal(String tenantId, String keyId) {}

    private final ApiKeys keys;
    private final Tenants tenants;

    public ApiKeyAuthorizer(ApiKeys keys, Tenants tenants) {
        this.keys = keys;
        this.tenants = tenants;
    }

    public Optional<Principal> authorize(String authorizationHeader) {
        if (authorizationHeader == null || authorizationHeader.length() > MAX_HEADER_LENGTH) {
            return Optional.empty();
        }
        var m = BEARER.matcher(authorizationHeader.strip());
        if (!m.matches() || !m.group(1).startsWith(ApiKey.PREFIX)) {
            return Optional.empty();
        }
        String hash = ApiKey.hash(m.group(1));
        Optional<ApiKey> key = keys.findKey(hash);
        if (key.isEmpty()
                || !ApiKey.sameHash(key.get().keyHash(), hash)
                || key.get().disabled()) {
            return Optional.empty();
        }
        boolean tenantActive =
                tenants.findTenant(key.get().tenantId()).map(t -> !t.disabled()).orElse(false);
        return tenantActive
                ? Optional.of(new Principal(key.get().tenantId(), key.get().keyId()))
                : Optional.empty();
    }
}
