package dev.bedrockjobs.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.function.Predicate;

/** Strict reads from a response body, failing with a message that names the family and the JSON pointer. */
final class ReplyFields {

    private ReplyFields() {}

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
    /** The text of a content array's answer blocks, in order; other blocks (tool use, reasoning) are skipped. */
    static String answerText(JsonNode body, String contentPointer, Predicate<JsonNode> isAnswer, ModelFamily family) {
        JsonNode content = requireArray(body, contentPointer, family);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < content.size(); i++) {
            if (isAnswer.test(content.get(i))) {
                text.append(requireText(body, contentPointer + "/" + i + "/text", family));
            }
        }
        return text.toString();
    }

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
        return estimateTokens((long) text.codePointCount(0, text.length()));
    }

    /** As {@link #estimateTokens(String)}, for a text of that many code points. */
    static long estimateTokens(long codePoints) {
        return (codePoints + 3) / 4;
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
