package dev.bedrockjobs.core.domain;

import java.time.Instant;

/** A customer of the deployment; its webhook secret signs every callback sent on its behalf. */
public record Tenant(String id, String name, String webhookSecret, boolean disabled, Instant createdAt) {
}
