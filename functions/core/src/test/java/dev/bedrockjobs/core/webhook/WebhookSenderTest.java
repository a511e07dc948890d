package dev.bedrockjobs.core.webhook;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.domain.ApiKey;
import dev.bedrockjobs.core.domain.DeliveryAttempt;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.domain.WebhookEvent;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The sender against a real HTTP receiver on 127.0.0.1 (loopback allowed, as in the local runtime). */
class WebhookSenderTest {
    private static final Instant FIXED = Instant.parse("2026-11-27T10:00:00Z");
    private static Receiver receiver;
    private static final String SECRET = ApiKey.newWebhookSecret();
    private static final WebhookSigner SIGNER = WebhookSigner.of(SECRET);
    private static final WebhookAddressGuard.Resolver NO_DNS = host -> {
        throw new UnknownHostException(host);
    };
    private static final WebhookSender SENDER = new WebhookSender(
            new WebhookAddressGuard(true, NO_DNS), Duration.ofSeconds(2), Duration.ofMillis(400), Clock.systemUTC());

    @BeforeAll
    static void start() throws Exception {
        String retryDate = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                FIXED.plusSeconds(300).atZone(ZoneOffset.UTC));
        receiver = new Receiver()
                .route("/ok", Receiver.status(204))
                .route("/fail", Receiver.status(500))
                .route("/redirect", (exchange, n) -> Receiver.send(exchange, 302, "Location", receiver.url("/target")))
                .route("/target", Receiver.status(200))
                .route("/gone", Receiver.status(410))
                .route("/busy", Receiver.status(429, "Retry-After", "120"))
                .route("/unavailable", Receiver.status(503, "Retry-After", retryDate))
                .route("/unavailable-no-hint", Receiver.status(503));
        receiver.route("/hang", receiver.hang());
    }

    @AfterAll
    static void stop() {
        receiver.close();
    }

    private static WebhookEvent event(String path) {
        ObjectNode data =
                Json.object().put("id", "job_01KABCDEFGHJKMNPQRSTVWXYZ0").put("status", "succeeded");
        data.putObject("result").put("text", "naïve — ok");
        return WebhookEvent.of(
                WebhookEvent.Type.JOB_SUCCEEDED,
                "tenant-a",
                receiver.url(path),
                Instant.parse("2026-11-27T09:59:00Z"),
                data);
    }

    @Test
    void a2xxIsDeliveredSignedWithTheExactBody() {
        WebhookEvent e = event("/ok");
        DeliveryAttempt a = SENDER.send(e, SIGNER, 3);
        assertEquals(DeliveryAttempt.Outcome.DELIVERED, a.outcome());
        assertEquals(204, a.httpStatus());
        assertNull(a.error());
        assertEquals(3, a.attempt());
        assertEquals(e.id(), a.eventId());
        assertEquals("job.succeeded", a.eventType());
        assertTrue(a.durationMs() >= 0);
        Receiver.Request r = receiver.requestsTo("/ok").get(0);
        assertArrayEquals(e.bodyBytes(), r.body());
        assertEquals("application/json", r.header("content-type"));
        assertEquals("bedrock-jobs-webhooks/1", r.header("user-agent"));
        assertEquals(e.id(), r.header("webhook-id"));
        assertEquals(Long.toString(a.at().getEpochSecond()), r.header("webhook-timestamp"));
        assertTrue(WebhookSigner.of(SECRET)
                .verify(
                        r.header("webhook-id"),
                        r.header("webhook-timestamp"),
                        r.header("webhook-signature"),
                        r.body(),
                        Instant.now()));
    }

    @Test
    void a5xxIsRetried() {
        DeliveryAttempt a = SENDER.send(event("/fail"), SIGNER, 1);
        assertEquals(DeliveryAttempt.Outcome.RETRY, a.outcome());
        assertEquals(500, a.httpStatus());
        assertNull(a.retryAfterSeconds());
    }

    @Test
    void aRedirectIsNotFollowedAndIsRetried() {
        DeliveryAttempt a = SENDER.send(event("/redirect"), SIGNER, 1);
        assertEquals(DeliveryAttempt.Outcome.RETRY, a.outcome());
        assertEquals(302, a.httpStatus());
        assertEquals("http_error", a.error());
        assertTrue(receiver.requestsTo("/target").isEmpty(), "the redirect target must never be called");
    }

    @Test
    void goneStopsForGood() {
        DeliveryAttempt a = SENDER.send(event("/gone"), SIGNER, 1);
        assertEquals(DeliveryAttempt.Outcome.GIVE_UP, a.outcome());
        assertEquals(410, a.httpStatus());
    }

    @Test
    void tooManyRequestsCarriesRetryAfterInSeconds() {
        DeliveryAttempt a = SENDER.send(event("/busy"), SIGNER, 1);
        assertEquals(DeliveryAttempt.Outcome.RETRY, a.outcome());
        assertEquals(429, a.httpStatus());
        assertEquals(120L, a.retryAfterSeconds());
    }

    @Test
    void unavailableCarriesRetryAfterGivenAsAnHttpDate() {
        WebhookSender atFixedTime = new WebhookSender(
                new WebhookAddressGuard(true, NO_DNS),
                Duration.ofSeconds(2),
                Duration.ofSeconds(2),
                Clock.fixed(FIXED, ZoneOffset.UTC));
        DeliveryAttempt a = atFixedTime.send(event("/unavailable"), SIGNER, 1);
        assertEquals(503, a.httpStatus());
        assertEquals(300L, a.retryAfterSeconds());
        assertNull(SENDER.send(event("/unavailable-no-hint"), SIGNER, 1).retryAfterSeconds());
    }

    @Test
    void aReceiverThatHangsTimesOutAndIsRetried() {
        long started = System.nanoTime();
        DeliveryAttempt a = SENDER.send(event("/hang"), SIGNER, 1);
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertEquals(DeliveryAttempt.Outcome.RETRY, a.outcome());
        assertNull(a.httpStatus());
        assertEquals("timeout", a.error());
        assertTrue(tookMs < 10_000, "the timeout cut the wait: " + tookMs + " ms");
    }

    @Test
    void aRefusedConnectionIsRetried() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        WebhookEvent e = WebhookEvent.of(
                WebhookEvent.Type.JOB_FAILED,
                "t",
                "http://127.0.0.1:" + closedPort + "/x",
                Instant.now(),
                Json.object().put("id", "job_x"));
        DeliveryAttempt a = SENDER.send(e, SIGNER, 1);
        assertEquals(DeliveryAttempt.Outcome.RETRY, a.outcome());
        assertNull(a.httpStatus());
        assertEquals("connection_failed", a.error(), "the same words as for any unreachable receiver");
    }

    @Test
    void aUrlTheGuardRefusesIsNeverCalledAndNotRetried() {
        WebhookSender strict = new WebhookSender(new WebhookAddressGuard(false, NO_DNS), Duration.ofSeconds(1));
        int before = receiver.requests.size();
        DeliveryAttempt a = strict.send(event("/ok"), SIGNER, 1);
        assertEquals(DeliveryAttempt.Outcome.GIVE_UP, a.outcome());
        assertEquals("refused_address", a.error());
        assertEquals(before, receiver.requests.size());
        WebhookEvent privateTarget = WebhookEvent.of(
                WebhookEvent.Type.JOB_FAILED,
                "t",
                "https://10.0.0.1/hook",
                Instant.now(),
                Json.object().put("id", "job_x"));
        assertEquals(
                DeliveryAttempt.Outcome.GIVE_UP,
                strict.send(privateTarget, SIGNER, 1).outcome());
    }

    @Test
    void aHostThatDoesNotResolveIsRetried() {
        WebhookEvent e = WebhookEvent.of(
                WebhookEvent.Type.JOB_FAILED,
                "t",
                "https://nxdomain.example/hook",
                Instant.now(),
                Json.object().put("id", "job_x"));
        DeliveryAttempt a = SENDER.send(e, SIGNER, 1);
        assertEquals(DeliveryAttempt.Outcome.RETRY, a.outcome());
        assertEquals("unresolved", a.error());
    }

    @Test
    void retryAfterParsing() {
        Instant now = Instant.parse("2026-10-21T07:28:00Z");
        assertEquals(120L, WebhookSender.parseRetryAfter("120", now));
        assertEquals(5L, WebhookSender.parseRetryAfter(" 5 ", now));
        assertEquals(0L, WebhookSender.parseRetryAfter("0", now));
        assertEquals(90L, WebhookSender.parseRetryAfter("Wed, 21 Oct 2026 07:29:30 GMT", now));
        assertEquals(0L, WebhookSender.parseRetryAfter("Wed, 21 Oct 2026 07:00:00 GMT", now));
        assertNull(WebhookSender.parseRetryAfter("soon", now));
        assertNull(WebhookSender.parseRetryAfter("-5", now));
        assertNull(WebhookSender.parseRetryAfter("", now));
        assertEquals(999_999_999L, WebhookSender.parseRetryAfter("99999999999999999999", now));
    }
}
