package dev.bedrockjobs.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.local.emulators.RepoRoot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The InvokeModel bodies AWS documents for each model family, kept once for the codecs' and the simulator's tests in
 * {@code docs/bedrock-bodies} (its README names the AWS page of each file).
 */
public final class DocumentedBodies {

    static final String FOLDER = "docs/bedrock-bodies";

    private DocumentedBodies() {
    }

    /** A body by its path under {@code docs/bedrock-bodies}, e.g. {@code amazon-nova/response.json}. */
    public static JsonNode read(String name) {
        Path file = folder().resolve(name);
        try {
            return Json.MAPPER.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the documented body " + file, e);
        }
    }

    /**
     * Where {@code sent} leaves the documented body: a field the documentation does not have, or has with another
     * JSON type, one line per field as its JSON pointer. Values are not compared. An array element fits when it has
     * the shape of one of the documented elements.
     */
    static List<String> undocumentedFields(JsonNode documented, JsonNode sent) {
        List<String> problems = new ArrayList<>();
        collect("", documented, sent, problems);
        return problems;
    }

    private static void collect(String pointer, JsonNode documented, JsonNode sent, List<String> problems) {
        String where = pointer.isEmpty() ? "/" : pointer;
        if (!kind(documented).equals(kind(sent))) {
            problems.add(where + " is " + kind(sent) + ", documented as " + kind(documented));
            return;
        }
        if (sent.isObject()) {
            for (Map.Entry<String, JsonNode> field : sent.properties()) {
                JsonNode documentedValue = documented.get(field.getKey());
                if (documentedValue == null) {
                    problems.add(pointer + "/" + field.getKey() + " is not a documented field");
                } else {
                    collect(pointer + "/" + field.getKey(), documentedValue, field.getValue(), problems);
                }
            }
        } else if (sent.isArray()) {
            for (int i = 0; i < sent.size(); i++) {
                if (!fitsOneOf(documented, sent.get(i))) {
                    problems.add(pointer + "/" + i + " has the shape of no documented element");
                }
            }
        }
    }

    private static boolean fitsOneOf(JsonNode documentedElements, JsonNode element) {
        for (JsonNode documented : documentedElements) {
            if (undocumentedFields(documented, element).isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** The JSON type, integers told apart from other numbers since a token budget must be an integer. */
    private static String kind(JsonNode node) {
        if (node.isIntegralNumber()) {
            return "integer";
        }
        if (node.isNumber()) {
            return "number";
        }
        return node.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    private static Path folder() {
        return RepoRoot.require().resolve(FOLDER);
    }
}
