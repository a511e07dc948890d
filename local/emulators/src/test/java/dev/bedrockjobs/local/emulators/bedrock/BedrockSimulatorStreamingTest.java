package dev.bedrockjobs.local.emulators.bedrock;

import static dev.bedrockjobs.local.emulators.bedrock.BedrockSimulatorIntegrationTest.CLAUDE;
import static dev.bedrockjobs.local.emulators.bedrock.BedrockSimulatorIntegrationTest.LLAMA;
import static dev.bedrockjobs.local.emulators.bedrock.BedrockSimulatorIntegrationTest.MISTRAL;
import static dev.bedrockjobs.local.emulators.bedrock.BedrockSimulatorIntegrationTest.NOVA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.local.emulators.Json;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.InternalServerException;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelResponse;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithResponseStreamResponse;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithResponseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.ModelStreamErrorException;
import software.amazon.awssdk.services.bedrockruntime.model.ModelTimeoutException;
import software.amazon.awssdk.services.bedrockruntime.model.ServiceUnavailableException;
import software.amazon.awssdk.services.bedrockruntime.model.ThrottlingException;
import software.amazon.awssdk.services.bedrockruntime.model.ValidationException;

/** InvokeModelWithResponseStream, read by the SDK's own event-stream parser. */
class BedrockSimulatorStreamingTest {

    private static BedrockSimulator simulator;
    private static BedrockRuntimeClient bedrock;
    private static BedrockRuntimeAsyncClient streaming;

    @BeforeAll
    static void start() {
        simulator = new BedrockSimulator().start();
        bedrock = SimulatorClients.bedrock(simulator.endpoint());
        streaming = asyncClient(simulator.endpoint());
    }

    @AfterAll
    static void stop() {
        streaming.close();
        bedrock.close();
        simulator.close();
    }

    @BeforeEach
    void resetCounters() {
        simulator.calls().reset();
    }

    /** A family's request body and how its chunks carry text and usage. */
    record Family(
            String modelId,
            BiFunction<String, Integer, ObjectNode> body,
            Function<JsonNode, String> wholeText,
            Function<JsonNode, String> text,
            Function<List<JsonNode>, Integer> streamedOutputTokens) {
        @Override
        public String toString() {
            return modelId;
        }
    }

    static final Family CLAUDE_FAMILY = new Family(
            CLAUDE,
            ModelBodies::claude,
            whole -> whole.at("/content/0/text").asText(),
            chunk -> chunk.path("type").asText().equals("content_block_delta")
                    ? chunk.at("/delta/text").asText()
                    : "",
            chunks -> chunks.stream()
                    .filter(c -> c.path("type").asText().equals("message_delta"))
                    .findFirst()
                    .orElseThrow()
                    .at("/usage/output_tokens")
                    .asInt());
    static final Family LLAMA_FAMILY = new Family(
            LLAMA,
            ModelBodies::llama,
            whole -> whole.get("generation").asText(),
            chunk -> chunk.path("generation").asText(),
            chunks ->
                    chunks.get(chunks.size() - 1).path("generation_token_count").asInt());
    static final Family NOVA_FAMILY = new Family(
            NOVA,
            ModelBodies::nova,
            whole -> whole.at("/output/message/content/0/text").asText(),
            chunk -> chunk.at("/contentBlockDelta/delta/text").asText(),
            chunks -> chunks.get(chunks.size() - 1)
                    .at("/metadata/usage/outputTokens")
                    .asInt());
    // Mistral streams no usage of its own: only Bedrock's invocation metrics count its tokens.
    static final Family MISTRAL_FAMILY = new Family(
            MISTRAL,
            ModelBodies::mistral,
            whole -> whole.at("/outputs/0/text").asText(),
            chunk -> chunk.at("/outputs/0/text").asText(),
            chunks -> null);

    static Stream<Arguments> familiesAndBudgets() {
        return Stream.of(CLAUDE_FAMILY, LLAMA_FAMILY, NOVA_FAMILY, MISTRAL_FAMILY)
                .flatMap(family -> Stream.of(Arguments.of(family, 1000), Arguments.of(family, 7)));
    }

