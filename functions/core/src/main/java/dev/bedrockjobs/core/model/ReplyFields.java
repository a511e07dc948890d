package dev.bedrockjobs.core.model;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Locale;

/** Strict reads from a response body, failing with a message that names the family and the JSON pointer. */
final class ReplyFields {

    private ReplyFields() {
    }

    static JsonNode requireObject(JsonNode body, ModelFamily family) {
        if (body == null || !body.isObject()) {
            throw fail(family, "response body must be a JSON object, got " + describe(body));
        }
        return body;
    }

    static JsonNode requireArray(JsonNode body, String pointer, ModelFamily family) {
        JsonNode node = body.at(pointer);
        if (!node.isArray()) {
            throw fail(family, pointer + " must be an array, got " + describe(node));
        }
        return node;
    }

    static String requireText(JsonNode body, String pointer, ModelFamily family) {
        JsonNode node = body.at(pointer);
        if (!node.isTextual()) {
            throw fail(family, pointer + " must be a string, got " + describe(node));
        }
        return node.textValue();
    }

    /** A string, or null when the field is missing or JSON null. */
    static String optionalText(JsonNode body, String pointer, ModelFamily family) {
        JsonNode node = body.at(pointer);
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw fail(family, pointer + " must be a string, got " + describe(node));
        }
        return node.textValue();
    }

    static long requireTokenCount(JsonNode body, String pointer, ModelFamily family) {
        JsonNode node = body.at(pointer);
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0) {
            throw fail(family, pointer + " must be a non-negative integer, got " + describe(node));
        }
        return node.longValue();
    }

    /** Roughly four characters per token: the usual rule of thumb for English text with BPE tokenizers. */
    static long estimateTokens(String text) {
        long chars = text.codePointCount(0, text.length());
        return (chars + 3) / 4;
    }

    private static ModelReplyException fail(ModelFamily family, String problem) {
        return new ModelReplyException(family.displayName() + " response: " + problem);
    }

    private static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        return node.getNodeType().name().toLowerCase(Locale.ROOT);
    }
}
