package dev.bedrockjobs.core.webhook;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** A webhook receiver on 127.0.0.1 for tests: each path answers as told and every request is kept. */
final class Receiver implements AutoCloseable {
    /** One received request; header names in lower case. */
    @SuppressWarnings("ArrayRecordComponent") // the bytes as received, read by the tests, never compared as records
    record Request(String path, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** Answers one request; {@code n} counts the requests to that path from 1. */
    interface Responder {
        void respond(HttpExchange exchange, int n) throws IOException;
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "receiver");
        t.setDaemon(true);
        return t;
    });
    private final CountDownLatch release = new CountDownLatch(1);
    final List<Request> requests = Collections.synchronizedList(new ArrayList<>());

    Receiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    Receiver route(String path, Responder responder) {
        int[] count = {0};
        server.createContext(path, exchange -> {
            int n;
            synchronized (count) {
                n = ++count[0];
            }
            Map<String, String> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.get(0)));
            try (InputStream in = exchange.getRequestBody()) {
                requests.add(new Request(exchange.getRequestURI().getPath(), headers, in.readAllBytes()));
            }
            try {
                responder.respond(exchange, n);
            } finally {
                exchange.close();
            }
        });
        return this;
    }

    /** Answers with a status and headers, no body. */
    static Responder status(int status, String... headerPairs) {
        return (exchange, n) -> send(exchange, status, headerPairs);
    }

    /** Fails the first {@code failures} requests with {@code failStatus}, then answers 200. */
    static Responder failFirst(int failures, int failStatus) {
        return (exchange, n) -> send(exchange, n <= failures ? failStatus : 200);
    }

    /** Never answers (until the receiver closes). */
    Responder hang() {
        return (exchange, n) -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }

    static void send(HttpExchange exchange, int status, String... headerPairs) throws IOException {
        for (int i = 0; i + 1 < headerPairs.length; i += 2) {
            exchange.getResponseHeaders().add(headerPairs[i], headerPairs[i + 1]);
        }
        exchange.sendResponseHeaders(status, -1);
    }

    List<Request> requestsTo(String path) {
        synchronized (requests) {
            return requests.stream().filter(r -> r.path().equals(path)).toList();
        }
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
