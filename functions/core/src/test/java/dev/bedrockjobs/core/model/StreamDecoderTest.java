package dev.bedrockjobs.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.local.emulators.fixture.DocumentedBodies;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each family's streamed answer read into the reply its non-streamed form gives: the documented response of each
 * family in docs/bedrock-bodies, sent as that family's streaming events would carry it (its text cut into pieces,
 * one cut inside a run of white space and one next to a character outside the Basic Multilingual Plane).
 */
class StreamDecoderTest {
    private static final String EXTRA = " 👋 done";

    /** A family's streaming events for an answer: the text in pieces, the stop reason, then the counts. */
    private static List<JsonNode> events(
            ModelFamily family, List<String> pieces, String stop, long in, long out, boolean metrics) {
        List<JsonNode> chunks = new ArrayList<>();
        switch (family) {
            case ANTHROPIC -> {
                ObjectNode start = Json.object().put("type", "message_start");
                start.putObject("message")
                        .putObject("usage")
                        .put("input_tokens", in)
                        .put("output_tokens", 1);
                chunks.add(start);
                chunks.add(Json.object().put("type", "content_block_start").put("index", 0));
                for (String piece : pieces) {
                    ObjectNode delta =
                            Json.object().put("type", "content_block_delta").put("index", 0);
                    delta.putObject("delta").put("type", "text_delta").put("text", piece);
                    chunks.add(delta);
                }
                chunks.add(Json.object().put("type", "content_block_stop").put("index", 0));
                ObjectNode end = Json.object().put("type", "message_delta");
                end.putObject("delta").put("stop_reason", stop);
                end.putObject("usage").put("output_tokens", out);
                chunks.add(end);
                chunks.add(Json.object().put("type", "message_stop"));
            }
            case NOVA -> {
                ObjectNode start = Json.object();
                start.putObject("messageStart").put("role", "assistant");
                chunks.add(start);
                for (String piece : pieces) {
                    ObjectNode delta = Json.object();
                    delta.putObject("contentBlockDelta")
                            .put("contentBlockIndex", 0)
                            .putObject("delta")
                            .put("text", piece);
                    chunks.add(delta);
                }
                ObjectNode stopEvent = Json.object();
                stopEvent.putObject("messageStop").put("stopReason", stop);
                chunks.add(stopEvent);
                ObjectNode usage = Json.object();
                usage.putObject("metadata")
                        .putObject("usage")
                        .put("inputTokens", in)
                        .put("outputTokens", out);
                chunks.add(usage);
            }
            case META -> {
                for (int i = 0; i < pieces.size(); i++) {
                    ObjectNode chunk = Json.object().put("generation", pieces.get(i));
                    if (i == 0) {
                        chunk.put("prompt_token_count", in);
                    } else {
                        chunk.putNull("prompt_token_count");
                    }
                    chunk.put("generation_token_count", i == pieces.size() - 1 ? out : i + 1);
                    if (i == pieces.size() - 1) {
                        chunk.put("stop_reason", stop);
                    } else {
                        chunk.putNull("stop_reason");
                    }
                    chunks.add(chunk);
                }
            }
            case MISTRAL -> {
                for (int i = 0; i < pieces.size(); i++) {
                    ObjectNode chunk = Json.object();
                    ObjectNode output = chunk.putArray("outputs").addObject().put("text", pieces.get(i));
                    if (i == pieces.size() - 1) {
                        output.put("stop_reason", stop);
                    } else {
                        output.putNull("stop_reason");
                    }
                    chunks.add(chunk);
                }
            }
        }
        if (metrics) {
            ((ObjectNode) chunks.get(chunks.size() - 1))
                    .putObject("amazon-bedrock-invocationMetrics")
                    .put("inputTokenCount", in)
                    .put("outputTokenCount", out)
                    .put("invocationLatency", 900)
                    .put("firstByteLatency", 300);
        }
        return chunks;
    }

    /** The text cut after 1 code point, inside its first run of spaces, and before and after a 4-byte character. */
    private static List<String> cut(String text) {
        List<String> pieces = new ArrayList<>();
        int space = text.indexOf(' ', 2);
        int[] cuts = {text.offsetByCodePoints(0, 1), space + 1, text.indexOf("👋"), text.indexOf("👋") + 2};
        int from = 0;
        for (int at : cuts) {
            if (at > from && at < text.length()) {
                pieces.add(text.substring(from, at));
                from = at;
            }
        }
        pieces.add(text.substring(from));
        return pieces;
    }

    private record Documented(JsonNode body, String text, String stop, String textPointer) {}

