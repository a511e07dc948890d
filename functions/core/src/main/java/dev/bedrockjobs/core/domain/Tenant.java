package dev.bedrockjobs.core.domain;

import java.time.Instant;
import java.util.regex.Pattern;

/** A customer of the deployment; its webhook secret signs every callback sent on its behalf. */
public record Tenant(String id, String name, String webhookSecret, boolean disabled, Instant createdAt) {

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
