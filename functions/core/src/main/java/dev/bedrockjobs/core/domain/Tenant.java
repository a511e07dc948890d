package dev.bedrockjobs.core.domain;

import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A customer of the deployment; its webhook secret signs every callback sent on its behalf. Right after a rotation
 * the secret it replaced signs too, until {@code previousSecretUntil}, so that receivers keep verifying while they
 * change to the new one.
 *
 * @param previousWebhookSecret the secret before the last rotation, or null
 * @param previousSecretUntil   when the previous secret stops signing, or null
 */
public record Tenant(
        String id,
        String name,
        String webhookSecret,
        boolean disabled,
        Instant createdAt,
        String previousWebhookSecret,
        Instant previousSecretUntil) {

    public Tenant(String id, String name, String webhookSecret, boolean disabled, Instant createdAt) {
        this(id, name, webhookSecret, disabled, createdAt, null, null);
    }

    /** The secrets that sign at {@code now}, newest first: each request carries one signature per secret. */
    public List<String> signingSecrets(Instant now) {
        if (webhookSecret == null) {
            return List.of();
        }
        if (previousWebhookSecret != null && previousSecretUntil != null && now.isBefore(previousSecretUntil)) {
            return List.of(webhookSecret, previousWebhookSecret);
        }
        return List.of(webhookSecret);
    }

    /**
     * What a tenant id may be, whether an operator names it or an identity provider's claim carries it: letters,
     * digits, '.', '_', '@', ':' and '-', up to 128. Never '#', the separator of the table's composite keys (a
     * tenant "a#b" could otherwise read tenant "a"'s idempotency key "b#...").
     */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@:-]{0,127}");

    public static boolean isValidId(String id) {
        return id != null && ID.matcher(id).matches();
    }
}
