package dev.bedrockjobs.local.emulators.sfn.asl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Where a state's result goes in its output: {@code $} (the default) replaces the input by the result, JSON
 * {@code null} discards the result and passes the input through, and a reference path such as {@code $.a.b}
 * writes the result there in a copy of the input, creating the missing objects on the way. Only field steps are
 * implemented in reference paths.
 */
public final class ResultPath {

    public static final ResultPath ROOT = new ResultPath(null, false);
    public static final ResultPath DISCARD = new ResultPath(null, true);

    private final JsonPath path;
    private final boolean discard;

    private ResultPath(JsonPath path, boolean discard) {
        this.path = path;
        this.discard = discard;
    }

    /**
     * @throws IllegalArgumentException for a context path or a path with array indexes
     */
    public static ResultPath of(JsonPath path) {
        if (path.isContext()) {
            throw new IllegalArgumentException("a ResultPath cannot point into the context object");
        }
        if (path.steps().stream().anyMatch(JsonPath.Step::isIndex)) {
            throw new IllegalArgumentException("array indexes in a ResultPath are not supported: " + path.text());
        }
        return path.steps().isEmpty() ? ROOT : new ResultPath(path, false);
    }

    /**
     * The state's output before OutputPath.
     *
     * @throws StatesError {@code States.Runtime} when the input (or an object on the way) is not an object
     */
    public JsonNode apply(JsonNode stateInput, JsonNode result) {
        if (discard) {
            return stateInput;
        }
        if (path == null) {
            return result;
        }
        if (!stateInput.isObject()) {
            throw StatesError.runtime("Unable to apply ResultPath '" + path.text() + "' to input "
                    + IoPath.abbreviate(stateInput) + ": the input is not an object");
        }
        ObjectNode output = ((ObjectNode) stateInput).deepCopy();
        ObjectNode parent = output;
        List<JsonPath.Step> steps = path.steps();
        for (int i = 0; i < steps.size() - 1; i++) {
            String field = steps.get(i).field();
            JsonNode child = parent.get(field);
            if (child == null || child.isNull()) {
                parent = parent.putObject(field);
            } else if (child.isObject()) {
                parent = (ObjectNode) child;
            } else {
                throw StatesError.runtime("Unable to apply ResultPath '" + path.text() + "': '" + field + "' holds a "
                        + child.getNodeType() + ", not an object");
            }
        }
        parent.set(steps.get(steps.size() - 1).field(), result);
        return output;
    }

    @Override
    public String toString() {
        return discard ? "null" : path == null ? "$" : path.text();
    }
}
