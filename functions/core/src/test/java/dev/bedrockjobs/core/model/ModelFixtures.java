package dev.bedrockjobs.core.model;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.local.emulators.fixture.DocumentedBodies;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

final class ModelFixtures {

    /** What the documented requests in docs/bedrock-bodies ask, for building the same request with a codec. */
    static final ModelRequest DOCUMENTED_REQUEST =
            new ModelRequest("What is a queue?", "Answer in one sentence.", 512, 0.5);

    private ModelFixtures() {}

    /** Requests with and without the optional parts, for checking every body a codec can build. */
    static Stream<ModelRequest> requests() {
        return Stream.of(
                DOCUMENTED_REQUEST,
                ModelRequest.of("What is a queue?", 1),
                new ModelRequest("What is a queue?", null, 8192, 0.0));
    }

    static JsonNode json(String text) {
        return Json.parse(text);
    }

    /** The documented body without the optional fields at the JSON pointers given, which the codec has no use for. */
    static JsonNode documentedWithout(String name, String... unusedOptionalFields) {
        JsonNode body = DocumentedBodies.read(name);
        for (String pointer : unusedOptionalFields) {
            JsonPointer field = JsonPointer.compile(pointer);
            ((ObjectNode) body.at(field.head())).remove(field.last().getMatchingProperty());
        }
        return body;
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
