package dev.bedrockjobs.local.emulators.sfn.asl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The JSONPath subset the engine implements: a root ({@code $} for the state's data, {@code $$} for the context
 * object) followed by field steps ({@code .name}, {@code ['name']}) and array indexes ({@code [0]}). Every
 * path it accepts selects at most one node, which is what Step Functions' "Paths" (as opposed to filters) are.
 * Wildcards, recursive descent, filters, slices, unions and negative indexes are refused at parse time.
 */
public final class JsonPath {

    /** One step: a field name, or an array index when {@code index >= 0}. */
    record Step(String field, int index) {
        boolean isIndex() {
            return index >= 0;
        }
    }

    public static final JsonPath ROOT = parse("$");

    private final String text;
    private final boolean context;
    private final List<Step> steps;

    private JsonPath(String text, boolean context, List<Step> steps) {
        this.text = text;
        this.context = context;
        this.steps = Collections.unmodifiableList(steps);
    }

    /**
     * @throws IllegalArgumentException saying which part of the path is invalid or unsupported
     */
    public static JsonPath parse(String text) {
        if (text == null || !text.startsWith("$")) {
            throw new IllegalArgumentException("a path must start with '$': " + text);
        }
        boolean context = text.startsWith("$$");
        int i = context ? 2 : 1;
        List<Step> steps = new ArrayList<>();
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '.') {
                if (i + 1 < text.length() && text.charAt(i + 1) == '.') {
                    throw new IllegalArgumentException("recursive descent '..' in " + text + " is not supported");
                }
                int end = i + 1;
                while (end < text.length() && text.charAt(end) != '.' && text.charAt(end) != '[') {
                    end++;
                }
                String name = text.substring(i + 1, end);
                if (name.isEmpty()) {
                    throw new IllegalArgumentException("empty field name in " + text);
                }
                if (name.contains("*")) {
                    throw new IllegalArgumentException("wildcard in " + text + " is not supported");
                }
                steps.add(new Step(name, -1));
                i = end;
            } else if (c == '[') {
                int close = text.indexOf(']', i);
                if (close < 0) {
                    throw new IllegalArgumentException("unclosed '[' in " + text);
                }
                String inside = text.substring(i + 1, close);
                if (inside.length() >= 2
                        && (inside.charAt(0) == '\'' || inside.charAt(0) == '"')
                        && inside.charAt(inside.length() - 1) == inside.charAt(0)) {
                    steps.add(new Step(inside.substring(1, inside.length() - 1), -1));
                } else if (!inside.isEmpty() && inside.chars().allMatch(Character::isDigit)) {
                    steps.add(new Step(null, Integer.parseInt(inside)));
                } else {
                    throw new IllegalArgumentException("'[" + inside + "]' in " + text
                            + " is not supported (only [n] indexes and ['name'] fields are)");
                }
                i = close + 1;
            } else {
                throw new IllegalArgumentException("unexpected '" + c + "' at position " + i + " of " + text);
            }
        }
        return new JsonPath(text, context, steps);
    }

    public String text() {
        return text;
    }

    /** Whether the path reads the context object ({@code $$...}). */
    public boolean isContext() {
        return context;
    }

    List<Step> steps() {
        return steps;
    }

    /** The names of the leading field steps, e.g. {@code [State, RetryCount]} for {@code $$.State.RetryCount}. */
    public List<String> leadingFields() {
        List<String> fields = new ArrayList<>();
        for (Step step : steps) {
            if (step.isIndex()) {
                break;
            }
            fields.add(step.field());
        }
        return fields;
    }

    /**
     * The node this path selects from the state data or, for {@code $$} paths, the context object; empty when a
     * step is missing. A JSON {@code null} that is present is returned as a null node, not as empty.
     */
    public Optional<JsonNode> read(JsonNode data, JsonNode contextObject) {
        JsonNode node = context ? contextObject : data;
        for (Step step : steps) {
            if (node == null) {
                return Optional.empty();
            }
            node = step.isIndex()
                    ? (node.isArray() ? node.get(step.index()) : null)
                    : (node.isObject() ? node.get(step.field()) : null);
        }
        return Optional.ofNullable(node);
    }

    @Override
    public String toString() {
        return text;
    }
}
