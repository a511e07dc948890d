package dev.bedrockjobs.local.emulators.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Set;

/**
 * Checks of an InvokeModel body against a provider's request schema. Failures become the ValidationException
 * Bedrock sends for a schema violation, in its JSON-schema wording ({@code #/messages/0/role: ...}).
 */
final class RequestBodyRules {

    private RequestBodyRules() {}

    static BedrockError malformed(String detail) {
        return BedrockError.validation(
                "Malformed input request: " + detail + ", please reformat your input and try again.");
    }

    static void requireObject(JsonNode node, String pointer) {
        if (!node.isObject()) {
            throw malformed(pointer + ": expected type: JSONObject, found: " + typeName(node));
        }
    }

    static void allowOnly(JsonNode object, String pointer, Set<String> allowed) {
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw malformed(pointer + ": extraneous key [" + name + "] is not permitted");
            }
        }
    }

    static JsonNode required(JsonNode object, String pointer, String key) {
        JsonNode value = object.get(key);
        if (value == null || value.isNull()) {
            throw malformed(pointer + ": required key [" + key + "] not found");
        }
        return value;
    }

    static String requiredString(JsonNode object, String pointer, String key) {
        JsonNode value = required(object, pointer, key);
        if (!value.isTextual()) {
            throw malformed(pointer + "/" + key + ": expected type: String, found: " + typeName(value));
        }
        return value.textValue();
    }

    static JsonNode requiredArray(JsonNode object, String pointer, String key, int minItems) {
        JsonNode value = required(object, pointer, key);
        if (!value.isArray()) {
            throw malformed(pointer + "/" + key + ": expected type: JSONArray, found: " + typeName(value));
        }
        if (value.size() < minItems) {
            throw malformed(
                    pointer + "/" + key + ": expected minimum item count: " + minItems + ", found: " + value.size());
        }
        return value;
    }

    /** An optional integer within [min, max], or {@code fallback} when absent. */
    static int integer(JsonNode object, String pointer, String key, int min, int max, int fallback) {
        JsonNode value = object.get(key);
        if (value == null || value.isNull()) {
            return fallback;
        }
        return integerValue(value, pointer + "/" + key, min, max);
    }

    static int requiredInteger(JsonNode object, String pointer, String key, int min, int max) {
        return integerValue(required(object, pointer, key), pointer + "/" + key, min, max);
    }

    private static int integerValue(JsonNode value, String pointer, int min, int max) {
        if (!value.isIntegralNumber()) {
            throw malformed(pointer + ": expected type: Integer, found: " + typeName(value));
        }
        long number = value.longValue();
        if (number < min) {
            throw malformed(pointer + ": " + number + " is not greater or equal to " + min);
        }
        if (number > max) {
            throw malformed(pointer + ": " + number + " is not less or equal to " + max);
        }
        return (int) number;
    }

    /** Checks an optional number lies within [min, max]. */
    static void number(JsonNode object, String pointer, String key, double min, double max) {
        JsonNode value = object.get(key);
        if (value == null || value.isNull()) {
            return;
        }
        if (!value.isNumber()) {
            throw malformed(pointer + "/" + key + ": expected type: Number, found: " + typeName(value));
        }
        double number = value.doubleValue();
        if (number < min) {
            throw malformed(pointer + "/" + key + ": " + value.asText() + " is not greater or equal to " + format(min));
        }
        if (number > max) {
            throw malformed(pointer + "/" + key + ": " + value.asText() + " is not less or equal to " + format(max));
        }
    }

    /** Checks an optional array holds strings only. */
    static void stringArray(JsonNode object, String pointer, String key) {
        JsonNode value = object.get(key);
        if (value == null || value.isNull()) {
            return;
        }
        if (!value.isArray()) {
            throw malformed(pointer + "/" + key + ": expected type: JSONArray, found: " + typeName(value));
        }
        for (int i = 0; i < value.size(); i++) {
            if (!value.get(i).isTextual()) {
                throw malformed(
                        pointer + "/" + key + "/" + i + ": expected type: String, found: " + typeName(value.get(i)));
            }
        }
    }

    private static String format(double bound) {
        return bound == Math.rint(bound) ? Long.toString((long) bound) : Double.toString(bound);
    }

    private static String typeName(JsonNode node) {
        if (node.isTextual()) {
            return "String";
        }
        if (node.isIntegralNumber()) {
            return "Integer";
        }
        if (node.isNumber()) {
            return "BigDecimal";
        }
        if (node.isBoolean()) {
            return "Boolean";
        }
        if (node.isArray()) {
            return "JSONArray";
        }
        if (node.isObject()) {
            return "JSONObject";
        }
        return "Null";
    }
}
