package dev.bedrockjobs.core.webhook;

import dev.bedrockjobs.core.domain.DeliveryAttempt;
import dev.bedrockjobs.core.domain.PrintableText;
import dev.bedrockjobs.core.domain.WebhookEvent;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Logger;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;

/**
 * POSTs one event, signed, and says what came of it. The request goes to an address the guard has just vetted
 * ({@link PinnedPost}): HTTP/1.1, no proxy, redirects never followed (a 3xx is a failed try: following it would
 * send the signed body to a host nobody checked), a connect timeout and a deadline for the response head. The
 * response body is never read.
 *
 * <p>What is recorded is a {@link DeliveryAttempt.Failure} category, never an exception's text or a header of the
 * receiver's; those details go to the log only, stripped of anything non-printable ({@link PrintableText}).
 */
public final class WebhookSender {
    private static final Logger LOG = Logger.getLogger(WebhookSender.class.getName());
    public static final String USER_AGENT = "bedrock-jobs-webhooks/1";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final int DETAIL_CHARS = 300;

    private final PinnedPost http;
    private final WebhookAddressGuard guard;
    private final Clock clock;

    /** @param tls the TLS sockets to use: the JDK's default (its trusted roots) outside tests */
    public WebhookSender(
            WebhookAddressGuard guard,
            Duration connectTimeout,
            Duration requestTimeout,
            Clock clock,
            SSLSocketFactory tls) {
        this.guard = guard;
        this.clock = clock;
        this.http = new PinnedPost(tls, connectTimeout, requestTimeout);
    }

    public WebhookSender(WebhookAddressGuard guard, Duration connectTimeout, Duration requestTimeout, Clock clock) {
        this(guard, connectTimeout, requestTimeout, clock, (SSLSocketFactory) SSLSocketFactory.getDefault());
    }

    public WebhookSender(WebhookAddressGuard guard, Duration timeout) {
        this(guard, timeout, timeout, Clock.systemUTC());
    }

    /**
     * Checks the URL (DNS included) and, if it may be called, POSTs the event's body with the Standard Webhooks
     * headers for this attempt to an address that check vetted. Never throws for anything the receiver or the
     * network does.
     *
     * @param attempt the attempt number to record
     */
    public DeliveryAttempt send(WebhookEvent event, WebhookSigner signer, int attempt) {
        Instant at = clock.instant();
        long started = System.nanoTime();
        WebhookAddressGuard.Decision decision = guard.check(event.url());
        if (decision instanceof WebhookAddressGuard.Refused r) {
            detail(event, attempt, "refused by the address guard: " + r.reason());
            return attempt(
                    event,
                    attempt,
                    at,
                    started,
                    null,
                    DeliveryAttempt.Failure.REFUSED_ADDRESS,
                    DeliveryAttempt.Outcome.GIVE_UP,
                    null);
        }
        if (decision instanceof WebhookAddressGuard.Unresolved u) {
            detail(event, attempt, u.reason());
            return retry(event, attempt, at, started, DeliveryAttempt.Failure.UNRESOLVED);
        }
        WebhookAddressGuard.Allowed target = (WebhookAddressGuard.Allowed) decision;
        byte[] body = event.bodyBytes();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-type", "application/json");
        headers.put("user-agent", USER_AGENT);
        headers.putAll(signer.headers(event.id(), at.getEpochSecond(), body));
        PinnedPost.Response response;
        try {
            response = http.post(target, headers, body);
        } catch (SocketTimeoutException e) {
            detail(event, attempt, "timed out: " + e.getMessage());
            return retry(event, attempt, at, started, DeliveryAttempt.Failure.TIMEOUT);
        } catch (SSLException e) {
            detail(event, attempt, "TLS failed: " + e.getMessage());
            return retry(event, attempt, at, started, DeliveryAttempt.Failure.TLS_ERROR);
        } catch (IOException | RuntimeException e) {
            detail(event, attempt, "connection failed: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return retry(event, attempt, at, started, DeliveryAttempt.Failure.CONNECTION_FAILED);
        }
        int status = response.status();
        if (status >= 200 && status < 300) {
            return attempt(event, attempt, at, started, status, null, DeliveryAttempt.Outcome.DELIVERED, null);
        }
        if (status == 410) {
            return attempt(
                    event,
                    attempt,
                    at,
                    started,
                    status,
                    DeliveryAttempt.Failure.HTTP_ERROR,
                    DeliveryAttempt.Outcome.GIVE_UP,
                    null);
        }
        if (status >= 300 && status < 400) {
            detail(event, attempt, "redirect not followed (to " + response.header("location") + ")");
        }
        Long retryAfter = null;
        if ((status == 429 || status == 503) && response.header("retry-after") != null) {
            retryAfter = parseRetryAfter(response.header("retry-after"), at);
        }
        return attempt(
                event,
                attempt,
                at,
                started,
                status,
                DeliveryAttempt.Failure.HTTP_ERROR,
                DeliveryAttempt.Outcome.RETRY,
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
            Instant when =
                    ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return Math.max(0, Duration.between(now, when).toSeconds());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static DeliveryAttempt retry(
            WebhookEvent event, int attempt, Instant at, long started, DeliveryAttempt.Failure failure) {
        return attempt(event, attempt, at, started, null, failure, DeliveryAttempt.Outcome.RETRY, null);
    }

    private static DeliveryAttempt attempt(
            WebhookEvent event,
            int attempt,
            Instant at,
            long started,
            Integer status,
            DeliveryAttempt.Failure failure,
            DeliveryAttempt.Outcome outcome,
            Long retryAfter) {
        long ms = Duration.ofNanos(System.nanoTime() - started).toMillis();
        return new DeliveryAttempt(
                event.id(),
                event.type().wire(),
                event.url(),
                attempt,
                at,
                ms,
                status,
                failure == null ? null : failure.wire(),
                outcome,
                retryAfter,
                null);
    }

    /** What only the operator sees: the log line, with the receiver's bytes made printable and short. */
    private static void detail(WebhookEvent event, int attempt, String text) {
        LOG.info("webhook " + event.id() + " attempt " + attempt + ": " + PrintableText.strip(text, DETAIL_CHARS));
    }
}
