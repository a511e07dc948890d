package dev.bedrockjobs.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The one Jackson mapper, and the few helpers the commands share for reading views. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private Json() {}

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** @throws JsonProcessingException when the text is not one JSON value */
    static JsonNode parse(String text) throws JsonProcessingException {
        return MAPPER.readTree(text);
    }

    static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String pretty(JsonNode node) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The text at {@code field}, or null when it is absent, null or not text. */
    static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v != null && v.isValueNode() && !v.isNull() ? v.asText() : null;
    }

    /** The number at {@code a.b} ({@code path} of field names), or 0. */
    static long count(JsonNode node, String... path) {
        JsonNode v = node;
        for (String p : path) {
            v = v == null ? null : v.get(p);
        }
        return v != null && v.isNumber() ? v.asLong() : 0L;
    }

    /** The cost in USD of a view ({@code cost.usd}), or 0. */
    static double usd(JsonNode node) {
        JsonNode v = node == null ? null : node.path("cost").get("usd");
        return v != null && v.isNumber() ? v.asDouble() : 0.0;
    }
}
