package dev.bedrockjobs.core.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signatures. A secret is {@code whsec_<base64 key>}; a signature is {@code v1,} followed by the
 * base64 HMAC-SHA256, under the key, of {@code "{webhook-id}.{webhook-timestamp}.{body}"}. While a tenant rotates its
 * secret, every active secret signs, and the {@code webhook-signature} header carries one space-separated signature
 * per secret, so a receiver that knows any one of them verifies.
 *
 * <p>The same class verifies, for receivers and tests: the timestamp must be within a tolerance of now (replay
 * protection) and one of the header's {@code v1} signatures must match, compared in constant time.
 */
public final class WebhookSigner {
    public static final String ID_HEADER = "webhook-id";
    public static final String TIMESTAMP_HEADER = "webhook-timestamp";
    public static final String SIGNATURE_HEADER = "webhook-signature";
    public static final String SECRET_PREFIX = "whsec_";
    public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);
    /** Shorter keys are refused: the spec asks for 24 to 64 bytes, and ours are 32. */
    public static final int MIN_KEY_BYTES = 16;

    private static final String VERSION = "v1";
    private static final String HMAC = "HmacSHA256";

    private final List<byte[]> keys;

    /**
     * @param secrets the active secrets, newest first; each {@code whsec_<base64>} (the prefix may be left out)
     * @throws IllegalArgumentException if there is none, or one is not usable (the message never repeats a secret)
     */
    public WebhookSigner(List<String> secrets) {
        if (secrets == null || secrets.isEmpty()) {
            throw new IllegalArgumentException("at least one signing secret is required");
        }
        List<byte[]> decoded = new ArrayList<>(secrets.size());
        for (int i = 0; i < secrets.size(); i++) {
            decoded.add(decodeSecret(secrets.get(i), i));
        }
        this.keys = List.copyOf(decoded);
    }

    public static WebhookSigner of(String... secrets) {
        return new WebhookSigner(List.of(secrets));
    }

    /** @return the {@code webhook-signature} value: one {@code v1,<base64>} per secret, separated by spaces */
    public String sign(String msgId, long timestampSeconds, byte[] body) {
        StringBuilder header = new StringBuilder();
        for (byte[] key : keys) {
            if (header.length() > 0) {
                header.append(' ');
            }
            header.append(VERSION)
                    .append(',')
                    .append(Base64.getEncoder().encodeToString(hmac(key, msgId, timestampSeconds, body)));
        }
        return header.toString();
    }

    /** The three Standard Webhooks headers for one attempt, in a stable order. */
    public Map<String, String> headers(String msgId, long timestampSeconds, byte[] body) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put(ID_HEADER, msgId);
        h.put(TIMESTAMP_HEADER, Long.toString(timestampSeconds));
        h.put(SIGNATURE_HEADER, sign(msgId, timestampSeconds, body));
        return h;
    }

    /** Whether a received message is authentic and fresh, with the default tolerance of five minutes. */
    public boolean verify(String msgId, String timestamp, String signatureHeader, byte[] body, Instant now) {
        return whyInvalid(msgId, timestamp, signatureHeader, body, now, DEFAULT_TOLERANCE)
                .isEmpty();
    }

    /**
     * Checks a received message against every secret this signer holds.
     *
     * @return why the message is refused, or empty if one of its {@code v1} signatures matches one of the secrets
     *         and its timestamp is within {@code tolerance} of {@code now}
     */
    public Optional<String> whyInvalid(
            String msgId, String timestamp, String signatureHeader, byte[] body, Instant now, Duration tolerance) {
        if (msgId == null || msgId.isEmpty() || timestamp == null || signatureHeader == null || body == null) {
            return Optional.of("missing webhook-id, webhook-timestamp or webhook-signature");
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.trim());
        } catch (NumberFormatException e) {
            return Optional.of("webhook-timestamp is not a number of seconds");
        }
        if (Math.abs(now.getEpochSecond() - seconds) > tolerance.toSeconds()) {
            return Optional.of("webhook-timestamp is outside the tolerance of " + tolerance.toSeconds() + " s");
        }
        List<byte[]> offered = new ArrayList<>();
        for (String entry : signatureHeader.trim().split(" +")) {
            int comma = entry.indexOf(',');
            if (comma < 0 || !entry.substring(0, comma).equals(VERSION)) {
                continue; // another scheme (such as v1a) or noise: not ours to judge
            }
            try {
                offered.add(Base64.getDecoder().decode(entry.substring(comma + 1)));
            } catch (IllegalArgumentException e) {
                // not base64: cannot match
            }
        }
        if (offered.isEmpty()) {
            return Optional.of("webhook-signature has no v1 signature");
        }
        boolean match = false;
        for (byte[] key : keys) {
            byte[] expected = hmac(key, msgId, seconds, body);
            for (byte[] candidate : offered) {
                // Keep going after a match: the time taken does not depend on which pair matched.
                match |= MessageDigest.isEqual(expected, candidate);
            }
        }
        return match ? Optional.empty() : Optional.of("no signature matches");
    }

    private static byte[] hmac(byte[] key, String msgId, long timestampSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
            mac.update((msgId + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8));
            mac.update(body);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is unavailable", e);
        }
    }

    private static byte[] decodeSecret(String secret, int index) {
        if (secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("signing secret #" + index + " is empty");
        }
        String b64 = secret.startsWith(SECRET_PREFIX) ? secret.substring(SECRET_PREFIX.length()) : secret;
        byte[] key;
        try {
            key = Base64.getDecoder().decode(b64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("signing secret #" + index + " is not base64 after its whsec_ prefix");
        }
        if (key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException(
                    "signing secret #" + index + " is shorter than " + MIN_KEY_BYTES + " bytes");
        }
        return key;
    }
}
