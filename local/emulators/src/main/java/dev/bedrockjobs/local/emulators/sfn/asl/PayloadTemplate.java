package dev.bedrockjobs.local.emulators.sfn.asl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A compiled {@code Parameters} or {@code ResultSelector} value. Keys ending in {@code .$} take their value from a
 * path ({@code $...} on the data, {@code $$...} on the context object) or an intrinsic function, and lose the
 * suffix in the output; other values are copied as they are. Objects nested in objects and arrays are processed
 * the same way, which is how Bedrock message lists such as {@code [{"role": "user", "content.$": "$.prompt"}]} work.
 */
public final class PayloadTemplate {

    private interface Node {
        JsonNode evaluate(JsonNode data, JsonNode contextObject);
    }

    private record Literal(JsonNode value) implements Node {
        @Override
        public JsonNode evaluate(JsonNode data, JsonNode contextObject) {
            return value.deepCopy();
        }
    }

    private record PathValue(String key, JsonPath path) implements Node {
        @Override
        public JsonNode evaluate(JsonNode data, JsonNode contextObject) {
            return path.read(data, contextObject)
                    .orElseThrow(() -> StatesError.runtime("The JSONPath '" + path.text()
                            + "' specified for the field '" + key + "' could not be found in the "
                            + (path.isContext() ? "context object" : "input " + IoPath.abbreviate(data))));
        }
    }

    private record IntrinsicValue(Intrinsic call) implements Node {
        @Override
        public JsonNode evaluate(JsonNode data, JsonNode contextObject) {
            return call.evaluate(data, contextObject);
        }
    }

    private record ObjectTemplate(List<Map.Entry<String, Node>> fields) implements Node {
        @Override
        public JsonNode evaluate(JsonNode data, JsonNode contextObject) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            for (Map.Entry<String, Node> field : fields) {
                out.set(field.getKey(), field.getValue().evaluate(data, contextObject));
            }
            return out;
        }
    }

    private record ArrayTemplate(List<Node> items) implements Node {
        @Override
        public JsonNode evaluate(JsonNode data, JsonNode contextObject) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            for (Node item : items) {
                out.add(item.evaluate(data, contextObject));
            }
            return out;
        }
    }

    private final Node root;
    private final Set<String> outputKeys;

    private PayloadTemplate(Node root, Set<String> outputKeys) {
        this.root = root;
        this.outputKeys = outputKeys;
    }

    /**
     * @param template  the field's JSON value
     * @param state     for error messages
     * @param field     {@code Parameters} or {@code ResultSelector}, for error messages
     * @throws AslDefinitionException for a bad {@code .$} value, path or intrinsic
     */
    static PayloadTemplate compile(JsonNode template, String state, String field) {
        Set<String> keys = new LinkedHashSet<>();
        if (template.isObject()) {
            template.fieldNames().forEachRemaining(name -> keys.add(stripSuffix(name)));
        }
        return new PayloadTemplate(node(template, state, field), Set.copyOf(keys));
    }

    private static Node node(JsonNode template, String state, String field) {
        if (template.isObject()) {
            List<Map.Entry<String, Node>> fields = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = template.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                String key = entry.getKey();
                String location = field + "." + key;
                Node value = key.endsWith(".$")
                        ? dynamicValue(stripSuffix(key), entry.getValue(), state, location)
                        : node(entry.getValue(), state, location);
                fields.add(Map.entry(stripSuffix(key), value));
            }
            return new ObjectTemplate(List.copyOf(fields));
        }
        if (template.isArray()) {
            List<Node> items = new ArrayList<>();
            for (int i = 0; i < template.size(); i++) {
                items.add(node(template.get(i), state, field + "[" + i + "]"));
            }
            return new ArrayTemplate(List.copyOf(items));
        }
        return new Literal(template);
    }

    private static Node dynamicValue(String key, JsonNode value, String state, String location) {
        if (!value.isTextual()) {
            throw new AslDefinitionException(
                    state,
                    location,
                    "the value of a '.$' field must be a path or an " + "intrinsic function string, not "
                            + value.getNodeType());
        }
        String text = value.textValue();
        if (Intrinsic.looksLikeCall(text)) {
            return new IntrinsicValue(Intrinsic.parse(text, state, location));
        }
        if (!text.startsWith("$")) {
            throw new AslDefinitionException(
                    state,
                    location,
                    "'" + text + "' is neither a path (starting with $) nor a States.* intrinsic function");
        }
        try {
            JsonPath path = JsonPath.parse(text);
            ContextPaths.check(path, state, location);
            return new PathValue(key + ".$", path);
        } catch (IllegalArgumentException e) {
            throw new AslDefinitionException(state, location, e.getMessage());
        }
    }

    private static String stripSuffix(String key) {
        return key.endsWith(".$") ? key.substring(0, key.length() - 2) : key;
    }

    /**
     * @throws StatesError {@code States.Runtime} when a path selects nothing or an intrinsic fails
     */
    public JsonNode evaluate(JsonNode data, JsonNode contextObject) {
        return root.evaluate(data, contextObject);
    }

    /** The top-level output keys (suffix removed), for checking a task's parameters at load time. */
    public Set<String> outputKeys() {
        return outputKeys;
    }

    /**
     * The value of a top-level field written as a constant (no {@code .$} suffix), so that a resource can refuse at
     * load time a value it cannot run; empty when the field is absent or computed at run time.
     */
    public Optional<JsonNode> constant(String key) {
        if (root instanceof ObjectTemplate object) {
            for (Map.Entry<String, Node> field : object.fields()) {
                if (field.getKey().equals(key) && field.getValue() instanceof Literal literal) {
                    return Optional.of(literal.value().deepCopy());
                }
            }
        }
        return Optional.empty();
    }
}
