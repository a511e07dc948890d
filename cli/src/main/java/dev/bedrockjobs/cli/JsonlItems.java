package dev.bedrockjobs.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The items of a batch from a JSON Lines file, one {@code {customId?, prompt, system?, model?, maxTokens?,
 * temperature?, metadata?}} object per line (blank lines are skipped). Mistakes are reported all at once, each with
 * its line number; the API's own validation errors ({@code items[3].prompt}) are translated back to lines by
 * {@link #label(String)}.
 */
public final class JsonlItems {
    static final Set<String> FIELDS =
            Set.of("customId", "prompt", "system", "model", "maxTokens", "temperature", "metadata");
    static final String FIELD_LIST = "customId, prompt, system, model, maxTokens, temperature, metadata";
    static final int MAX_REPORTED_ERRORS = 20;
    private static final Pattern ITEM_FIELD = Pattern.compile("^items\\[(\\d+)]");

    /** One item and the line it came from (1-based). */
    public record Item(int line, ObjectNode json) {}

    private final String source;
    private final List<Item> items;

    private JsonlItems(String source, List<Item> items) {
        this.source = source;
        this.items = List.copyOf(items);
    }

    public List<Item> items() {
        return items;
    }

    /** @see #parse(String, BufferedReader) */
    public static JsonlItems parse(String source, String text) {
        try {
            return parse(source, new BufferedReader(new StringReader(text)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param source the file's name, for messages
     * @throws CliException (usage) listing every line that is not a valid item, or when there is no item at all
     */
    public static JsonlItems parse(String source, BufferedReader in) throws IOException {
        List<Item> items = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        Map<String, Integer> customIds = new HashMap<>();
        int errorCount = 0;
        String line;
        int n = 0;
        while ((line = in.readLine()) != null) {
            n++;
            if (n == 1 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            if (line.isBlank()) {
                continue;
            }
            List<String> problems = new ArrayList<>();
            ObjectNode item = check(line, problems);
            if (item != null
                    && item.get("customId") != null
                    && item.get("customId").isTextual()) {
                Integer first = customIds.putIfAbsent(item.get("customId").textValue(), n);
                if (first != null) {
                    problems.add(
                            "customId '" + item.get("customId").textValue() + "' is already used on line " + first);
                }
            }
            if (problems.isEmpty()) {
                items.add(new Item(n, item));
            } else {
                for (String p : problems) {
                    if (errorCount++ < MAX_REPORTED_ERRORS) {
                        errors.add(source + ":" + n + ": " + p);
                    }
                }
            }
        }
        if (!errors.isEmpty()) {
            StringBuilder sb =
                    new StringBuilder(source + " has " + errorCount + " error" + (errorCount == 1 ? "" : "s") + ":");
            errors.forEach(e -> sb.append("\n  ").append(e));
            if (errorCount > errors.size()) {
                sb.append("\n  ... and ").append(errorCount - errors.size()).append(" more");
            }
            throw CliException.usage(sb.toString());
        }
        if (items.isEmpty()) {
            throw CliException.usage(source + " has no items: write one JSON object per line, e.g. "
                    + "{\"customId\": \"a\", \"prompt\": \"...\"}");
        }
        return new JsonlItems(source, items);
    }

    private static ObjectNode check(String line, List<String> problems) {
        JsonNode node;
        try {
            node = Json.parse(line);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() != null && e.getLocation().getColumnNr() > 0
                    ? " (column " + e.getLocation().getColumnNr() + ")"
                    : "";
            problems.add("not valid JSON" + where + ": " + e.getOriginalMessage());
            return null;
        }
        if (!node.isObject()) {
            problems.add("must be a JSON object, not " + describe(node));
            return null;
        }
        ObjectNode o = (ObjectNode) node;
        o.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                problems.add("unknown field '" + f + "' (an item has " + FIELD_LIST + ")");
            }
        });
        JsonNode prompt = o.get("prompt");
        if (prompt == null || prompt.isNull()) {
            problems.add("'prompt' is required");
        } else if (!prompt.isTextual() || prompt.textValue().isBlank()) {
            problems.add("'prompt' must be non-blank text");
        }
        JsonNode customId = o.get("customId");
        if (customId != null && !(customId.isTextual() && !customId.textValue().isEmpty())) {
            problems.add("'customId' must be non-empty text");
        }
        JsonNode system = o.get("system");
        if (system != null && !system.isNull() && !system.isTextual()) {
            problems.add("'system' must be text");
        }
        JsonNode model = o.get("model");
        if (model != null && !model.isNull() && !(model.isTextual() && ModelTier.isTier(model.textValue()))) {
            problems.add("'model' must be one of " + ModelTier.NAMES);
        }
        JsonNode maxTokens = o.get("maxTokens");
        if (maxTokens != null
                && !maxTokens.isNull()
                && !(maxTokens.canConvertToInt() && maxTokens.isIntegralNumber() && maxTokens.intValue() > 0)) {
            problems.add("'maxTokens' must be a positive whole number");
        }
        JsonNode temperature = o.get("temperature");
        if (temperature != null && !temperature.isNull() && !temperature.isNumber()) {
            problems.add("'temperature' must be a number");
        }
        JsonNode metadata = o.get("metadata");
        if (metadata != null && !metadata.isNull()) {
            if (!metadata.isObject()) {
                problems.add("'metadata' must be an object of text values");
            } else {
                metadata.fields().forEachRemaining(e -> {
                    if (!e.getValue().isTextual()) {
                        problems.add("metadata '" + e.getKey() + "' must be text");
                    }
                });
            }
        }
        return o;
    }

    private static String describe(JsonNode n) {
        return switch (n.getNodeType()) {
            case ARRAY -> "an array";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            default -> n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** {@code items[3].prompt} becomes {@code items[3].prompt (batch.jsonl line 7)}; other names stay as they are. */
    public String label(String field) {
        if (field == null) {
            return null;
        }
        Matcher m = ITEM_FIELD.matcher(field);
        if (m.find()) {
            int index = Integer.parseInt(m.group(1));
            if (index < items.size()) {
                return field + " (" + source + " line " + items.get(index).line() + ")";
            }
        }
        return field;
    }
}