    @ParameterizedTest(name = "{0}, max tokens {1}")
    @MethodSource("familiesAndBudgets")
    void theStreamedTextAndTokensAreThoseOfTheNonStreamedAnswer(Family family, int maxTokens) {
        ObjectNode body = family.body().apply("Review this diff: +return cache.get(key);", maxTokens);
        InvokeModelResponse whole = invoke(family.modelId(), body);
        String wholeText = family.wholeText().apply(parse(whole.body().asUtf8String()));
        int inputTokens = Integer.parseInt(header(whole, "X-Amzn-Bedrock-Input-Token-Count"));
        int outputTokens = Integer.parseInt(header(whole, "X-Amzn-Bedrock-Output-Token-Count"));

        Streamed streamed = stream(family.modelId(), body);

        assertNull(streamed.error());
        assertTrue(streamed.chunks().size() > 2, "chunks: " + streamed.chunks().size());
        assertEquals(wholeText, streamed.chunks().stream().map(family.text()).collect(Collectors.joining()));
        JsonNode last = streamed.chunks().get(streamed.chunks().size() - 1);
        JsonNode metrics = last.get("amazon-bedrock-invocationMetrics");
        assertEquals(inputTokens, metrics.get("inputTokenCount").asInt());
        assertEquals(outputTokens, metrics.get("outputTokenCount").asInt());
        assertTrue(metrics.get("invocationLatency").isIntegralNumber());
        assertTrue(metrics.get("firstByteLatency").asLong()
                <= metrics.get("invocationLatency").asLong());
        Integer streamedOutputTokens = family.streamedOutputTokens().apply(streamed.chunks());
        if (streamedOutputTokens != null) {
            assertEquals(outputTokens, streamedOutputTokens);
        }
        streamed.chunks()
                .subList(0, streamed.chunks().size() - 1)
                .forEach(chunk -> assertTrue(
                        !chunk.has("amazon-bedrock-invocationMetrics"), "metrics before the last chunk: " + chunk));
        assertEquals("application/json", streamed.response().contentType());
    }

    @Test
    void claudeStreamsTheMessagesEventsInOrder() {
        Streamed streamed = stream(CLAUDE, ModelBodies.claude("Summarise the change.", 1000));

        List<String> types =
                streamed.chunks().stream().map(c -> c.get("type").asText()).toList();
        assertEquals("message_start", types.get(0));
        assertEquals("content_block_start", types.get(1));
        assertEquals(
                List.of("content_block_stop", "message_delta", "message_stop"),
                types.subList(types.size() - 3, types.size()));
        types.subList(2, types.size() - 3).forEach(t -> assertEquals("content_block_delta", t));
        JsonNode start = streamed.chunks().get(0).get("message");
        assertEquals("claude-sonnet-4-5-20250929", start.get("model").asText());
        assertTrue(start.get("id").asText().startsWith("msg_bdrk_"));
        assertTrue(start.get("stop_reason").isNull());
        assertEquals("text_delta", streamed.chunks().get(2).at("/delta/type").asText());
        assertEquals(
                "end_turn",
                streamed.chunks().get(types.size() - 2).at("/delta/stop_reason").asText());
    }

    @Test
    void aTruncatedStreamEndsWithTheBudgetStopReason() {
        Streamed llama = stream(LLAMA, ModelBodies.llama("Summarise the change.", 5));
        Streamed nova = stream(NOVA, ModelBodies.nova("Summarise the change.", 5));

        assertEquals(
                "length",
                llama.chunks().get(llama.chunks().size() - 1).get("stop_reason").asText());
        assertTrue(llama.chunks().get(0).get("stop_reason").isNull());
        assertEquals(
                "max_tokens",
                nova.chunks().stream()
                        .filter(c -> c.has("messageStop"))
                        .findFirst()
                        .orElseThrow()
                        .at("/messageStop/stopReason")
                        .asText());
    }

    @Test
    void aFaultBeforeTheFirstChunkIsAnHttpErrorWithNoChunkDelivered() {
        ObjectNode body = ModelBodies.claude("Review [[throttle:1]] this.", 1000);

        Streamed throttled = stream(CLAUDE, body);
        Streamed retried = stream(CLAUDE, body);

        assertInstanceOf(ThrottlingException.class, throttled.error());
        assertEquals(429, ((ThrottlingException) throttled.error()).statusCode());
        assertEquals(List.of(), throttled.chunks());
        assertNull(retried.error());
        assertEquals(
                "message_stop",
                retried.chunks().get(retried.chunks().size() - 1).get("type").asText());
    }

    @Test
    void aMidStreamFaultDeliversTheScriptedChunksThenTheStreamsException() {
        ObjectNode body = ModelBodies.nova("Review [[midstream:3]] this.", 1000);

        Streamed broken = stream(NOVA, body);
        Streamed retried = stream(NOVA, body);

        assertInstanceOf(ModelStreamErrorException.class, broken.error());
        ModelStreamErrorException error = (ModelStreamErrorException) broken.error();
        assertEquals(500, error.originalStatusCode());
        assertEquals(3, broken.chunks().size());
        assertNull(retried.error());
        assertTrue(retried.chunks().get(retried.chunks().size() - 1).has("metadata"));
    }

