package dev.bedrockjobs.core.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;

/** An API key as stored: only the SHA-256 of the secret, never the secret itself. */
public record ApiKey(String keyHash, String keyId, String tenantId, String name, boolean disabled, Instant createdAt) {

    public static final String PREFIX = "bjk_";

    /** A new secret key: prefix + 32 random bytes, URL-safe base64. Shown once, then only its hash is kept. */
    public static String newSecret() {
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(32));
    }

    public static String newWebhookSecret() {
        return "whsec_" + Base64.getEncoder().encodeToString(randomBytes(32));
    }

    /** The public id of a key: derived from its hash, so registering the same secret again keeps one id. */
    public static String idFor(String keyHash) {
        return "key_" + keyHash.substring(0, 12);
    }

    public static String hash(String secret) {
        return Ids.sha256Hex(secret);
    }

    /** Constant-time comparison of two hex hashes, so response timing does not reveal how much matched. */
    public static boolean sameHash(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new java.security.SecureRandom().nextBytes(b);
        return b;
    }
}
