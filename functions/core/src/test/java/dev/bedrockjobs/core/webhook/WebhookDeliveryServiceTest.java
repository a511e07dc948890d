package dev.bedrockjobs.core.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bedrockjobs.core.domain.ApiKey;
import dev.bedrockjobs.core.domain.DeliveryAttempt;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.domain.Tenant;
import dev.bedrockjobs.core.domain.WebhookEvent;
import dev.bedrockjobs.core.port.Tenants;
import dev.bedrockjobs.core.port.WebhookDeliveries;
import java.io.IOException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The delivery service with in-memory stores and a real receiver on 127.0.0.1. */
class WebhookDeliveryServiceTest {
    private static final String SECRET = ApiKey.newWebhookSecret();

    private Receiver receiver;
    private final Map<String, Tenant> tenantsById = new HashMap<>();
    private final List<DeliveryAttempt> recorded = new ArrayList<>();
    private WebhookDeliveryService service;

    private final Tenants tenants = new Tenants() {
        @Override
        public Optional<Tenant> findTenant(String tenantId) {
            return Optional.ofNullable(tenantsById.get(tenantId));
        }

        @Override
        public boolean createTenant(Tenant tenant) {
            return tenantsById.putIfAbsent(tenant.id(), tenant) == null;
        }

        @Override
        public boolean replaceWebhookSecret(String tenantId, String webhookSecret, Instant previousUntil) {
            return false;
        }
    };

    private final WebhookDeliveries deliveries = new WebhookDeliveries() {
        private final Map<String, Integer> numbers = new HashMap<>();

        @Override
        public synchronized int nextAttemptNumber(WebhookEvent event) {
            return numbers.merge(event.id(), 1, Integer::sum);
        }

        @Override
        public boolean tryCountReplay(WebhookEvent event, long epochMinute) {
            return true;
        }

        @Override
        public void record(WebhookEvent event, DeliveryAttempt attempt) {
            recorded.add(attempt);
        }

        @Override
        public List<DeliveryAttempt> list(WebhookEvent.Subject subject, String subjectId) {
            return List.copyOf(recorded);
        }
    };

