package dev.bedrockjobs.local.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A headless Chromium (the Debian package) driven over its DevTools protocol: a WebSocket to one page, JSON commands
 * and events. Enough to load a page, click and type as a person would (real input events at an element's place on
 * the screen), read the page's state with a script, and take screenshots; it also records what the page's console
 * and security checks complain about (a Content-Security-Policy violation among them).
 */
final class HeadlessChromium implements AutoCloseable {
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<String> complaints = new CopyOnWriteArrayList<>();

    /** The browser's program, if installed: {@code chromium} (Debian) or {@code chromium-browser} on the PATH. */
    static Optional<Path> executable() {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.of(path.split(File.pathSeparator))
                .flatMap(dir -> Stream.of("chromium", "chromium-browser").map(name -> Path.of(dir, name)))
                .filter(Files::isExecutable)
                .findFirst();
    }

    static HeadlessChromium start(Path executable, int width, int height) {
        Path profile;
        try {
            profile = Files.createTempDirectory("console-test-chromium");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Process process;
        try {
            // --no-sandbox: the tests may run as root (CI does), where Chromium's sandbox refuses to start
            process = new ProcessBuilder(
                            executable.toString(),
                            "--headless",
                            "--no-sandbox",
                            "--disable-gpu",
                            "--no-first-run",
                            "--no-default-browser-check",
                            "--disable-extensions",
                            "--disable-background-networking",
                            "--disable-component-update",
                            "--disable-sync",
                            "--remote-debugging-address=127.0.0.1",
                            "--remote-debugging-port=0",
                            "--user-data-dir=" + profile,
                            "--window-size=" + width + "," + height,
                            "about:blank")
                    .redirectErrorStream(true)
                    .redirectOutput(profile.resolve("chromium.log").toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + executable, e);
        }
        try {
            return new HeadlessChromium(process, profile);
        } catch (RuntimeException e) {
            destroy(process);
            throw e;
        }
    }

    private HeadlessChromium(Process process, Path profile) {
        this.process = process;
        this.profile = profile;
        int port = devToolsPort(process, profile);
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String pageSocket;
        try {
            HttpResponse<String> targets = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                            .timeout(COMMAND_TIMEOUT)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            pageSocket = null;
            for (JsonNode target : ApiClient.JSON.readTree(targets.body())) {
                if ("page".equals(target.path("type").asText())) {
                    pageSocket = target.path("webSocketDebuggerUrl").asText();
                    break;
                }
            }
            if (pageSocket == null) {
                throw new IllegalStateException("Chromium opened no page: " + targets.body());
            }
            socket = http.newWebSocketBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .buildAsync(URI.create(pageSocket), new Listener())
                    .get(10, TimeUnit.SECONDS);
        } catch (IOException | ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot reach Chromium's DevTools on port " + port, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        send("Page.enable", Map.of());
        send("Runtime.enable", Map.of());
        send("Log.enable", Map.of());
    }

    /** Chromium writes the port it chose into its profile folder once DevTools listen. */
    private static int devToolsPort(Process process, Path profile) {
        Path file = profile.resolve("DevToolsActivePort");
        Instant end = Instant.now().plusSeconds(30);
        while (Instant.now().isBefore(end)) {
            try {
                if (Files.exists(file)) {
                    List<String> lines = Files.readAllLines(file);
                    if (!lines.isEmpty() && !lines.get(0).isBlank()) {
                        return Integer.parseInt(lines.get(0).strip());
                    }
                }
                if (!process.isAlive()) {
                    throw new IllegalStateException(
                            "Chromium exited at start: " + Files.readString(profile.resolve("chromium.log")));
                }
                Thread.sleep(50);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("Chromium did not open its DevTools within 30 s");
    }

    /** Collects a message's frames, then answers the command it replies to or records the event. */
    private final class Listener implements WebSocket.Listener {
        private final StringBuilder message = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            message.append(data);
            if (last) {
                String text = message.toString();
                message.setLength(0);
                receive(text);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            pending.values().forEach(f -> f.completeExceptionally(error));
        }
    }

    private void receive(String text) {
        JsonNode message;
        try {
            message = ApiClient.JSON.readTree(text);
        } catch (IOException e) {
            complaints.add("unreadable DevTools message: " + text);
            return;
        }
        if (message.has("id")) {
            CompletableFuture<JsonNode> reply = pending.remove(message.get("id").asInt());
            if (reply != null) {
                reply.complete(message);
            }
            return;
        }
        String method = message.path("method").asText();
        JsonNode params = message.path("params");
        if (method.equals("Runtime.exceptionThrown")) {
            complaints.add("uncaught: "
                    + params.path("exceptionDetails")
                            .path("exception")
                            .path("description")
                            .asText(params.path("exceptionDetails").path("text").asText()));
        } else if (method.equals("Log.entryAdded")) {
            JsonNode entry = params.path("entry");
            if (!entry.path("source").asText().equals("network")) { // a 4xx answer is logged; the page shows it
                complaints.add(entry.path("source").asText() + " "
                        + entry.path("level").asText() + ": "
                        + entry.path("text").asText());
            }
        } else if (method.equals("Runtime.consoleAPICalled")
                && params.path("type").asText().equals("error")) {
            complaints.add("console.error: " + params.path("args"));
        }
    }

    /** Sends a DevTools command and waits for its result. */
    JsonNode send(String method, Map<String, ?> params) {
        int id = ids.incrementAndGet();
        ObjectNode command = ApiClient.JSON.createObjectNode();
        command.put("id", id).put("method", method).set("params", ApiClient.JSON.valueToTree(params));
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        try {
            socket.sendText(command.toString(), true).get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            JsonNode answer = reply.get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (answer.has("error")) {
                throw new IllegalStateException(method + " failed: " + answer.get("error"));
            }
            return answer.path("result");
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(method + " got no answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            pending.remove(id);
        }
    }

    /** Loads a page and waits until it has loaded. */
    void open(URI url) {
        send("Page.navigate", Map.of("url", url.toString()));
        waitFor(
                "the page " + url + " to load",
                "document.readyState === 'complete' && location.href !== 'about:blank'");
    }

    /** The value of a script expression (awaited when it is a promise), as JSON. */
    JsonNode eval(String expression) {
        JsonNode r =
                send("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
        if (r.has("exceptionDetails")) {
            throw new IllegalStateException("script failed: " + expression + ": " + r.get("exceptionDetails"));
        }
        return r.path("result").path("value");
    }

    String text(String selector) {
        return eval("(document.querySelector(" + quote(selector) + ") || {}).textContent || ''")
                .asText();
    }

    boolean visible(String selector) {
        return eval("(() => { const e = document.querySelector(" + quote(selector) + ");"
                        + " return !!e && !e.closest('[hidden]') && e.getClientRects().length > 0; })()")
                .asBoolean();
    }

    /** Waits until a script expression is truthy; fails naming what it waited for and the page's complaints. */
    void waitFor(String what, String expression) {
        Instant end = Instant.now().plusSeconds(60);
        while (true) {
            JsonNode v = eval("!!(" + expression + ")");
            if (v.asBoolean()) {
                return;
            }
            if (Instant.now().isAfter(end)) {
                throw new AssertionError("timed out waiting for " + what + " (" + expression + "); page says: "
                        + text("main").replaceAll("\\s+", " ").strip() + "; complaints: " + complaints);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** Clicks the middle of the element as a mouse would, after scrolling it into view. */
    void click(String selector) {
        waitFor(
                selector + " to be shown",
                "(() => { const e = document.querySelector(" + quote(selector) + ");"
                        + " return !!e && !e.closest('[hidden]') && e.getClientRects().length > 0 && !e.disabled; })()");
        JsonNode box = eval("(() => { const e = document.querySelector(" + quote(selector) + ");"
                + " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
                + " return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()");
        for (String type : new String[] {"mousePressed", "mouseReleased"}) {
            send(
                    "Input.dispatchMouseEvent",
                    Map.of(
                            "type",
                            type,
                            "x",
                            box.path("x").asDouble(),
                            "y",
                            box.path("y").asDouble(),
                            "button",
                            "left",
                            "clickCount",
                            1));
        }
    }

    /** Focuses the field by clicking it and types the text into it. */
    void type(String selector, String text) {
        click(selector);
        send("Input.insertText", Map.of("text", text));
    }

    /** Presses and releases one key, e.g. Enter or Tab. */
    void press(String key, int keyCode) {
        String text = key.equals("Enter") ? "\r" : "";
        send(
                "Input.dispatchKeyEvent",
                Map.of("type", "keyDown", "key", key, "code", key, "windowsVirtualKeyCode", keyCode, "text", text));
        send(
                "Input.dispatchKeyEvent",
                Map.of("type", "keyUp", "key", key, "code", key, "windowsVirtualKeyCode", keyCode));
    }

    /** Lays the page out as on a screen of that size (a phone's: {@code mobile}). */
    void viewport(int width, int height, boolean mobile) {
        send(
                "Emulation.setDeviceMetricsOverride",
                Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", mobile));
    }

    /** Saves a PNG of what is on the screen now. */
    Path screenshot(Path file) {
        JsonNode shot = send("Page.captureScreenshot", Map.of("format", "png"));
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, Base64.getDecoder().decode(shot.path("data").asText()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** What the page's console and security checks reported since the last call (and clears them). */
    List<String> complaints() {
        List<String> out = new ArrayList<>(complaints);
        complaints.removeAll(out);
        return out;
    }

    static String quote(String s) {
        try {
            return ApiClient.JSON.writeValueAsString(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        socket.abort(); // the browser goes with its process; no goodbye needed
        destroy(process);
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder: left for the system to clean
        }
    }

    private static void destroy(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