    static Stream<Arguments> midStreamKinds() {
        return Stream.of(
                Arguments.of("modelstream", ModelStreamErrorException.class),
                Arguments.of("throttling", ThrottlingException.class),
                Arguments.of("internal", InternalServerException.class),
                Arguments.of("timeout", ModelTimeoutException.class),
                Arguments.of("validation", ValidationException.class),
                Arguments.of("unavailable", ServiceUnavailableException.class));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("midStreamKinds")
    void eachMidStreamKindReachesTheSdkAsItsExceptionClass(String kind, Class<? extends Throwable> expected) {
        ObjectNode body = ModelBodies.llama("Review [[midstream:2:" + kind + ":always]] this.", 1000);

        for (int call = 0; call < 2; call++) {
            Streamed broken = stream(LLAMA, body);

            assertInstanceOf(expected, broken.error());
            assertEquals(2, broken.chunks().size());
        }
    }

    @Test
    void aFaultScriptedPastTheEndStillBreaksTheStreamBeforeItsLastChunk() {
        ObjectNode body = ModelBodies.mistral("Review [[midstream:999]] this.", 1000);

        Streamed broken = stream(MISTRAL, body);
        Streamed whole = stream(MISTRAL, body);

        assertInstanceOf(ModelStreamErrorException.class, broken.error());
        assertEquals(whole.chunks().size() - 1, broken.chunks().size());
        assertNull(whole.error());
    }

    @Test
    void theNonStreamedInvokeIgnoresMidStreamMarkers() {
        InvokeModelResponse response = invoke(CLAUDE, ModelBodies.claude("Review [[midstream:1]] this.", 1000));

        assertEquals(200, response.sdkHttpResponse().statusCode());
    }

    @Test
    void aPacedStreamDeliversEveryChunkInOrder() {
        try (BedrockSimulator paced = new BedrockSimulator(BedrockSimulator.Config.builder()
                                .tokensPerSecond(5_000)
                                .latencyMillis(5)
                                .build())
                        .start();
                BedrockRuntimeAsyncClient client = asyncClient(paced.endpoint())) {
            ObjectNode body = ModelBodies.llama("Summarise the change.", 1000);

            Streamed fast = stream(streaming, LLAMA, body);
            Streamed slow = stream(client, LLAMA, body);

            assertNull(slow.error());
            assertEquals(
                    fast.chunks().stream()
                            .map(c -> c.get("generation").asText())
                            .toList(),
                    slow.chunks().stream()
                            .map(c -> c.get("generation").asText())
                            .toList());
            List<Integer> counts = slow.chunks().stream()
                    .map(c -> c.get("generation_token_count").asInt())
                    .toList();
            for (int i = 1; i < counts.size(); i++) {
                assertTrue(counts.get(i) > counts.get(i - 1), "token counts grow: " + counts);
            }
        }
    }

    record Streamed(InvokeModelWithResponseStreamResponse response, List<JsonNode> chunks, Throwable error) {}

    private static Streamed stream(String modelId, ObjectNode body) {
        return stream(streaming, modelId, body);
    }

    private static Streamed stream(BedrockRuntimeAsyncClient client, String modelId, ObjectNode body) {
        List<JsonNode> chunks = new CopyOnWriteArrayList<>();
        AtomicReference<InvokeModelWithResponseStreamResponse> response = new AtomicReference<>();
        InvokeModelWithResponseStreamResponseHandler handler = InvokeModelWithResponseStreamResponseHandler.builder()
                .onResponse(response::set)
                .subscriber(InvokeModelWithResponseStreamResponseHandler.Visitor.builder()
                        .onChunk(part -> chunks.add(parse(part.bytes().asUtf8String())))
                        .build())
                .build();
        try {
            client.invokeModelWithResponseStream(
                            b -> b.modelId(modelId)
                                    .contentType("application/json")
                                    .accept("application/json")
                                    .body(SdkBytes.fromUtf8String(Json.write(body))),
                            handler)
                    .get(1, TimeUnit.MINUTES);
            return new Streamed(response.get(), List.copyOf(chunks), null);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while (cause instanceof CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            return new Streamed(response.get(), List.copyOf(chunks), cause);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static BedrockRuntimeAsyncClient asyncClient(URI endpoint) {
        return BedrockRuntimeAsyncClient.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                // the SDK asks for HTTP/2 for this service; the simulator, like the SDKs that stream over HTTP/1.1,
                // speaks the older protocol, and the event-stream framing is the same on both
                .httpClientBuilder(NettyNioAsyncHttpClient.builder()
                        .protocol(Protocol.HTTP1_1)
                        .readTimeout(Duration.ofMinutes(1)))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    private static InvokeModelResponse invoke(String modelId, ObjectNode body) {
        return bedrock.invokeModel(b -> b.modelId(modelId)
                .contentType("application/json")
                .accept("application/json")
                .body(SdkBytes.fromUtf8String(Json.write(body))));
    }

    private static JsonNode parse(String json) {
        try {
            return Json.parse(json);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String header(InvokeModelResponse response, String name) {
        return response.sdkHttpResponse().firstMatchingHeader(name).orElseThrow();
    }
}
