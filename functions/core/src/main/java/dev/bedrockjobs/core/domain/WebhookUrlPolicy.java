package dev.bedrockjobs.core.domain;

import java.net.IDN;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * Which callback URLs are acceptable at submit time: https only, no userinfo, and no literal address in a private,
 * loopback or link-local range. The local runtime relaxes this for loopback http receivers, behind a flag.
 */
public final class WebhookUrlPolicy {
    private final boolean allowLoopback;

    public WebhookUrlPolicy(boolean allowLoopback) {
        this.allowLoopback = allowLoopback;
    }

    /** @return why the URL is refused, or empty if it is acceptable */
    public Optional<String> check(String url) {
        if (url == null || url.isBlank()) {
            return Optional.of("a URL is required");
        }
        if (url.length() > 2048) {
            return Optional.of("must be at most 2048 characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of("is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            return Optional.of("must be an absolute URL with a host");
        }
        if (uri.getRawUserInfo() != null) {
            return Optional.of("must not carry credentials (user info)");
        }
        boolean loopbackHost = isLoopbackName(host);
        if (allowLoopback && loopbackHost && (scheme.equals("http") || scheme.equals("https"))) {
            return Optional.empty();
        }
        if (!scheme.equals("https")) {
            return Optional.of("must use https");
        }
        if (loopbackHost) {
            return Optional.of("must not point at a loopback address");
        }
        Optional<InetAddress> literal = literalAddress(host);
        if (literal.isPresent() && !isPublic(literal.get())) {
            return Optional.of("must not point at a private, loopback or link-local address");
        }
        return Optional.empty();
    }

    private static boolean isLoopbackName(String host) {
        String h = IDN.toASCII(host.replaceAll("^\\[|\\]$", ""), IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        if (h.equals("localhost") || h.endsWith(".localhost")) {
            return true;
        }
        return literalAddress(h).map(InetAddress::isLoopbackAddress).orElse(false);
    }

    /** Parses only literal IPv4/IPv6 text; never performs a DNS lookup. */
    static Optional<InetAddress> literalAddress(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        boolean ipv4 = h.matches("[0-9.]+");
        boolean ipv6 = h.contains(":") && h.matches("[0-9a-fA-F:.]+");
        if (!ipv4 && !ipv6) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(h));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    static boolean isPublic(InetAddress a) {
        return !(a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress() || isUniqueLocalV6(a));
    }

    private static boolean isUniqueLocalV6(InetAddress a) {
        byte[] b = a.getAddress();
        return b.length == 16 && (b[0] & 0xFE) == 0xFC;
    }
}
