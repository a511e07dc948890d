package dev.bedrockjobs.local.emulators.sfn.asl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads the fields of one definition object (the machine, a state, a retrier...) and remembers which it read, so
 * that {@link #refuseUnread()} can name any field the engine does not implement.
 */
final class FieldReader {

    private final JsonNode object;
    private final String state;
    private final String prefix;
    private final Set<String> read = new HashSet<>();

    /**
     * @param state   the state's name for messages, or null at top level
     * @param prefix  the object's position inside the state, e.g. {@code Retry[0].}, or empty
     */
    FieldReader(JsonNode object, String state, String prefix) {
        this.state = state;
        this.prefix = prefix;
        if (!object.isObject()) {
            throw new AslDefinitionException(state, prefix.isEmpty() ? null : strip(prefix), "must be a JSON object");
        }
        this.object = object;
    }

    private static String strip(String prefix) {
        return prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix;
    }

    String state() {
        return state;
    }

    /** The field's position in the state, or the object's own position for an empty field name. */
    String location(String field) {
        return field.isEmpty() ? strip(prefix) : prefix + field;
    }

    AslDefinitionException invalid(String field, String problem) {
        return new AslDefinitionException(state, location(field), problem);
    }

    boolean has(String field) {
        return object.has(field);
    }

    /** The raw value (JSON null included), or null when absent. */
    JsonNode raw(String field) {
        read.add(field);
        return object.get(field);
    }

    String string(String field, boolean required) {
        JsonNode value = raw(field);
        if (value == null) {
            if (required) {
                throw invalid(field, "is required");
            }
            return null;
        }
        if (!value.isTextual()) {
            throw invalid(field, "must be a string");
        }
        return value.textValue();
    }

    /** An optional integer in [min, max], or null when absent. */
    Integer integer(String field, long min, long max) {
        JsonNode value = raw(field);
        if (value == null) {
            return null;
        }
        if (!value.canConvertToExactIntegral() || !value.isNumber()) {
            throw invalid(field, "must be an integer");
        }
        long number = value.longValue();
        if (number < min || number > max) {
            throw invalid(field, "must lie between " + min + " and " + max + ", not " + number);
        }
        return (int) number;
    }

    Double number(String field, double min) {
        JsonNode value = raw(field);
        if (value == null) {
            return null;
        }
        if (!value.isNumber()) {
            throw invalid(field, "must be a number");
        }
        if (value.doubleValue() < min) {
            throw invalid(field, "must be at least " + min);
        }
        return value.doubleValue();
    }

    boolean isTrue(String field) {
        JsonNode value = raw(field);
        if (value == null) {
            return false;
        }
        if (!value.isBoolean()) {
            throw invalid(field, "must be a boolean");
        }
        return value.booleanValue();
    }

    List<String> nonEmptyStrings(String field) {
        JsonNode value = raw(field);
        if (value == null) {
            throw invalid(field, "is required");
        }
        if (!value.isArray() || value.isEmpty()) {
            throw invalid(field, "must be a non-empty array of strings");
        }
        List<String> strings = new ArrayList<>();
        for (JsonNode item : value) {
            if (!item.isTextual()) {
                throw invalid(field, "must be a non-empty array of strings");
            }
            strings.add(item.textValue());
        }
        return strings;
    }

    /** Refuses every field that no reader asked for. */
    void refuseUnread() {
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!read.contains(name)) {
                throw AslDefinitionException.unsupported(state, location(name), "the field");
            }
        }
    }
}
