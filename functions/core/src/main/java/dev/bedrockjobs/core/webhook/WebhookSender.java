package dev.bedrockjobs.core.webhook;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * POSTs one event, signed, and says what came of it. The HTTP client is built once: HTTP/1.1, no proxy, redirects
 * never followed (a 3xx is a failed try: following it would send the signed body to a host nobody checked), and a
 * connect timeout; each request also has an overall timeout for the response to start. The response body is never
 * read, so a receiver that trickles it cannot hold the function.
 */
public final class WebhookSender {
    public static final String USER_AGENT = "bedrock-jobs-webhooks/1";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient http;
    private final WebhookAddressGuard guard;
    private final Duration requestTimeout;
    private final Clock clock;

    public WebhookSender(WebhookAddressGuard guard, Duration connectTimeout, Duration requestTimeout, Clock clock) {
        this.guard = guard;
        this.requestTimeout = requestTimeout;
        this.clock = clock;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .proxy(HttpClient.Builder.NO_PROXY)
                .connectTimeout(connectTimeout)
                .build();
    }

    public WebhookSender(WebhookAddressGuard guard, Duration timeout) {
        this(guard, timeout, timeout, Clock.systemUTC());
    }

    /**
     * Checks the URL (DNS included) and, if it may be called, POSTs the event's body with the Standard Webhooks
     * headers for this attempt. Never throws for anything the receiver or the network does.
     *
     * @param attempt the attempt number to record
     */
    public DeliveryAttempt send(WebhookEvent event, WebhookSigner signer, int attempt) {
        Instant at = clock.instant();
        long started = System.nanoTime();
        WebhookAddressGuard.Decision decision = guard.check(event.url());
        if (decision instanceof WebhookAddressGuard.Refused r) {
            return attempt(event, attempt, at, started, null, "refused by the address guard: " + r.reason(),
                    DeliveryAttempt.Outcome.GIVE_UP, null);
        }
        if (decision instanceof WebhookAddressGuard.Unresolved u) {
            return attempt(event, attempt, at, started, null, u.reason(), DeliveryAttempt.Outcome.RETRY, null);
        }
        WebhookAddressGuard.Allowed target = (WebhookAddressGuard.Allowed) decision;
        byte[] body = event.bodyBytes();
        HttpRequest.Builder request = HttpRequest.newBuilder(target.uri())
                .timeout(requestTimeout)
                .header("content-type", "application/json")
                .header("user-agent", USER_AGENT)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (Map.Entry<String, String> h : signer.headers(event.id(), at.getEpochSecond(), body).entrySet()) {
            request.header(h.getKey(), h.getValue());
        }
        HttpResponse<InputStream> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpConnectTimeoutException e) {
            return retry(event, attempt, at, started, "connect timed out");
        } catch (HttpTimeoutException e) {
            return retry(event, attempt, at, started, "no response within " + requestTimeout.toMillis() + " ms");
        } catch (ConnectException e) {
            return retry(event, attempt, at, started, "connection failed: " + describe(e));
        } catch (SSLException e) {
            return retry(event, attempt, at, started, "TLS failed: " + describe(e));
        } catch (IOException e) {
            return retry(event, attempt, at, started, "I/O error: " + describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return retry(event, attempt, at, started, "interrupted");
        } catch (IllegalArgumentException e) {
            return attempt(event, attempt, at, started, null, "the URL cannot be requested: " + describe(e),
                    DeliveryAttempt.Outcome.GIVE_UP, null);
        }
        int status = response.statusCode();
        try (InputStream ignored = response.body()) {
            // closed unread: the status is all that counts
        } catch (IOException e) {
            // nothing to do: the status has arrived
        }
        if (status >= 200 && status < 300) {
            return attempt(event, attempt, at, started, status, null, DeliveryAttempt.Outcome.DELIVERED, null);
        }
        if (status == 410) {
            return attempt(event, attempt, at, started, status, "410 Gone: the receiver asked for no more",
                    DeliveryAttempt.Outcome.GIVE_UP, null);
        }
        String note = null;
        if (status >= 300 && status < 400) {
            note = "redirect not followed" + response.headers().firstValue("location").map(l -> " (to " + l + ")")
                    .orElse("");
        }
        Long retryAfter = null;
        if (status == 429 || status == 503) {
            retryAfter = response.headers().firstValue("retry-after").map(v -> parseRetryAfter(v, at)).orElse(null);
        }
        return attempt(event, attempt, at, started, status, truncate(note), DeliveryAttempt.Outcome.RETRY,
                retryAfter);
    }

    /**
     * A {@code Retry-After} value as seconds from {@code now}: either a number of seconds or an HTTP-date.
     *
     * @return the delay (never negative), or null if the value is neither
     */
    public static Long parseRetryAfter(String value, Instant now) {
        String v = value == null ? "" : value.trim();
        if (v.isEmpty()) {
            return null;
        }
        if (v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return v.length() > 9 ? 999_999_999L : Long.parseLong(v);
        }
        try {
            Instant when = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return Math.max(0, Duration.between(now, when).toSeconds());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private DeliveryAttempt retry(WebhookEvent event, int attempt, Instant at, long started, String error) {
        return attempt(event, attempt, at, started, null, error, DeliveryAttempt.Outcome.RETRY, null);
    }

    private static DeliveryAttempt attempt(WebhookEvent event, int attempt, Instant at, long started, Integer status,
                                           String error, DeliveryAttempt.Outcome outcome, Long retryAfter) {
        long ms = Duration.ofNanos(System.nanoTime() - started).toMillis();
        return new DeliveryAttempt(event.id(), event.type().wire(), event.url(), attempt, at, ms, status,
                truncate(error), outcome, retryAfter, null);
    }

    private static String describe(Exception e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    private static String truncate(String s) {
        return s == null || s.length() <= 500 ? s : s.substring(0, 500) + "…";
    }
}
