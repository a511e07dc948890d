package dev.bedrockjobs.core.webhook;

import java.net.IDN;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The one place that decides whether a webhook URL may be called: at submit time without DNS ({@link #precheck}),
 * and at delivery time with DNS ({@link #check}), where a URL is refused unless <em>every</em> address its host
 * resolves to is public. Refused: loopback, private, link-local (and the metadata service), CGNAT, "this network",
 * multicast, broadcast, reserved and documentation ranges, IPv6 loopback, unspecified, link-local, unique-local, and
 * IPv4-mapped, NAT64 and 6to4 addresses that embed a refused IPv4 address.
 *
 * <p>URL tricks: user info is refused outright ({@code https://good.example@127.0.0.1/}); a host whose last label is
 * a number is read as an IPv4 address the way resolvers and browsers read it (decimal {@code 2130706433}, hex
 * {@code 0x7f.0.0.1}, octal {@code 0177.0.0.1}, short {@code 127.1}) and refused if that address is, and refused
 * anyway unless written as a plain dotted quad; IPv6 zones and percent-encoded hosts are refused.
 *
 * <p>Only https, unless {@code allowLoopbackHttp} (the local runtime) is on: then loopback receivers are allowed too,
 * over http or https, and http only when every address is loopback.
 *
 * <p>Ports: only 443 unless the operator allows others ({@code WebhookAllowedPorts}); a loopback receiver of the
 * local runtime may use any port. A port the guard refuses is never connected to, so the delivery log cannot tell
 * an open port of some host from a closed one.
 *
 * <p>DNS rebinding: {@link WebhookSender} connects to one of the {@link Allowed#addresses} this check resolved and
 * vetted, and never resolves the host again, so a second DNS answer (a rebinding to an internal address) is never
 * used. TLS still names and verifies the host itself (SNI and the certificate's names). Redirects are never followed
 * and no proxy is used, so the checked address is the only one contacted.
 */
public final class WebhookAddressGuard {
    public static final int MAX_URL_LENGTH = 2048;

    /** Resolves a host name to its addresses; tests map names to addresses without DNS. */
    @FunctionalInterface
    public interface Resolver {
        List<InetAddress> resolve(String host) throws UnknownHostException;
    }

    /** The JVM's resolver (and its cache). */
    public static final Resolver SYSTEM_DNS = host -> List.of(InetAddress.getAllByName(host));

    /** The outcome of {@link #check}. */
    public sealed interface Decision permits Allowed, Refused, Unresolved {}

    /**
     * The URL may be called.
     *
     * @param uri       what to request: the URL with its host in ASCII, lower case, without user info or fragment
     * @param addresses every address the host resolved to; all were checked
     */
    public record Allowed(URI uri, String host, int port, List<InetAddress> addresses) implements Decision {}

    /** The URL must not be called, now or later: a retry cannot make it acceptable. */
    public record Refused(String reason) implements Decision {}

    /** The host did not resolve: possibly a passing DNS failure, so worth another try later. */
    public record Unresolved(String reason) implements Decision {}

    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern IPV6_TEXT = Pattern.compile("[0-9a-fA-F:.]+");
    private static final Pattern ENDS_IN_NUMBER = Pattern.compile("[0-9]+|0[xX][0-9a-fA-F]*");
    private static final Pattern IPV4_PART = ENDS_IN_NUMBER;

    /** The ports a receiver may listen on unless the operator allows others. */
    public static final Set<Integer> DEFAULT_PORTS = Set.of(443);

    private final boolean allowLoopbackHttp;
    private final Resolver resolver;
    private final Set<Integer> allowedPorts;

    public WebhookAddressGuard(boolean allowLoopbackHttp) {
        this(allowLoopbackHttp, SYSTEM_DNS);
    }

    public WebhookAddressGuard(boolean allowLoopbackHttp, Resolver resolver) {
        this(allowLoopbackHttp, resolver, DEFAULT_PORTS);
    }

    public WebhookAddressGuard(boolean allowLoopbackHttp, Resolver resolver, Set<Integer> allowedPorts) {
        this.allowLoopbackHttp = allowLoopbackHttp;
        this.resolver = resolver;
        this.allowedPorts = Set.copyOf(allowedPorts);
    }

    /**
     * The operator's list of allowed ports, as the {@code WebhookAllowedPorts} parameter gives it: port numbers
     * separated by commas; empty means 443 only.
     *
     * @throws IllegalArgumentException if an entry is not a port number
     */
    public static Set<Integer> parsePorts(String list) {
        if (list == null || list.isBlank()) {
            return DEFAULT_PORTS;
        }
        Set<Integer> ports = new TreeSet<>();
        for (String part : list.split(",")) {
            String p = part.trim();
            if (p.isEmpty()
                    || p.length() > 5
                    || !p.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(p) < 1
                    || Integer.parseInt(p) > 65535) {
                throw new IllegalArgumentException("not a port number: '" + p + "'");
            }
            ports.add(Integer.parseInt(p));
        }
        return ports;
    }

    public boolean allowsLoopback() {
        return allowLoopbackHttp;
    }

    /**
     * Everything that can be judged without DNS: syntax, scheme, user info, literal addresses, localhost names. For
     * submit time; a host name that passes may still be refused at delivery time.
     *
     * @return why the URL is refused, or empty if it is acceptable so far
     */
    public Optional<String> precheck(String url) {
        Parsed p;
        try {
            p = parse(url);
        } catch (RefusedException e) {
            return Optional.of(e.getMessage());
        }
        if (p.scheme.equals("http") && !allowLoopbackHttp) {
            return Optional.of("must use https");
        }
        if (!allowLoopbackHttp && !allowedPorts.contains(p.port)) {
            return Optional.of(portRefusal());
        }
        if (p.literal != null) {
            return refusal(p, List.of(p.literal));
        }
        if (isLocalhostName(p.host)) {
            return allowLoopbackHttp ? Optional.empty() : Optional.of("must not point at a loopback address");
        }
        if (p.scheme.equals("http")) {
            return Optional.of(allowLoopbackHttp ? "may use http only for a loopback receiver" : "must use https");
        }
        return Optional.empty();
    }

    /** Parses, resolves and classifies: what delivery asks right before each request. */
    public Decision check(String url) {
        Parsed p;
        try {
            p = parse(url);
        } catch (RefusedException e) {
            return new Refused(e.getMessage());
        }
        if (p.scheme.equals("http") && !allowLoopbackHttp) {
            return new Refused("must use https"); // before any DNS look-up
        }
        List<InetAddress> addresses;
        if (p.literal != null) {
            addresses = List.of(p.literal);
        } else {
            try {
                addresses = resolver.resolve(p.host);
            } catch (UnknownHostException e) {
                return new Unresolved("host " + p.host + " does not resolve");
            } catch (RuntimeException e) {
                return new Unresolved("host " + p.host + " could not be resolved: "
                        + e.getClass().getSimpleName());
            }
            if (addresses == null || addresses.isEmpty()) {
                return new Unresolved("host " + p.host + " has no addresses");
            }
        }
        Optional<String> refused = refusal(p, addresses);
        if (refused.isPresent()) {
            return new Refused(refused.get());
        }
        return new Allowed(p.uri, p.host, p.port, List.copyOf(addresses));
    }

    private Optional<String> refusal(Parsed p, List<InetAddress> addresses) {
        boolean allLoopback = true;
        for (InetAddress a : addresses) {
            boolean loopback = isLoopback(a);
            allLoopback &= loopback;
            if (loopback && allowLoopbackHttp) {
                continue;
            }
            Optional<String> why = whyNotPublic(a);
            if (why.isPresent()) {
                String shown = a.getHostAddress();
                String resolved = p.literal != null ? "points at" : "resolves to";
                return Optional.of("must not point at a non-public address: " + p.host + " " + resolved + " " + shown
                        + ", " + why.get());
            }
        }
        if (p.scheme.equals("http") && !(allowLoopbackHttp && allLoopback)) {
            return Optional.of(allowLoopbackHttp ? "may use http only for a loopback receiver" : "must use https");
        }
        if (!allowedPorts.contains(p.port) && !(allowLoopbackHttp && allLoopback)) {
            return Optional.of(portRefusal());
        }
        return Optional.empty();
    }

    private String portRefusal() {
        return "must use port "
                + allowedPorts.stream().sorted().map(String::valueOf).collect(Collectors.joining(", "))
                + " (the ports this deployment allows)";
    }

    // ---- address classification ----

    /** Loopback: 127.0.0.0/8, ::1, and IPv4-mapped loopback. */
    public static boolean isLoopback(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 4) {
            return (b[0] & 0xFF) == 127;
        }
        if (isMappedV4(b)) {
            return (b[12] & 0xFF) == 127;
        }
        return isZero(b, 0, 15) && b[15] == 1;
    }

    /** @return why the address is not a public unicast address, or empty if it is one */
    public static Optional<String> whyNotPublic(InetAddress a) {
        byte[] b = a.getAddress();
        return b.length == 4 ? whyNotPublicV4(b) : whyNotPublicV6(b);
    }

    @SuppressWarnings("ArrayRecordComponent") // private constants, never compared or hashed: only contains() reads it
    private record Range(int[] prefix, int bits, String name) {
        boolean contains(byte[] b, int offset) {
            int whole = bits / 8;
            for (int i = 0; i < whole; i++) {
                if ((b[offset + i] & 0xFF) != prefix[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return ((b[offset + whole] & 0xFF) & mask) == (prefix[whole] & mask);
        }
    }

    private static Range v4(int a, int b, int c, int d, int bits, String name) {
        return new Range(new int[] {a, b, c, d}, bits, name);
    }

    /** Most specific first, so the metadata address reads as such rather than as link-local. */
    private static final List<Range> V4_REFUSED = List.of(
            v4(0, 0, 0, 0, 8, "'this network' (0.0.0.0/8)"),
            v4(10, 0, 0, 0, 8, "private (10.0.0.0/8)"),
            v4(100, 64, 0, 0, 10, "shared/CGNAT (100.64.0.0/10)"),
            v4(127, 0, 0, 0, 8, "loopback (127.0.0.0/8)"),
            v4(169, 254, 169, 254, 32, "the cloud metadata service (169.254.169.254)"),
            v4(169, 254, 0, 0, 16, "link-local (169.254.0.0/16)"),
            v4(172, 16, 0, 0, 12, "private (172.16.0.0/12)"),
            v4(192, 0, 0, 0, 24, "IETF protocol assignments (192.0.0.0/24)"),
            v4(192, 0, 2, 0, 24, "documentation (192.0.2.0/24)"),
            v4(192, 88, 99, 0, 24, "6to4 relay anycast (192.88.99.0/24)"),
            v4(192, 168, 0, 0, 16, "private (192.168.0.0/16)"),
            v4(198, 18, 0, 0, 15, "benchmarking (198.18.0.0/15)"),
            v4(198, 51, 100, 0, 24, "documentation (198.51.100.0/24)"),
            v4(203, 0, 113, 0, 24, "documentation (203.0.113.0/24)"),
            v4(224, 0, 0, 0, 4, "multicast (224.0.0.0/4)"),
            v4(255, 255, 255, 255, 32, "broadcast (255.255.255.255)"),
            v4(240, 0, 0, 0, 4, "reserved (240.0.0.0/4)"));

    private static Optional<String> whyNotPublicV4(byte[] b) {
        for (Range r : V4_REFUSED) {
            if (r.contains(b, 0)) {
                return Optional.of(r.name());
            }
        }
        return Optional.empty();
    }

    private static Range v6(int bits, String name, int... prefix) {
        return new Range(prefix, bits, name);
    }

    private static final List<Range> V6_REFUSED = List.of(
            v6(48, "local-use NAT64 (64:ff9b:1::/48)", 0x00, 0x64, 0xff, 0x9b, 0x00, 0x01),
            v6(64, "discard-only (100::/64)", 0x01, 0x00, 0, 0, 0, 0, 0, 0),
            v6(7, "unique-local (fc00::/7)", 0xfc),
            v6(10, "link-local (fe80::/10)", 0xfe, 0x80),
            v6(10, "site-local (fec0::/10)", 0xfe, 0xc0),
            v6(8, "multicast (ff00::/8)", 0xff),
            v6(32, "documentation (2001:db8::/32)", 0x20, 0x01, 0x0d, 0xb8),
            v6(23, "IETF protocol assignments, Teredo included (2001::/23)", 0x20, 0x01, 0x00),
            v6(20, "documentation (3fff::/20)", 0x3f, 0xff, 0x00));

    private static final Range NAT64 = v6(96, "NAT64", 0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0);
    private static final Range SIX_TO_FOUR = v6(16, "6to4", 0x20, 0x02);
    private static final Range GLOBAL_UNICAST = v6(3, "global unicast", 0x20);

    private static Optional<String> whyNotPublicV6(byte[] b) {
        if (isZero(b, 0, 16)) {
            return Optional.of("unspecified (::)");
        }
        if (isZero(b, 0, 15) && b[15] == 1) {
            return Optional.of("loopback (::1)");
        }
        if (isMappedV4(b)) {
            return embedded("IPv4-mapped (::ffff:0:0/96)", b, 12);
        }
        if (isZero(b, 0, 12)) {
            return Optional.of("IPv4-compatible, deprecated (::/96)");
        }
        if (NAT64.contains(b, 0)) {
            return embedded("NAT64 (64:ff9b::/96)", b, 12);
        }
        for (Range r : V6_REFUSED) {
            if (r.contains(b, 0)) {
                return Optional.of(r.name());
            }
        }
        if (SIX_TO_FOUR.contains(b, 0)) {
            return embedded("6to4 (2002::/16)", b, 2);
        }
        if (!GLOBAL_UNICAST.contains(b, 0)) {
            return Optional.of("not global unicast (outside 2000::/3)");
        }
        return Optional.empty();
    }

    private static Optional<String> embedded(String kind, byte[] b, int offset) {
        byte[] v4 = {b[offset], b[offset + 1], b[offset + 2], b[offset + 3]};
        return whyNotPublicV4(v4)
                .map(why -> kind + " of " + (v4[0] & 0xFF) + "." + (v4[1] & 0xFF) + "." + (v4[2] & 0xFF) + "."
                        + (v4[3] & 0xFF) + ", " + why);
    }

    private static boolean isMappedV4(byte[] b) {
        return b.length == 16 && isZero(b, 0, 10) && (b[10] & 0xFF) == 0xFF && (b[11] & 0xFF) == 0xFF;
    }

    private static boolean isZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    // ---- URL parsing ----

    private static boolean isLocalhostName(String host) {
        return host.equals("localhost") || host.endsWith(".localhost");
    }

    /** A parsed URL: host in ASCII lower case (IPv6 without brackets), its literal address if it is one. */
    private record Parsed(String scheme, String host, InetAddress literal, int port, URI uri) {}

    private static final class RefusedException extends Exception {
        RefusedException(String reason) {
            super(reason, null, false, false);
        }
    }

    private static Parsed parse(String url) throws RefusedException {
        if (url == null || url.isBlank()) {
            throw new RefusedException("a URL is required");
        }
        if (url.length() > MAX_URL_LENGTH) {
            throw new RefusedException("must be at most " + MAX_URL_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new RefusedException("is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new RefusedException("must use https");
        }
        String authority = uri.getRawAuthority();
        if (uri.isOpaque() || authority == null || authority.isEmpty()) {
            throw new RefusedException("must be an absolute URL with a host");
        }
        if (authority.indexOf('@') >= 0) {
            throw new RefusedException("must not carry credentials (user info)");
        }
        String hostText;
        String portText;
        boolean bracketed = authority.startsWith("[");
        if (bracketed) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw new RefusedException("is not a valid URL");
            }
            hostText = authority.substring(1, close);
            String rest = authority.substring(close + 1);
            if (!rest.isEmpty() && !rest.startsWith(":")) {
                throw new RefusedException("is not a valid URL");
            }
            portText = rest.isEmpty() ? "" : rest.substring(1);
        } else {
            int colon = authority.lastIndexOf(':');
            hostText = colon < 0 ? authority : authority.substring(0, colon);
            portText = colon < 0 ? "" : authority.substring(colon + 1);
        }
        int port = port(portText, scheme);
        if (hostText.isEmpty()) {
            throw new RefusedException("must be an absolute URL with a host");
        }
        String host;
        InetAddress literal;
        if (bracketed) {
            if (hostText.indexOf('%') >= 0) {
                throw new RefusedException("must not carry an IPv6 zone");
            }
            if (!IPV6_TEXT.matcher(hostText).matches() || !hostText.contains(":")) {
                throw new RefusedException("has an invalid IPv6 address");
            }
            try {
                literal = InetAddress.getByName(hostText); // a literal: no lookup
            } catch (UnknownHostException e) {
                throw new RefusedException("has an invalid IPv6 address");
            }
            host = hostText.toLowerCase(Locale.ROOT);
        } else {
            if (hostText.indexOf('%') >= 0) {
                throw new RefusedException("must not percent-encode its host");
            }
            String h = hostText.endsWith(".") ? hostText.substring(0, hostText.length() - 1) : hostText;
            try {
                h = IDN.toASCII(h, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
            } catch (IllegalArgumentException e) {
                throw new RefusedException("has an invalid host name");
            }
            String[] labels = h.split("\\.", -1);
            String last = labels[labels.length - 1];
            if (ENDS_IN_NUMBER.matcher(last).matches()) {
                byte[] v4 = ipv4(labels);
                literal = v4Address(v4);
                String dotted = literal.getHostAddress();
                if (!dotted.equals(h)) {
                    Optional<String> why = whyNotPublicV4(v4);
                    throw new RefusedException(
                            why.isPresent()
                                    ? "must not point at a non-public address: " + hostText + " is " + dotted + ", "
                                            + why.get()
                                    : "must write an IPv4 address as a plain dotted quad (" + dotted + "), not "
                                            + hostText);
                }
                host = dotted;
            } else {
                if (h.length() > 253) {
                    throw new RefusedException("has an invalid host name");
                }
                for (String label : labels) {
                    if (!NAME.matcher(label).matches()) {
                        throw new RefusedException("has an invalid host name");
                    }
                }
                literal = null;
                host = h;
            }
        }
        String hostInUri = bracketed ? "[" + host + "]" : host;
        StringBuilder target = new StringBuilder(scheme).append("://").append(hostInUri);
        if (!portText.isEmpty()) {
            target.append(':').append(port);
        }
        String path = uri.getRawPath();
        target.append(path == null || path.isEmpty() ? "/" : path);
        if (uri.getRawQuery() != null) {
            target.append('?').append(uri.getRawQuery());
        }
        URI connect;
        try {
            connect = new URI(target.toString());
        } catch (URISyntaxException e) {
            throw new RefusedException("is not a valid URL");
        }
        if (connect.getHost() == null) {
            throw new RefusedException("has an invalid host name");
        }
        return new Parsed(scheme, host, literal, port, connect);
    }

    private static int port(String text, String scheme) throws RefusedException {
        if (text.isEmpty()) {
            return scheme.equals("https") ? 443 : 80;
        }
        if (text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new RefusedException("has an invalid port");
        }
        int port = Integer.parseInt(text);
        if (port < 1 || port > 65535) {
            throw new RefusedException("has an invalid port");
        }
        return port;
    }

    /**
     * Reads a host that ends in a number as IPv4, the way inet_aton and the WHATWG URL standard do: one to four
     * parts, each decimal, octal (leading 0) or hex (0x), the last filling the remaining bytes.
     */
    private static byte[] ipv4(String[] labels) throws RefusedException {
        if (labels.length > 4) {
            throw new RefusedException("has an invalid IPv4 address");
        }
        long[] parts = new long[labels.length];
        for (int i = 0; i < labels.length; i++) {
            parts[i] = ipv4Part(labels[i]);
        }
        for (int i = 0; i < parts.length - 1; i++) {
            if (parts[i] > 255) {
                throw new RefusedException("has an invalid IPv4 address");
            }
        }
        long last = parts[parts.length - 1];
        if (last >= 1L << (8 * (5 - parts.length))) {
            throw new RefusedException("has an invalid IPv4 address");
        }
        long value = last;
        for (int i = 0; i < parts.length - 1; i++) {
            value += parts[i] << (8 * (3 - i));
        }
        return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    }

    private static long ipv4Part(String part) throws RefusedException {
        if (part.isEmpty() || part.length() > 12 || !IPV4_PART.matcher(part).matches()) {
            throw new RefusedException("has an invalid IPv4 address");
        }
        int radix = 10;
        String digits = part;
        if (part.startsWith("0x") || part.startsWith("0X")) {
            radix = 16;
            digits = part.substring(2);
            if (digits.isEmpty()) {
                return 0;
            }
        } else if (part.length() > 1 && part.startsWith("0")) {
            radix = 8;
            digits = part.substring(1);
        }
        try {
            return Long.parseLong(digits, radix);
        } catch (NumberFormatException e) {
            throw new RefusedException("has an invalid IPv4 address");
        }
    }

    private static InetAddress v4Address(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an address
        }
    }
}