    private static Documented documented(ModelFamily family) {
        return switch (family) {
            case ANTHROPIC -> documented("anthropic-claude-messages/response.json", "/content/0/text", "/stop_reason");
            case NOVA -> documented("amazon-nova/response.json", "/output/message/content/0/text", "/stopReason");
            case META -> documented("meta-llama/response.json", "/generation", "/stop_reason");
            case MISTRAL ->
                documented("mistral-text-completion/response.json", "/outputs/0/text", "/outputs/0/stop_reason");
        };
    }

    private static Documented documented(String file, String textPointer, String stopPointer) {
        JsonNode body = DocumentedBodies.read(file);
        String text = body.at(textPointer).asText() + EXTRA;
        setText(body, textPointer, text);
        return new Documented(body, text, body.at(stopPointer).asText(), textPointer);
    }

    private static void setText(JsonNode body, String pointer, String text) {
        int slash = pointer.lastIndexOf('/');
        ((ObjectNode) body.at(pointer.substring(0, slash))).put(pointer.substring(slash + 1), text);
    }

    @ParameterizedTest
    @EnumSource(ModelFamily.class)
    void theStreamedAnswerReadsAsTheSameAnswerNotStreamed(ModelFamily family) {
        ModelCodec codec = ModelCodecs.forFamily(family);
        Documented doc = documented(family);
        ModelReply whole = codec.readReply(doc.body(), ModelFixtures.DOCUMENTED_REQUEST);

        StreamDecoder decoder = codec.streamDecoder();
        StringBuilder deltas = new StringBuilder();
        for (JsonNode chunk :
                events(family, cut(doc.text()), doc.stop(), whole.inputTokens() + 3, whole.outputTokens() + 3, true)) {
            deltas.append(decoder.accept(chunk));
        }
        ModelReply streamed = decoder.reply(ModelFixtures.DOCUMENTED_REQUEST);
        assertEquals(whole.text(), deltas.toString(), "the deltas, as stored piece by piece");
        assertEquals(whole.text(), streamed.text());
        assertTrue(whole.text().endsWith(EXTRA));
        assertEquals(whole.stopReason(), streamed.stopReason());
        assertEquals(whole.rawStopReason(), streamed.rawStopReason());
        assertEquals(whole.inputTokens() + 3, streamed.inputTokens(), "the invocation metrics count");
        assertEquals(whole.outputTokens() + 3, streamed.outputTokens());
        assertFalse(streamed.tokensEstimated(), "every family's stream ends with Bedrock's counts");
    }

    @ParameterizedTest
    @CsvSource({"ANTHROPIC, false", "NOVA, false", "META, false", "MISTRAL, true"})
    void withoutTheInvocationMetricsTheFamilysOwnCountsServeOrAreEstimated(ModelFamily family, boolean estimated) {
        ModelCodec codec = ModelCodecs.forFamily(family);
        Documented doc = documented(family);
        StreamDecoder decoder = codec.streamDecoder();
        events(family, cut(doc.text()), doc.stop(), 40, 20, false).forEach(decoder::accept);
        ModelReply reply = decoder.reply(ModelFixtures.DOCUMENTED_REQUEST);
        assertEquals(estimated, reply.tokensEstimated());
        if (!estimated) {
            assertEquals(40, reply.inputTokens());
            assertEquals(20, reply.outputTokens());
        } else {
            assertEquals(
                    codec.readReply(doc.body(), ModelFixtures.DOCUMENTED_REQUEST)
                            .outputTokens(),
                    reply.outputTokens());
        }
    }

    @ParameterizedTest
    @EnumSource(ModelFamily.class)
    void aStreamThatBrokeOffGivesWhatCameWithoutAStopReason(ModelFamily family) {
        ModelCodec codec = ModelCodecs.forFamily(family);
        Documented doc = documented(family);
        List<JsonNode> chunks = events(family, cut(doc.text()), doc.stop(), 40, 20, true);
        StreamDecoder decoder = codec.streamDecoder();
        StringBuilder deltas = new StringBuilder();
        for (JsonNode chunk : chunks.subList(0, 3)) {
            deltas.append(decoder.accept(chunk));
        }
        ModelReply partial = decoder.reply(ModelFixtures.DOCUMENTED_REQUEST);
        assertEquals(deltas.toString(), partial.text());
        assertTrue(codec.readReply(doc.body(), ModelFixtures.DOCUMENTED_REQUEST)
                .text()
                .startsWith(partial.text()));
        assertEquals(StopReason.OTHER, partial.stopReason());
    }
}
