package dev.bedrockjobs.local.emulators.sfn.asl;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.local.emulators.Json;

/**
 * An {@code InputPath} or {@code OutputPath}: absent means {@code $} (everything), JSON {@code null} means the
 * empty object {@code {}}, otherwise a path whose target must exist.
 */
public final class IoPath {

    public static final IoPath ALL = new IoPath(JsonPath.ROOT);
    public static final IoPath EMPTY = new IoPath(null);

    private final JsonPath path;

    private IoPath(JsonPath path) {
        this.path = path;
    }

    public static IoPath of(JsonPath path) {
        return path.text().equals("$") ? ALL : new IoPath(path);
    }

    /**
     * @throws StatesError {@code States.Runtime} when the path selects nothing
     */
    public JsonNode apply(String field, JsonNode data, JsonNode contextObject) {
        if (path == null) {
            return Json.object();
        }
        if (this == ALL) {
            return data;
        }
        return path.read(data, contextObject)
                .orElseThrow(() -> StatesError.runtime("Invalid path '" + path.text() + "' in " + field
                        + ": No results for path in " + abbreviate(data)));
    }

    static String abbreviate(JsonNode node) {
        String text = Json.write(node);
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }

    @Override
    public String toString() {
        return path == null ? "null" : path.text();
    }
}
