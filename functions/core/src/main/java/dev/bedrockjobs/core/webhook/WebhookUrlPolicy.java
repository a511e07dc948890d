package dev.bedrockjobs.core.webhook;

import java.util.Optional;

/**
 * Which callback URLs are acceptable at submit time. The address rules live in {@link WebhookAddressGuard}, which
 * checks the same URL again, with DNS, right before every delivery; here only what can be told without a lookup.
 */
public final class WebhookUrlPolicy {
    private final WebhookAddressGuard guard;

    public WebhookUrlPolicy(boolean allowLoopback) {
        this(new WebhookAddressGuard(allowLoopback));
    }

    public WebhookUrlPolicy(WebhookAddressGuard guard) {
        this.guard = guard;
    }

    /** @return why the URL is refused, or empty if it is acceptable */
    public Optional<String> check(String url) {
        if (url == null || url.isBlank()) {
            return Optional.of("a URL is required");
        }
        if (url.length() > 2048) {
            return Optional.of("must be at most 2048 characters");
        }
        return guard.precheck(url);
    }
}
