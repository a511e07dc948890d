package dev.bedrockjobs.webhook;

import com.sun.net.httpserver.HttpServer;
import com.svix.Webhook;
import com.svix.exceptions.WebhookVerificationException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntUnaryOperator;

/**
 * A customer's webhook endpoint on 127.0.0.1: verifies every request with the Svix library, as a receiver would,
 * and answers with the status {@code statusForCall} gives the n-th request (1-based).
 */
final class SvixReceiver implements AutoCloseable {
    record Received(String webhookId, String body, boolean verified) {}

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "svix-receiver");
        t.setDaemon(true);
        return t;
    });
    final List<Received> received = Collections.synchronizedList(new ArrayList<>());

    SvixReceiver(String secret, IntUnaryOperator statusForCall) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        Webhook svix;
        try {
            svix = new Webhook(secret);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
        Webhook verifier = svix;
        server.createContext("/hook", exchange -> {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Map<String, List<String>> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
            boolean verified;
            try {
                verifier.verify(body, headers);
                verified = true;
            } catch (WebhookVerificationException e) {
                verified = false;
            }
            int n;
            synchronized (received) {
                received.add(new Received(headers.get("webhook-id").get(0), body, verified));
                n = received.size();
            }
            exchange.sendResponseHeaders(verified ? statusForCall.applyAsInt(n) : 401, -1);
            exchange.close();
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
