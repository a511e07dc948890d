package dev.bedrockjobs.core.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.bedrockjobs.core.domain.ApiKey;
import dev.bedrockjobs.core.domain.DeliveryAttempt;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.domain.PrintableText;
import dev.bedrockjobs.core.domain.WebhookEvent;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sender connects to the address the guard vetted and speaks TLS to the host the URL names: against a local
 * TLS receiver whose self-signed certificate (for {@code hooks.example.test}) this test trusts, and a resolver that
 * maps names without DNS.
 */
class WebhookSenderPinningTest {
    private static final String HOST = "hooks.example.test";
    private static final String SECRET = ApiKey.newWebhookSecret();

    @TempDir
    static Path dir;

    private static HttpsServer receiver;
    private static SSLContext trusting;
    private static final List<String> hostHeaders = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void start() throws Exception {
        Path keystore = dir.resolve("receiver.p12");
        Process keytool = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString(),
                        "-genkeypair",
                        "-alias",
                        "receiver",
                        "-keyalg",
                        "EC",
                        "-groupname",
                        "secp256r1",
                        "-dname",
                        "CN=" + HOST,
                        "-ext",
                        "SAN=dns:" + HOST,
                        "-validity",
                        "2",
                        "-keystore",
                        keystore.toString(),
                        "-storetype",
                        "PKCS12",
                        "-storepass",
                        "changeit")
                .redirectErrorStream(true)
                .start();
        String out = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, keytool.waitFor(), out);
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "changeit".toCharArray());
        SSLContext serving = SSLContext.getInstance("TLS");
        serving.init(kmf.getKeyManagers(), null, null);

        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("receiver", keys.getCertificate("receiver"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        trusting = SSLContext.getInstance("TLS");
        trusting.init(null, tmf.getTrustManagers(), null);

        receiver = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.setHttpsConfigurator(new HttpsConfigurator(serving));
        receiver.createContext("/", exchange -> {
            hostHeaders.add(exchange.getRequestHeaders().getFirst("host"));
            exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestURI().getPath().equals("/redirect")) {
                exchange.getResponseHeaders().add("Location", "https://elsewhere.example/\u001b[2J\u009b31m\u2028x");
                exchange.sendResponseHeaders(302, -1);
            } else {
                exchange.sendResponseHeaders(204, -1);
            }
            exchange.close();
        });
        receiver.start();
    }

    @AfterAll
    static void stop() {
        receiver.stop(0);
    }

    private static int port() {
        return receiver.getAddress().getPort();
    }

    private static WebhookEvent event(String url) {
        return WebhookEvent.of(
                WebhookEvent.Type.JOB_SUCCEEDED,
                "tenant-a",
                url,
                Instant.now(),
                Json.object().put("id", "job_01KABCDEFGHJKMNPQRSTVWXYZ0"));
    }

    private static WebhookSender sender(WebhookAddressGuard guard) {
        return new WebhookSender(
                guard, Duration.ofMillis(500), Duration.ofSeconds(2), Clock.systemUTC(), trusting.getSocketFactory());
    }

    /** The local receiver's port allowed, loopback addresses allowed: only the names differ between the cases. */
    private static WebhookAddressGuard toLoopback() {
        return new WebhookAddressGuard(true, host -> List.of(InetAddress.getLoopbackAddress()), Set.of(port()));
    }

    @Test
    void aHostIsCalledByNameOverTlsAtTheAddressTheGuardResolved() {
        DeliveryAttempt a =
                sender(toLoopback()).send(event("https://" + HOST + ":" + port() + "/ok"), WebhookSigner.of(SECRET), 1);
        assertEquals(DeliveryAttempt.Outcome.DELIVERED, a.outcome(), String.valueOf(a.error()));
        assertEquals(204, a.httpStatus());
        assertTrue(hostHeaders.contains(HOST + ":" + port()), hostHeaders.toString());
    }

    @Test
    void aCertificateForAnotherNameIsATlsErrorAndNothingIsSent() {
        int before = hostHeaders.size();
        DeliveryAttempt a = sender(toLoopback())
                .send(event("https://other.example.test:" + port() + "/ok"), WebhookSigner.of(SECRET), 1);
        assertEquals("tls_error", a.error(), "the certificate's names are checked against the URL's host");
        assertEquals(DeliveryAttempt.Outcome.RETRY, a.outcome());
        assertEquals(before, hostHeaders.size());
    }

    @Test
    void aRebindingAnswerAfterTheCheckIsNeverUsed() throws Exception {
        // The host's first answer is public; any later one is loopback, where a listener counts connections.
        try (ServerSocket tripwire = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            AtomicInteger accepted = new AtomicInteger();
            Thread counter = new Thread(() -> {
                while (!tripwire.isClosed()) {
                    try (Socket s = tripwire.accept()) {
                        accepted.incrementAndGet();
                    } catch (Exception closed) {
                        return;
                    }
                }
            });
            counter.setDaemon(true);
            counter.start();
            AtomicInteger lookups = new AtomicInteger();
            InetAddress publicAddress = InetAddress.getByAddress(new byte[] {1, 1, 1, 1});
            WebhookAddressGuard.Resolver rebinding = host ->
                    lookups.getAndIncrement() == 0 ? List.of(publicAddress) : List.of(InetAddress.getLoopbackAddress());
            WebhookAddressGuard guard = new WebhookAddressGuard(false, rebinding, Set.of(tripwire.getLocalPort()));

            DeliveryAttempt a = sender(guard)
                    .send(event("https://localhost:" + tripwire.getLocalPort() + "/hook"), WebhookSigner.of(SECRET), 1);
            Thread.sleep(200);
            assertEquals(0, accepted.get(), "no connection reached loopback");
            assertEquals(1, lookups.get(), "the host was resolved once, by the check");
            assertEquals(DeliveryAttempt.Outcome.RETRY, a.outcome());
            assertTrue(Set.of("connection_failed", "timeout").contains(a.error()), a.error());
        }
    }

    @Test
    void whatAReceiverSendsIsLoggedWithoutControlCharactersAndNotStored() {
        List<LogRecord> logged = Collections.synchronizedList(new ArrayList<>());
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                logged.add(r);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger log = Logger.getLogger(WebhookSender.class.getName());
        log.addHandler(capture);
        try {
            DeliveryAttempt a = sender(toLoopback())
                    .send(event("https://" + HOST + ":" + port() + "/redirect"), WebhookSigner.of(SECRET), 1);
            assertEquals(302, a.httpStatus());
            assertEquals("http_error", a.error(), "the receiver's Location is not stored");
        } finally {
            log.removeHandler(capture);
        }
        String line = logged.stream()
                .map(LogRecord::getMessage)
                .filter(m -> m.contains("redirect"))
                .findFirst()
                .orElseThrow();
        assertTrue(line.contains("elsewhere.example"), line);
        assertTrue(line.chars().allMatch(c -> PrintableText.isPrintable((char) c)), line);
    }
}
