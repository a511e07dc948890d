package dev.bedrockjobs.core.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bedrockjobs.core.domain.ApiKey;
import dev.bedrockjobs.core.domain.Tenant;
import dev.bedrockjobs.core.port.ApiKeys;
import dev.bedrockjobs.core.port.Tenants;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The API-key authorizer's decisions, over an in-memory tenant store that records what it was asked. */
class ApiKeyAuthorizerTest {
    private final Store store = new Store();
    private final ApiKeyAuthorizer authorizer = new ApiKeyAuthorizer(store, store);
    private String goodKey;

    /** Keys by hash, tenants by id, and the hashes looked up. */
    private static final class Store implements ApiKeys, Tenants {
        final Map<String, ApiKey> keys = new HashMap<>();
        final Map<String, Tenant> tenants = new HashMap<>();
        final List<String> lookups = new ArrayList<>();

        @Override
        public Optional<ApiKey> findKey(String keyHash) {
            lookups.add(keyHash);
            return Optional.ofNullable(keys.get(keyHash));
        }

        @Override
        public Optional<Tenant> findTenant(String tenantId) {
            return Optional.ofNullable(tenants.get(tenantId));
        }

        @Override
        public boolean createTenant(Tenant tenant) {
            return tenants.putIfAbsent(tenant.id(), tenant) == null;
        }

        @Override
        public void putKey(ApiKey key) {
            keys.put(key.keyHash(), key);
        }

        @Override
        public List<ApiKey> listKeys(String tenantId) {
            return List.copyOf(keys.values());
        }

        @Override
        public Optional<ApiKey> disableKey(String keyId) {
            return Optional.empty();
        }

        @Override
        public boolean replaceWebhookSecret(String tenantId, String webhookSecret, Instant previousUntil) {
            return false;
        }
    }

    @BeforeEach
    void tenantWithKey() {
        Instant now = Instant.parse("2026-11-27T10:00:00Z");
        store.createTenant(new Tenant("tenant-a", "Team A", ApiKey.newWebhookSecret(), false, now));
        goodKey = ApiKey.newSecret();
        String hash = ApiKey.hash(goodKey);
        store.putKey(new ApiKey(hash, ApiKey.idFor(hash), "tenant-a", "ci", false, now));
    }

    @Test
    void aGoodKeyResolvesToItsTenantAndKeyId() {
        var principal = authorizer.authorize("Bearer " + goodKey).orElseThrow();
        assertEquals("tenant-a", principal.tenantId());
        assertEquals(ApiKey.idFor(ApiKey.hash(goodKey)), principal.keyId());
        assertTrue(authorizer.authorize("bearer " + goodKey).isPresent(), "the scheme is case-insensitive");
        assertTrue(authorizer.authorize("  Bearer " + goodKey + " ").isPresent(), "surrounding space is trimmed");
    }

    @Test
    void anUnknownKeyIsDenied() {
        assertTrue(authorizer.authorize("Bearer " + ApiKey.newSecret()).isEmpty());
        assertEquals(1, store.lookups.size(), "looked up by hash, once");
    }

    @Test
    void aDisabledKeyIsDenied() {
        String hash = ApiKey.hash(goodKey);
        store.putKey(new ApiKey(hash, ApiKey.idFor(hash), "tenant-a", "ci", true, Instant.now()));
        assertTrue(authorizer.authorize("Bearer " + goodKey).isEmpty());
    }

    @Test
    void aKeyOfADisabledOrMissingTenantIsDenied() {
        store.tenants.put("tenant-a", new Tenant("tenant-a", "Team A", "whsec_x", true, Instant.now()));
        assertTrue(authorizer.authorize("Bearer " + goodKey).isEmpty(), "disabled tenant");
        store.tenants.clear();
        assertTrue(authorizer.authorize("Bearer " + goodKey).isEmpty(), "tenant gone");
    }

    @Test
    void malformedHeadersAreDeniedWithoutAStoreLookup() {
        String[] headers = {
            null,
            "",
            " ",
            "Bearer",
            "Bearer ",
            "Bearer  " + goodKey,
            "Bearer\t" + goodKey,
            "Basic " + goodKey,
            goodKey,
            "Token " + goodKey,
            "Bearer " + goodKey + " extra",
            "Bearer " + goodKey.substring(4),
            "Bearer bjk_",
            "Bearer bjk_12",
            "Bearer " + goodKey + "\u0000",
            "Bearer ' OR 1=1 --",
            "Bearer " + "bjk_" + "a".repeat(200),
            "Bearer " + goodKey + " ".repeat(300),
            "Bearer " + "x".repeat(1_000_000)
        };
        for (String header : headers) {
            assertTrue(
                    authorizer.authorize(header).isEmpty(),
                    () -> "accepted: " + (header == null ? null : header.substring(0, Math.min(40, header.length()))));
        }
        assertEquals(List.of(), store.lookups, "nothing malformed reaches the table");
    }

    @Test
    void aStoredRecordWhoseHashDiffersIsDenied() {
        // A store that answered a near miss (a case-folding index, a prefix match) must not let the key in: the
        // authorizer compares the stored hash with the presented key's hash itself.
        String other = ApiKey.newSecret();
        String hash = ApiKey.hash(goodKey);
        store.keys.put(
                ApiKey.hash(other), new ApiKey(hash, ApiKey.idFor(hash), "tenant-a", null, false, Instant.now()));
        assertTrue(authorizer.authorize("Bearer " + other).isEmpty());
    }

    @Test
    void hashesAreComparedInConstantTime() throws IOException {
        // Structural: the comparison is MessageDigest.isEqual over fixed-length hex digests, whose running time does
        // not depend on where the inputs differ; String.equals, which stops at the first difference, is not used.
        String hash = ApiKey.hash(goodKey);
        assertEquals(64, hash.length(), "SHA-256 hex: every compared value has the same length");
        assertTrue(ApiKey.sameHash(hash, hash));
        assertFalse(ApiKey.sameHash(hash, hash.substring(0, 63) + (hash.endsWith("0") ? "1" : "0")));
        assertFalse(ApiKey.sameHash(hash, hash.substring(0, 32)));
        String apiKeyClass = classFileText(ApiKey.class);
        assertTrue(
                apiKeyClass.contains("java/security/MessageDigest") && apiKeyClass.contains("isEqual"),
                "ApiKey.sameHash calls MessageDigest.isEqual");
        String authorizerClass = classFileText(ApiKeyAuthorizer.class);
        assertTrue(authorizerClass.contains("sameHash"), "the authorizer compares through ApiKey.sameHash");
        assertFalse(authorizerClass.contains("equalsIgnoreCase"), "no short-circuiting string comparison");
    }

    /** The class file's bytes as text: its constant pool names every method it calls. */
    private static String classFileText(Class<?> type) throws IOException {
        try (InputStream in = type.getResourceAsStream(type.getSimpleName() + ".class")) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
