package dev.bedrockjobs.core.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Identifiers that sort by creation time (a ULID body: 48-bit milliseconds + 80 random bits, Crockford base32),
 * so ids read in the order they were made and carry no guessable sequence.
 */
public final class Ids {
    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {}

    public static String newJobId(Instant now) {
        return "job_" + ulid(now);
    }

    public static String newBatchId(Instant now) {
        return "bat_" + ulid(now);
    }

    /**
     * The id of a batch's item: the batch's time part and a digest of (batch, index), so that finishing an
     * interrupted submission of the same batch names the same jobs instead of making duplicates.
     */
    public static String jobIdInBatch(String batchId, int index) {
        byte[] digest = sha256(batchId + "#" + index);
        char[] out = new char[26];
        batchId.getChars(4, 14, out, 0);
        long bits = 0;
        int have = 0;
        int next = 0;
        for (int i = 10; i < 26; i++) {
            if (have < 5) {
                bits = (bits << 8) | (digest[next++] & 0xFF);
                have += 8;
            }
            out[i] = ALPHABET[(int) ((bits >>> (have - 5)) & 31)];
            have -= 5;
        }
        return "job_" + new String(out);
    }

    /** A random token with no time component, for fencing tokens and secrets' suffixes. */
    public static String randomToken(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        StringBuilder sb = new StringBuilder(bytes * 2);
        for (byte x : b) {
            sb.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
        }
        return sb.toString();
    }

    /** Whether text looks like an id this service could have issued with that prefix (cheap guard before any read). */
    public static boolean isWellFormed(String id, String prefix) {
        if (id == null || id.length() != prefix.length() + 26 || !id.startsWith(prefix)) {
            return false;
        }
        for (int i = prefix.length(); i < id.length(); i++) {
            char c = id.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z' && c != 'I' && c != 'L' && c != 'O' && c != 'U'))) {
                return false;
            }
        }
        return true;
    }

    static String ulid(Instant now) {
        char[] out = new char[26];
        long time = now.toEpochMilli();
        for (int i = 9; i >= 0; i--) {
            out[i] = ALPHABET[(int) (time & 31)];
            time >>>= 5;
        }
        byte[] random = new byte[10];
        RANDOM.nextBytes(random);
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 5; i++) {
            hi = (hi << 8) | (random[i] & 0xFF);
            lo = (lo << 8) | (random[i + 5] & 0xFF);
        }
        for (int i = 17; i >= 10; i--) {
            out[i] = ALPHABET[(int) (hi & 31)];
            hi >>>= 5;
        }
        for (int i = 25; i >= 18; i--) {
            out[i] = ALPHABET[(int) (lo & 31)];
            lo >>>= 5;
        }
        return new String(out);
    }

    /** SHA-256 of a text's UTF-8 bytes: the digest behind derived ids, key hashes and request fingerprints. */
    public static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    public static String sha256Hex(String text) {
        return HexFormat.of().formatHex(sha256(text));
    }
}