    @BeforeEach
    void start() throws IOException {
        receiver = new Receiver()
                .route("/flaky", Receiver.failFirst(2, 500))
                .route("/down", Receiver.status(503))
                .route("/busy", Receiver.status(429, "Retry-After", "600"))
                .route("/gone", Receiver.status(410));
        tenantsById.put("tenant-a", new Tenant("tenant-a", "Team A", SECRET, false, Instant.now()));
        tenantsById.put("tenant-off", new Tenant("tenant-off", "Gone", SECRET, true, Instant.now()));
        tenantsById.put("tenant-bad", new Tenant("tenant-bad", "Bad", "whsec_???", false, Instant.now()));
        WebhookAddressGuard guard = new WebhookAddressGuard(true, host -> {
            throw new UnknownHostException(host);
        });
        service = new WebhookDeliveryService(
                tenants,
                deliveries,
                new WebhookSender(guard, Duration.ofSeconds(2)),
                RetrySchedule.standard(),
                Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    private WebhookEvent event(String tenant, String url) {
        return WebhookEvent.of(
                WebhookEvent.Type.JOB_SUCCEEDED,
                tenant,
                url,
                Instant.parse("2026-11-27T10:00:00Z"),
                Json.object().put("id", "job_01KABCDEFGHJKMNPQRSTVWXYZ0").put("status", "succeeded"));
    }

    @Test
    void failuresAreRetriedOnTheScheduleUntilDelivered() {
        String message = event("tenant-a", receiver.url("/flaky")).toMessage();
        WebhookDeliveryService.RetryAfter first =
                assertInstanceOf(WebhookDeliveryService.RetryAfter.class, service.process(message, 1));
        assertTrue(first.seconds() >= 1 && first.seconds() <= 5, "first wait within 5 s: " + first.seconds());
        WebhookDeliveryService.RetryAfter second =
                assertInstanceOf(WebhookDeliveryService.RetryAfter.class, service.process(message, 2));
        assertTrue(second.seconds() >= 1 && second.seconds() <= 60, "second wait within 1 min: " + second.seconds());
        assertEquals(WebhookDeliveryService.DONE, service.process(message, 3));
        assertEquals(
                List.of(1, 2, 3),
                recorded.stream().map(DeliveryAttempt::attempt).toList());
        assertEquals(
                List.of(
                        DeliveryAttempt.Outcome.RETRY,
                        DeliveryAttempt.Outcome.RETRY,
                        DeliveryAttempt.Outcome.DELIVERED),
                recorded.stream().map(DeliveryAttempt::outcome).toList());
        assertNotNull(recorded.get(0).nextAttemptAt());
        assertEquals(3, receiver.requestsTo("/flaky").size());
        assertEquals(
                1,
                receiver.requestsTo("/flaky").stream()
                        .map(r -> r.header("webhook-id"))
                        .distinct()
                        .count(),
                "every try carries the same webhook-id");
    }

    @Test
    void aWakeUpInALongWaitSendsNothingAndWaitsAgain() {
        WebhookEvent e = event("tenant-a", receiver.url("/down"));
        WebhookDeliveryService.Disposition d = service.process(e.toMessage(), 9); // Wake(8, 2)
        WebhookDeliveryService.RetryAfter wait = assertInstanceOf(WebhookDeliveryService.RetryAfter.class, d);
        RetrySchedule.Wait planned = RetrySchedule.standard().waitAfter(8, null, RetrySchedule.randomFor(e.id(), 8));
        assertEquals(planned.laterSeconds(), wait.seconds());
        assertTrue(receiver.requestsTo("/down").isEmpty());
        assertTrue(recorded.isEmpty());
    }

    @Test
    void theLastAttemptGivesUp() {
        String message = event("tenant-a", receiver.url("/down")).toMessage();
        assertEquals(WebhookDeliveryService.DONE, service.process(message, 13)); // the schedule's attempt 10
        DeliveryAttempt last = recorded.get(0);
        assertEquals(1, last.attempt(), "the log numbers the tries that were made");
        assertEquals(DeliveryAttempt.Outcome.GIVE_UP, last.outcome());
        assertEquals(503, last.httpStatus());
        assertEquals("http_error", last.error(), "the category of the last try's failure");
        assertEquals(WebhookDeliveryService.DONE, service.process(message, 14));
        assertEquals(1, recorded.size(), "nothing is sent past the schedule");
    }

    @Test
    void retryAfterStretchesTheWait() {
        WebhookDeliveryService.Disposition d =
                service.process(event("tenant-a", receiver.url("/busy")).toMessage(), 1);
        assertEquals(new WebhookDeliveryService.RetryAfter(600), d);
        assertEquals(600L, recorded.get(0).retryAfterSeconds());
    }

    @Test
    void goneAndRefusedAddressesGiveUpAtOnce() {
        assertEquals(
                WebhookDeliveryService.DONE,
                service.process(event("tenant-a", receiver.url("/gone")).toMessage(), 1));
        assertEquals(
                WebhookDeliveryService.DONE,
                service.process(event("tenant-a", "https://10.0.0.1/x").toMessage(), 1));
        assertEquals(
                List.of(DeliveryAttempt.Outcome.GIVE_UP, DeliveryAttempt.Outcome.GIVE_UP),
                recorded.stream().map(DeliveryAttempt::outcome).toList());
        assertEquals("refused_address", recorded.get(1).error());
    }

    @Test
    void aMissingOrDisabledTenantOrAnUnusableSecretSendsNothing() {
        assertEquals(
                WebhookDeliveryService.DONE,
                service.process(event("nobody", receiver.url("/flaky")).toMessage(), 1));
        assertEquals(
                WebhookDeliveryService.DONE,
                service.process(event("tenant-off", receiver.url("/flaky")).toMessage(), 1));
        assertEquals(
                WebhookDeliveryService.DONE,
                service.process(event("tenant-bad", receiver.url("/flaky")).toMessage(), 1));
        assertTrue(receiver.requestsTo("/flaky").isEmpty());
        assertEquals(3, recorded.size());
        assertTrue(recorded.stream().allMatch(a -> a.outcome() == DeliveryAttempt.Outcome.GIVE_UP));
        assertEquals("no_signing_secret", recorded.get(2).error(), "a category: the secret is never echoed");
    }

    @Test
    void aReplayNumbersItsAttemptsAfterTheEarlierOnes() {
        WebhookEvent event = event("tenant-a", receiver.url("/gone"));
        service.process(event.toMessage(), 1);
        service.process(event.toMessage(), 1); // the replay: the same message, its first receive
        assertEquals(
                List.of(1, 2), recorded.stream().map(DeliveryAttempt::attempt).toList());
    }

    @Test
    void rightAfterARotationTheReplacedSecretSignsTooUntilItsGraceEnds() {
        String fresh = ApiKey.newWebhookSecret();
        Instant until = Instant.now().plus(Duration.ofHours(1));
        tenantsById.put(
                "tenant-rotating",
                new Tenant("tenant-rotating", "Rotating", fresh, false, Instant.now(), SECRET, until));
        service.process(event("tenant-rotating", receiver.url("/gone")).toMessage(), 1);
        Receiver.Request during = receiver.requestsTo("/gone").get(0);
        String signatures = during.headers().get(WebhookSigner.SIGNATURE_HEADER);
        assertEquals(2, signatures.split(" ").length, signatures);
        assertTrue(verifies(WebhookSigner.of(SECRET), during), "a receiver with the old secret still verifies");
        assertTrue(verifies(WebhookSigner.of(fresh), during), "and one with the new secret too");

        tenantsById.put(
                "tenant-rotating",
                new Tenant(
                        "tenant-rotating",
                        "Rotating",
                        fresh,
                        false,
                        Instant.now(),
                        SECRET,
                        Instant.now().minusSeconds(1)));
        service.process(event("tenant-rotating", receiver.url("/gone")).toMessage(), 1);
        Receiver.Request after = receiver.requestsTo("/gone").get(1);
        assertEquals(1, after.headers().get(WebhookSigner.SIGNATURE_HEADER).split(" ").length);
        assertTrue(!verifies(WebhookSigner.of(SECRET), after), "after the grace the old secret no longer verifies");
        assertTrue(verifies(WebhookSigner.of(fresh), after));
    }

    private static boolean verifies(WebhookSigner signer, Receiver.Request r) {
        return signer.verify(
                r.headers().get(WebhookSigner.ID_HEADER),
                r.headers().get(WebhookSigner.TIMESTAMP_HEADER),
                r.headers().get(WebhookSigner.SIGNATURE_HEADER),
                r.body(),
                Instant.now());
    }

    @Test
    void aMessageThatIsNotAnEventIsDropped() {
        assertEquals(WebhookDeliveryService.DONE, service.process("{\"jobId\":\"job_x\"}", 1));
        assertTrue(recorded.isEmpty());
    }

    @Test
    void aStoreOutageIsRetriedOnTheSchedule() {
        WebhookDeliveryService broken = new WebhookDeliveryService(
                new Tenants() {
                    @Override
                    public Optional<Tenant> findTenant(String id) {
                        throw new IllegalStateException("table unreachable");
                    }

                    @Override
                    public boolean createTenant(Tenant t) {
                        return false;
                    }

                    @Override
                    public boolean replaceWebhookSecret(String tenantId, String webhookSecret, Instant previousUntil) {
                        return false;
                    }
                },
                deliveries,
                new WebhookSender(new WebhookAddressGuard(true), Duration.ofSeconds(1)),
                RetrySchedule.standard(),
                Clock.systemUTC());
        String message = event("tenant-a", receiver.url("/flaky")).toMessage();
        assertInstanceOf(WebhookDeliveryService.RetryAfter.class, broken.process(message, 1));
        assertEquals(WebhookDeliveryService.DONE, broken.process(message, 13));
        assertTrue(receiver.requestsTo("/flaky").isEmpty());
    }
}
