package dev.bedrockjobs.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real HTTP server on a free loopback port that answers each request with the next scripted response, and records
 * what it received. For testing the client's handling of status codes and headers, not a stand-in for the API.
 * Registered as a test extension, it stops after each test.
 */
final class TinyServer implements AutoCloseable, AfterEachCallback {
    record Response(int status, Map<String, String> headers, String body) {}

    record Received(String method, String path, Map<String, List<String>> headers, String body) {
        String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0))
                    .findFirst()
                    .orElse(null);
        }
    }

    private final HttpServer server;
    private final Deque<Response> script = new ArrayDeque<>();
    final List<Received> received = new CopyOnWriteArrayList<>();

    TinyServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("no loopback port to listen on", e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    synchronized TinyServer then(int status, Map<String, String> headers, String body) {
        script.add(new Response(status, headers, body));
        return this;
    }

    TinyServer thenJson(int status, String body) {
        return then(status, Map.of("Content-Type", "application/json"), body);
    }

    TinyServer thenProblem(int status, String body) {
        return then(status, Map.of("Content-Type", "application/problem+json"), body);
    }

    private void handle(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        received.add(new Received(
                ex.getRequestMethod(), ex.getRequestURI().toString(), Map.copyOf(ex.getRequestHeaders()), body));
        Response r;
        synchronized (this) {
            r = script.poll();
        }
        if (r == null) {
            r = new Response(500, Map.of(), "no scripted response left");
        }
        r.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        byte[] bytes = r.body().getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(r.status(), bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
