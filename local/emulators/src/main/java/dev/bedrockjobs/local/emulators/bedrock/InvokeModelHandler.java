package dev.bedrockjobs.local.emulators.bedrock;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.bedrockjobs.local.emulators.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Serves {@code POST /model/{modelId}/invoke}; everything else is an UnknownOperationException. */
final class InvokeModelHandler implements HttpHandler {

    // The SDK percent-encodes the model id, so ':' and '/' (ARNs, profile ids) arrive inside one path segment.
    private static final Pattern INVOKE_PATH = Pattern.compile("^/model/([^/]+)/invoke$");
    private static final String ERROR_TYPE_SUFFIX = ":http://internal.amazon.com/coral/com.amazon.bedrock/";

    private final BedrockSimulator.Config config;
    private final CallCounts calls;
    private final Random random;

    InvokeModelHandler(BedrockSimulator.Config config, CallCounts calls) {
        this.config = config;
        this.calls = calls;
        this.random = new Random(config.seed());
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            try {
                invoke(exchange);
            } catch (BedrockError error) {
                sendError(exchange, error);
            } catch (InterruptedException simulatorClosing) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void invoke(HttpExchange exchange) throws IOException, InterruptedException {
        String rawPath = exchange.getRequestURI().getRawPath();
        Matcher path = INVOKE_PATH.matcher(rawPath);
        byte[] requestBytes = readAll(exchange.getRequestBody());
        if (!"POST".equals(exchange.getRequestMethod()) || !path.matches()) {
            throw BedrockError.unknownOperation(exchange.getRequestMethod(), rawPath);
        }
        calls.recordRequest();
        String modelId = URLDecoder.decode(path.group(1), StandardCharsets.UTF_8);
        ModelProtocol protocol = ModelFamily.of(modelId)
                .orElseThrow(() -> BedrockError.validation("The provided model identifier is invalid."))
                .protocol();
        ModelRequest request = protocol.parse(modelId, parseBody(requestBytes));
        int callNumber = calls.recordCall(modelId, request.prompt());

        Optional<ScriptedFault> fault =
                ScriptedFault.forCall(request.prompt(), callNumber).or(this::randomFault);
        if (fault.isPresent()) {
            if (fault.get().hang()) {
                Thread.sleep(config.hangDuration().toMillis());
            }
            throw fault.get().error();
        }
        if (config.latencyMillis() > 0) {
            Thread.sleep(config.latencyMillis());
        }
        Completion completion = ReviewTextGenerator.generate(request.prompt(), request.maxTokens());
        ObjectNode body = protocol.render(modelId, request, completion, config.latencyMillis());

        exchange.getResponseHeaders().set("X-Amzn-Bedrock-Input-Token-Count", Integer.toString(request.inputTokens()));
        exchange.getResponseHeaders()
                .set("X-Amzn-Bedrock-Output-Token-Count", Integer.toString(completion.outputTokens()));
        exchange.getResponseHeaders().set("X-Amzn-Bedrock-Invocation-Latency", Long.toString(config.latencyMillis()));
        send(exchange, 200, body);
    }

    private static JsonNode parseBody(byte[] bytes) {
        try {
            JsonNode body = Json.parse(new String(bytes, StandardCharsets.UTF_8));
            if (body == null || body.isMissingNode()) {
                throw BedrockError.validation("Malformed input request, please reformat your input and try again.");
            }
            return body;
        } catch (JsonProcessingException e) {
            throw BedrockError.validation("Malformed input request, please reformat your input and try again.");
        }
    }

    /** One draw decides among throttle, 5xx, hang and success, so the rates are exact shares of the calls. */
    private Optional<ScriptedFault> randomFault() {
        if (config.throttleRate() == 0 && config.failureRate() == 0 && config.hangRate() == 0) {
            return Optional.empty();
        }
        double draw;
        boolean unavailable;
        synchronized (random) {
            draw = random.nextDouble();
            unavailable = random.nextBoolean();
        }
        if (draw < config.throttleRate()) {
            return Optional.of(ScriptedFault.failWith(BedrockError.throttling()));
        }
        draw -= config.throttleRate();
        if (draw < config.failureRate()) {
            return Optional.of(
                    ScriptedFault.failWith(unavailable ? BedrockError.serviceUnavailable() : BedrockError.internal()));
        }
        draw -= config.failureRate();
        if (draw < config.hangRate()) {
            return Optional.of(ScriptedFault.hangThenTimeout());
        }
        return Optional.empty();
    }

    private static void sendError(HttpExchange exchange, BedrockError error) throws IOException {
        exchange.getResponseHeaders().set("x-amzn-ErrorType", error.type() + ERROR_TYPE_SUFFIX);
        ObjectNode body = Json.object().put("message", error.getMessage());
        send(exchange, error.status(), body);
    }

    private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }
}
