package dev.bedrockjobs.local.emulators.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.local.emulators.Json;
import dev.bedrockjobs.local.emulators.RepoRoot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The InvokeModel bodies AWS documents for each model family, kept once for the codecs' and the simulator's tests in
 * {@code docs/bedrock-bodies} (its README names the AWS page of each file).
 */
final class DocumentedBodies {

    private DocumentedBodies() {
    }

    /** A body by its path under {@code docs/bedrock-bodies}, e.g. {@code amazon-nova/response.json}. */
    static ObjectNode read(String name) {
        Path file = RepoRoot.require().resolve("docs/bedrock-bodies").resolve(name);
        try {
            return (ObjectNode) Json.parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the documented body " + file, e);
        }
    }

    /**
     * Where {@code actual} departs from the shape of the documented body, one line per JSON pointer: a field
     * missing, a field the documentation lacks, or another JSON type. Values are not compared. An array element fits
     * when it has the shape of one of the documented elements.
     */
    static List<String> shapeDifferences(JsonNode documented, JsonNode actual) {
        List<String> differences = new ArrayList<>();
        collect("", documented, actual, differences);
        return differences;
    }

    private static void collect(String pointer, JsonNode documented, JsonNode actual, List<String> differences) {
        String where = pointer.isEmpty() ? "/" : pointer;
        if (!kind(documented).equals(kind(actual))) {
            differences.add(where + " is " + kind(actual) + ", documented as " + kind(documented));
            return;
        }
        if (actual.isObject()) {
            TreeSet<String> names = new TreeSet<>();
            documented.fieldNames().forEachRemaining(names::add);
            actual.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                if (!actual.has(name)) {
                    differences.add(pointer + "/" + name + " is documented but missing");
                } else if (!documented.has(name)) {
                    differences.add(pointer + "/" + name + " is not a documented field");
                } else {
                    collect(pointer + "/" + name, documented.get(name), actual.get(name), differences);
                }
            }
        } else if (actual.isArray()) {
            if (actual.isEmpty() && !documented.isEmpty()) {
                differences.add(where + " is empty, documented with elements");
            }
            for (int i = 0; i < actual.size(); i++) {
                if (!fitsOneOf(documented, actual.get(i))) {
                    differences.add(pointer + "/" + i + " has the shape of no documented element");
                }
            }
        }
    }

    private static boolean fitsOneOf(JsonNode documentedElements, JsonNode element) {
        for (Iterator<JsonNode> it = documentedElements.elements(); it.hasNext(); ) {
            if (shapeDifferences(it.next(), element).isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** The JSON type, integers told apart from other numbers since token counts must be integers. */
    private static String kind(JsonNode node) {
        if (node.isIntegralNumber()) {
            return "integer";
        }
        if (node.isNumber()) {
            return "number";
        }
        return node.getNodeType().name().toLowerCase(Locale.ROOT);
    }
}
