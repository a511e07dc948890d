package dev.bedrockjobs.core.domain;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The one ObjectMapper of the service: strict on input (no duplicates, no trailing garbage, bounded nesting). */
public final class Json {
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();

    static {
        MAPPER.getFactory()
                .setStreamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(64)
                        .maxNumberLength(64)
                        .maxStringLength(2_000_000)
                        .build());
    }

    private Json() {}

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** Parses a request body; any syntax problem becomes a validation error on the body as a whole. */
    public static JsonNode parseBody(String body) {
        if (body == null || body.isBlank()) {
            throw ValidationException.of("body", "a JSON object is required");
        }
        try {
            return MAPPER.readTree(body);
        } catch (IOException e) {
            throw ValidationException.of(
                    "body",
                    "malformed JSON: "
                            + firstLine(
                                    e instanceof JsonProcessingException jpe
                                            ? jpe.getOriginalMessage()
                                            : e.getMessage()));
        }
    }

    public static JsonNode parse(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The parser's first line, without the name of the setting a limit comes from (Jackson appends "from
     * `StreamReadConstraints...`" to a nesting, number or string limit: internals a client has no use for).
     */
    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        String line = (nl < 0 ? s : s.substring(0, nl)).replaceAll(",? ?from `[^`]*`", "");
        return line.length() > 200 ? line.substring(0, 200) : line;
    }
}
