package dev.bedrockjobs.local.runtime;

import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An HTTP request as API Gateway sees it before building an event: header names lower-cased with repeated values
 * comma-joined, cookies split out of the {@code Cookie} header, query parameters decoded and comma-joined, and the
 * request id and time API Gateway stamps on every request.
 *
 * @param headers     lower-case names, without the Cookie header (payload 2.0 moves it to the cookies list)
 * @param query       decoded query parameters, repeated ones comma-joined; empty when there is no query
 */
record IncomingRequest(
        String method,
        String rawPath,
        String rawQueryString,
        Map<String, String> headers,
        List<String> cookies,
        Map<String, String> query,
        String protocol,
        String sourceIp,
        String requestId,
        Instant time) {

    /** The request-time format of API Gateway's request context, e.g. {@code 27/Nov/2026:10:15:30 +0000}. */
    static final DateTimeFormatter REQUEST_TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);

    static IncomingRequest from(HttpWire.RequestHead head, Socket connection) {
        Map<String, String> headers = new LinkedHashMap<>();
        List<String> cookies = new ArrayList<>();
        for (Map.Entry<String, String> h : head.headers()) {
            String lower = h.getKey().toLowerCase(Locale.ROOT);
            if (lower.equals("cookie")) {
                for (String c : h.getValue().split(";")) {
                    if (!c.isBlank()) {
                        cookies.add(c.strip());
                    }
                }
            } else {
                headers.merge(lower, h.getValue(), (a, b) -> a + "," + b);
            }
        }
        String sourceIp = connection.getInetAddress().getHostAddress();
        // What API Gateway adds in front of every integration.
        headers.putIfAbsent("x-forwarded-for", sourceIp);
        headers.putIfAbsent("x-forwarded-proto", "http");
        headers.putIfAbsent("x-forwarded-port", Integer.toString(connection.getLocalPort()));
        String rawQuery = head.rawQuery();
        return new IncomingRequest(
                head.method().toUpperCase(Locale.ROOT),
                head.rawPath(),
                rawQuery == null ? "" : rawQuery,
                headers,
                cookies,
                parseQuery(rawQuery),
                head.version(),
                sourceIp,
                newRequestId(),
                Instant.now());
    }

    String header(String lowerCaseName) {
        return headers.get(lowerCaseName);
    }

    String userAgent() {
        return headers.get("user-agent");
    }

    String host() {
        String host = headers.get("host");
        return host == null ? "127.0.0.1" : host;
    }

    String formattedTime() {
        return REQUEST_TIME.format(time);
    }

    static Map<String, String> parseQuery(String rawQuery) {
        Map<String, String> out = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            out.merge(name, value, (a, b) -> a + "," + b);
        }
        return out;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return s;
        }
    }

    /**
     * Shaped like API Gateway's ids (base64 of a few random bytes, e.g. {@code Kx1aBcDeIAMEaXw=}). They only need to
     * be unique, not secret, so a thread-local generator spares the hot path the shared secure one.
     */
    private static String newRequestId() {
        byte[] b = new byte[11];
        ThreadLocalRandom.current().nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }
}
