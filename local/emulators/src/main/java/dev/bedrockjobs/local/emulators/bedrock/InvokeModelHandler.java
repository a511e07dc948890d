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
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serves {@code POST /model/{modelId}/invoke} and {@code POST /model/{modelId}/invoke-with-response-stream};
 * everything else is an UnknownOperationException.
 */
final class InvokeModelHandler implements HttpHandler {

    // The SDK percent-encodes the model id, so ':' and '/' (ARNs, profile ids) arrive inside one path segment.
    private static final Pattern INVOKE_PATH = Pattern.compile("^/model/([^/]+)/(invoke|invoke-with-response-stream)$");
    private static final String INVOCATION_METRICS = "amazon-bedrock-invocationMetrics";
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
        long receivedNanos = System.nanoTime();
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
        boolean streaming = path.group(2).equals("invoke-with-response-stream");

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
        if (streaming) {
            List<StreamChunk> chunks = protocol.stream(modelId, request, completion, TextPiece.split(completion));
            stream(
                    exchange,
                    request,
                    completion,
                    chunks,
                    ScriptedFault.midStreamForCall(request.prompt(), callNumber),
                    receivedNanos);
            return;
        }
        ObjectNode body = protocol.render(modelId, request, completion, config.latencyMillis());

        exchange.getResponseHeaders().set("X-Amzn-Bedrock-Input-Token-Count", Integer.toString(request.inputTokens()));
        exchange.getResponseHeaders()
                .set("X-Amzn-Bedrock-Output-Token-Count", Integer.toString(completion.outputTokens()));
        exchange.getResponseHeaders().set("X-Amzn-Bedrock-Invocation-Latency", Long.toString(config.latencyMillis()));
        send(exchange, 200, body);
    }

    /**
     * Sends the chunks as event-stream messages, each flushed as soon as it is due, so a reader sees the answer
     * grow. A mid-stream fault replaces the rest of the stream with one exception message, as Bedrock ends a stream
     * it cannot finish; the HTTP status has long been sent by then.
     */
    private void stream(
            HttpExchange exchange,
            ModelRequest request,
            Completion completion,
            List<StreamChunk> chunks,
            Optional<ScriptedFault.MidStream> fault,
            long receivedNanos)
            throws IOException, InterruptedException {
        exchange.getResponseHeaders().set("Content-Type", "application/vnd.amazon.eventstream");
        exchange.getResponseHeaders().set("X-Amzn-Bedrock-Content-Type", "application/json");
        exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
        exchange.sendResponseHeaders(200, 0);
        long[] offsets = StreamSchedule.sendOffsetsNanos(chunks, config.tokensPerSecond());
        int breakAt =
                fault.map(f -> Math.min(f.afterChunks(), chunks.size() - 1)).orElse(-1);
        try (OutputStream out = exchange.getResponseBody()) {
            long firstChunkNanos = System.nanoTime();
            for (int i = 0; i < chunks.size(); i++) {
                if (i == breakAt) {
                    out.write(streamException(fault.get().error()));
                    out.flush();
                    return;
                }
                long wait = firstChunkNanos + offsets[i] - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                ObjectNode body = chunks.get(i).body();
                if (i == chunks.size() - 1) {
                    long now = System.nanoTime();
                    body.putObject(INVOCATION_METRICS)
                            .put("inputTokenCount", request.inputTokens())
                            .put("outputTokenCount", completion.outputTokens())
                            .put("invocationLatency", TimeUnit.NANOSECONDS.toMillis(now - receivedNanos))
                            .put("firstByteLatency", TimeUnit.NANOSECONDS.toMillis(firstChunkNanos - receivedNanos));
                }
                out.write(EventStreamMessage.chunk(chunkPayload(body)));
                out.flush();
            }
        }
    }

    /** An event's payload: the chunk body's bytes, base64 as JSON carries a blob. */
    private static byte[] chunkPayload(ObjectNode body) {
        byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
        return Json.write(Json.object().put("bytes", Base64.getEncoder().encodeToString(bytes)))
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] streamException(BedrockError error) {
        ObjectNode payload = Json.object().put("message", error.getMessage());
        if (error.type().equals("ModelStreamErrorException")) {
            // the model's own failure, which Bedrock reports beside its message
            payload.put("originalStatusCode", 500).put("originalMessage", error.getMessage());
        }
        return EventStreamMessage.exception(
                error.streamMemberName(), Json.write(payload).getBytes(StandardCharsets.UTF_8));
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
