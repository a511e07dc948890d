package dev.bedrockjobs.webhook;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.svix.Webhook;
import com.svix.exceptions.WebhookVerificationException;
import dev.bedrockjobs.core.domain.ApiKey;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.domain.WebhookEvent;
import dev.bedrockjobs.core.webhook.WebhookSigner;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Our Standard Webhooks signatures, checked by an independent implementation: the Svix Java library. */
class SvixCompatibilityTest {
    private final String secretA = ApiKey.newWebhookSecret();
    private final String secretB = ApiKey.newWebhookSecret();

    private static WebhookEvent event() {
        ObjectNode data =
                Json.object().put("id", "job_01KB2M7Q9ZT3W6X8Y0A1B2C3D4").put("status", "succeeded");
        data.putObject("result").put("text", "Füße — “quoted” ✓ and an emoji 🚀");
        return WebhookEvent.of(
                WebhookEvent.Type.JOB_SUCCEEDED,
                "tenant-a",
                "https://hooks.example.com/x",
                Instant.parse("2026-11-27T10:00:04Z"),
                data);
    }

    private static Map<String, List<String>> svixHeaders(Map<String, String> ours) {
        return Map.of(
                "webhook-id", List.of(ours.get(WebhookSigner.ID_HEADER)),
                "webhook-timestamp", List.of(ours.get(WebhookSigner.TIMESTAMP_HEADER)),
                "webhook-signature", List.of(ours.get(WebhookSigner.SIGNATURE_HEADER)));
    }

    private static String payload(WebhookEvent e) {
        return new String(e.bodyBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void svixVerifiesWhatWeSign() {
        WebhookEvent e = event();
        long now = Instant.now().getEpochSecond();
        Map<String, String> headers = WebhookSigner.of(secretA).headers(e.id(), now, e.bodyBytes());
        assertDoesNotThrow(() -> new Webhook(secretA).verify(payload(e), svixHeaders(headers)));
    }

    @Test
    void svixAndWeComputeTheSameSignature() throws Exception {
        WebhookEvent e = event();
        long ts = 1_795_774_805L;
        assertEquals(
                new Webhook(secretA).sign(e.id(), ts, payload(e)),
                WebhookSigner.of(secretA).sign(e.id(), ts, e.bodyBytes()));
    }

    @Test
    void weVerifyWhatSvixSigns() throws Exception {
        WebhookEvent e = event();
        long now = Instant.now().getEpochSecond();
        String signature = new Webhook(secretB).sign(e.id(), now, payload(e));
        assertTrue(WebhookSigner.of(secretA, secretB)
                .verify(e.id(), Long.toString(now), signature, e.bodyBytes(), Instant.now()));
    }

    @Test
    void duringRotationTwoSignaturesAndAReceiverKnowingEitherSecretVerifies() {
        WebhookEvent e = event();
        long now = Instant.now().getEpochSecond();
        Map<String, String> headers = new WebhookSigner(List.of(secretB, secretA)).headers(e.id(), now, e.bodyBytes());
        assertEquals(2, headers.get(WebhookSigner.SIGNATURE_HEADER).split(" ").length);
        assertDoesNotThrow(() -> new Webhook(secretA).verify(payload(e), svixHeaders(headers)));
        assertDoesNotThrow(() -> new Webhook(secretB).verify(payload(e), svixHeaders(headers)));
        assertThrows(
                WebhookVerificationException.class,
                () -> new Webhook(ApiKey.newWebhookSecret()).verify(payload(e), svixHeaders(headers)));
    }

    @Test
    void svixRejectsATamperedBodyOrAStaleTimestamp() {
        WebhookEvent e = event();
        long now = Instant.now().getEpochSecond();
        Map<String, String> headers = WebhookSigner.of(secretA).headers(e.id(), now, e.bodyBytes());
        assertThrows(
                WebhookVerificationException.class,
                () -> new Webhook(secretA).verify(payload(e).replace("succeeded", "failed"), svixHeaders(headers)));
        long stale = now - 3600;
        Map<String, String> old = WebhookSigner.of(secretA).headers(e.id(), stale, e.bodyBytes());
        assertThrows(
                WebhookVerificationException.class, () -> new Webhook(secretA).verify(payload(e), svixHeaders(old)));
    }
}
