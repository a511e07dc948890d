package dev.bedrockjobs.core.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bedrockjobs.core.domain.ApiKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** Standard Webhooks signing and verification (the Svix library checks it independently in functions/webhook). */
class WebhookSignerTest {
    private static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");
    private static final long TS = NOW.getEpochSecond();
    private static final byte[] BODY =
            "{\"type\":\"job.succeeded\",\"data\":{\"id\":\"job_1\",\"text\":\"é\"}}".getBytes(StandardCharsets.UTF_8);

    private final String secretA = ApiKey.newWebhookSecret();
    private final String secretB = ApiKey.newWebhookSecret();

    @Test
    void theSignatureIsHmacSha256OfIdTimestampAndBodyUnderTheDecodedKey() throws Exception {
        String signature = WebhookSigner.of(secretA).sign("msg_1", TS, BODY);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(secretA.substring(6)), "HmacSHA256"));
        byte[] content =
                ("msg_1." + TS + "." + new String(BODY, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        assertEquals("v1," + Base64.getEncoder().encodeToString(mac.doFinal(content)), signature);
    }

    @Test
    void headersCarryIdTimestampAndSignature() {
        Map<String, String> h = WebhookSigner.of(secretA).headers("msg_1", TS, BODY);
        assertEquals(List.of("webhook-id", "webhook-timestamp", "webhook-signature"), List.copyOf(h.keySet()));
        assertEquals("msg_1", h.get("webhook-id"));
        assertEquals(Long.toString(TS), h.get("webhook-timestamp"));
        assertTrue(h.get("webhook-signature").startsWith("v1,"));
    }

    @Test
    void aSignedMessageVerifies() {
        WebhookSigner signer = WebhookSigner.of(secretA);
        String sig = signer.sign("msg_1", TS, BODY);
        assertTrue(signer.verify("msg_1", Long.toString(TS), sig, BODY, NOW));
    }

    @Test
    void rotationSignsWithEverySecretAndEitherReceiverVerifies() {
        String header = new WebhookSigner(List.of(secretB, secretA)).sign("msg_1", TS, BODY);
        String[] parts = header.split(" ");
        assertEquals(2, parts.length);
        assertTrue(parts[0].startsWith("v1,") && parts[1].startsWith("v1,"));
        assertTrue(WebhookSigner.of(secretA).verify("msg_1", Long.toString(TS), header, BODY, NOW));
        assertTrue(WebhookSigner.of(secretB).verify("msg_1", Long.toString(TS), header, BODY, NOW));
        assertFalse(WebhookSigner.of(ApiKey.newWebhookSecret()).verify("msg_1", Long.toString(TS), header, BODY, NOW));
    }

    @Test
    void aReceiverThatKnowsBothSecretsVerifiesEitherSignature() {
        String onlyA = WebhookSigner.of(secretA).sign("msg_1", TS, BODY);
        assertTrue(WebhookSigner.of(secretB, secretA).verify("msg_1", Long.toString(TS), onlyA, BODY, NOW));
    }

    @Test
    void anythingChangedFailsVerification() {
        WebhookSigner signer = WebhookSigner.of(secretA);
        String sig = signer.sign("msg_1", TS, BODY);
        byte[] tampered = BODY.clone();
        tampered[tampered.length - 2] = 'X';
        assertFalse(signer.verify("msg_1", Long.toString(TS), sig, tampered, NOW));
        assertFalse(signer.verify("msg_2", Long.toString(TS), sig, BODY, NOW));
        assertEquals(
                "no signature matches",
                signer.whyInvalid("msg_1", Long.toString(TS + 1), sig, BODY, NOW, Duration.ofMinutes(5))
                        .orElseThrow());
        assertFalse(signer.verify("msg_1", Long.toString(TS), "v1a," + sig.substring(3), BODY, NOW));
        assertFalse(signer.verify("msg_1", Long.toString(TS), "v1,not base64!", BODY, NOW));
        assertFalse(signer.verify("msg_1", Long.toString(TS), "", BODY, NOW));
    }

    @Test
    void theTimestampMustBeWithinTheTolerance() {
        WebhookSigner signer = WebhookSigner.of(secretA);
        long old = TS - 301;
        String sig = signer.sign("msg_1", old, BODY);
        assertTrue(signer.whyInvalid("msg_1", Long.toString(old), sig, BODY, NOW, WebhookSigner.DEFAULT_TOLERANCE)
                .orElseThrow()
                .contains("tolerance"));
        assertTrue(signer.verify("msg_1", Long.toString(TS - 300), signer.sign("msg_1", TS - 300, BODY), BODY, NOW));
        long future = TS + 301;
        assertFalse(signer.verify("msg_1", Long.toString(future), signer.sign("msg_1", future, BODY), BODY, NOW));
        assertTrue(signer.whyInvalid("msg_1", "yesterday", sig, BODY, NOW, WebhookSigner.DEFAULT_TOLERANCE)
                .isPresent());
    }

    @Test
    void unusableSecretsAreRefusedWithoutEchoingThem() {
        assertThrows(IllegalArgumentException.class, () -> new WebhookSigner(List.of()));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> WebhookSigner.of("whsec_not*base64"));
        assertFalse(e.getMessage().contains("not*base64"));
        assertThrows(
                IllegalArgumentException.class,
                () -> WebhookSigner.of("whsec_" + Base64.getEncoder().encodeToString(new byte[8])));
        assertThrows(IllegalArgumentException.class, () -> WebhookSigner.of(" "));
    }

    @Test
    void thePrefixIsOptional() {
        String bare = secretA.substring(WebhookSigner.SECRET_PREFIX.length());
        assertEquals(
                WebhookSigner.of(secretA).sign("m", TS, BODY),
                WebhookSigner.of(bare).sign("m", TS, BODY));
    }
}
