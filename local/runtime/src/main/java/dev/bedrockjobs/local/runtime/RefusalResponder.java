package dev.bedrockjobs.local.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Where {@link IamEnforcement} sends a call it refuses, instead of the service: a loopback HTTP endpoint that answers
 * each request with the refusal the request carries in its headers (status, content type, extra headers, body), and
 * touches nothing else. The SDK then reads a real HTTP answer, through the same error parsing as the service's own.
 */
final class RefusalResponder implements AutoCloseable {
    static final String STATUS = "X-Local-Refusal-Status";
    static final String CONTENT_TYPE = "X-Local-Refusal-Content-Type";
    /** Repeatable; each value is "Name: value". */
    static final String HEADER = "X-Local-Refusal-Header";
    /** Base64, so that any body survives a header. */
    static final String BODY = "X-Local-Refusal-Body";

    private final HttpServer server;
    private final ExecutorService executor;

    private RefusalResponder(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    static RefusalResponder start() {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on the loopback address", e);
        }
        // refusals are rare: a couple of threads answer them all
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "iam-refusals");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", RefusalResponder::answer);
        server.start();
        return new RefusalResponder(server, executor);
    }

    URI endpoint() {
        return URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":"
                + server.getAddress().getPort());
    }

    private static void answer(HttpExchange exchange) throws IOException {
        try (exchange;
                InputStream in = exchange.getRequestBody()) {
            in.transferTo(OutputStream.nullOutputStream());
            String status = exchange.getRequestHeaders().getFirst(STATUS);
            String body = exchange.getRequestHeaders().getFirst(BODY);
            if (status == null || body == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            byte[] bytes = Base64.getDecoder().decode(body);
            exchange.getResponseHeaders()
                    .set("Content-Type", exchange.getRequestHeaders().getFirst(CONTENT_TYPE));
            exchange.getResponseHeaders()
                    .set("x-amzn-RequestId", java.util.UUID.randomUUID().toString());
            for (String header : exchange.getRequestHeaders().getOrDefault(HEADER, List.of())) {
                int colon = header.indexOf(':');
                exchange.getResponseHeaders()
                        .add(
                                header.substring(0, colon).trim(),
                                header.substring(colon + 1).trim());
            }
            exchange.sendResponseHeaders(Integer.parseInt(status), bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
