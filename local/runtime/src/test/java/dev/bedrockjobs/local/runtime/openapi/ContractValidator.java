package dev.bedrockjobs.local.runtime.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks real HTTP exchanges against the document: the status code must be documented for the operation, the
 * content type must be one the response lists, the body must validate against that content's schema (every line
 * of it for NDJSON), and the documented headers must be present when required and valid when sent.
 *
 * <p>Response schemas are validated in a stricter copy of the document, in which every object schema that lists
 * {@code properties} and says nothing of other properties gets {@code additionalProperties: false}: the published
 * document stays open (clients ignore new fields), but a field the server emits that the document does not name is
 * caught here.
 */
final class ContractValidator {
    static final String EVENT_STREAM = "text/event-stream";
    static final String NDJSON = "application/x-ndjson";
    private static final String RESPONSE_DOC = "https://bedrock-jobs.invalid/openapi-strict.json";
    private static final String REQUEST_DOC = "https://bedrock-jobs.invalid/openapi.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OpenApiDocument document;
    private final SchemaRegistry registry;
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    ContractValidator(OpenApiDocument document) {
        this.document = document;
        ObjectNode strict = document.copy();
        closeObjects(strict.path("components"));
        closeObjects(strict.path("paths"));
        Map<String, String> docs;
        try {
            docs = Map.of(
                    RESPONSE_DOC,
                    JSON.writeValueAsString(strict),
                    REQUEST_DOC,
                    JSON.writeValueAsString(document.root()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        this.registry = SchemaRegistry.withDialect(
                Dialects.getOpenApi31(),
                b -> b.schemas(docs)
                        .schemaRegistryConfig(SchemaRegistryConfig.builder()
                                .formatAssertionsEnabled(true)
                                .build()));
    }

    OpenApiDocument document() {
        return document;
    }

    /** What one exchange proved: which operation, status and content type it exercised. */
    record Checked(OpenApiDocument.Operation operation, int status, String mediaType) {
        String key() {
            return operation.key() + " -> " + status + (mediaType == null ? "" : " " + mediaType);
        }
    }

    /**
     * @param headers response headers by lower-case name (first value)
     * @return what was exercised
     * @throws AssertionError naming every way the exchange departs from the document
     */
    Checked checkResponse(String method, String rawPath, int status, Map<String, String> headers, String body) {
        String where = method + " " + rawPath + " -> " + status;
        String template = document.matchPath(rawPath)
                .orElseThrow(() -> new AssertionError(where + ": the path is not documented"));
        OpenApiDocument.Operation op = document.operation(method, template)
                .orElseThrow(() -> new AssertionError(where + ": " + method + " " + template + " is not documented"));
        OpenApiDocument.Located response = document.response(op, status)
                .orElseThrow(() -> new AssertionError(where + ": status " + status + " is not documented for "
                        + op.key() + " (documented: " + fieldNames(op.node().path("responses")) + "); body: "
                        + abbreviate(body)));
        List<String> problems = new ArrayList<>();

        JsonNode content = response.node().path("content");
        String mediaType = OpenApiDocument.mediaType(headers.get("content-type"));
        boolean hasBody = body != null && !body.isEmpty();
        if (content.isEmpty()) {
            if (hasBody) {
                problems.add("the response documents no content, but a body was sent: " + abbreviate(body));
            }
        } else if (mediaType == null) {
            problems.add("no Content-Type; documented: " + fieldNames(content));
        } else if (!content.has(mediaType)) {
            problems.add("Content-Type " + mediaType + " is not documented; documented: " + fieldNames(content));
        } else if (!hasBody && !mediaType.equals(NDJSON)) {
            problems.add("empty body for " + mediaType);
        } else if (hasBody) {
            String schemaPointer = response.pointer() + "/content/" + OpenApiDocument.escape(mediaType) + "/schema";
            if (mediaType.equals(NDJSON)) {
                String[] lines = body.split("\n", -1);
                if (!lines[lines.length - 1].isEmpty()) {
                    problems.add("NDJSON body does not end with a newline");
                }
                for (int i = 0; i < lines.length - 1; i++) {
                    problems.addAll(prefixed(
                            "line " + (i + 1) + ": ",
                            validate(RESPONSE_DOC, schemaPointer, parse(lines[i], problems), lines[i])));
                }
            } else if (mediaType.endsWith("json")) {
                problems.addAll(validate(RESPONSE_DOC, schemaPointer, parse(body, problems), body));
            } else if (mediaType.equals(EVENT_STREAM)) {
                problems.addAll(eventProblems(
                        response.pointer() + "/content/" + OpenApiDocument.escape(mediaType) + "/x-event-data", body));
            }
        }

        JsonNode declaredHeaders = response.node().path("headers");
        Iterator<Map.Entry<String, JsonNode>> it = declaredHeaders.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> h = it.next();
            OpenApiDocument.Located header = document.resolve(
                    response.pointer() + "/headers/" + OpenApiDocument.escape(h.getKey()), h.getValue());
            String value = headers.get(h.getKey().toLowerCase(Locale.ROOT));
            if (value == null) {
                if (header.node().path("required").asBoolean(false)) {
                    problems.add("required header " + h.getKey() + " is missing");
                }
                continue;
            }
            JsonNode schema = header.node().path("schema");
            JsonNode instance = headerValue(
                    document.resolve(header.pointer() + "/schema", schema).node(), value);
            problems.addAll(prefixed(
                    "header " + h.getKey() + ": ",
                    validate(RESPONSE_DOC, header.pointer() + "/schema", instance, value)));
        }

        if (!problems.isEmpty()) {
            throw new AssertionError(
                    where + " (" + op.key() + ", " + mediaType + ") departs from docs/openapi.yaml:\n  "
                            + String.join("\n  ", problems) + "\nbody: " + abbreviate(body));
        }
        return new Checked(op, status, content.isEmpty() ? null : mediaType);
    }

    /**
     * Errors of a server-sent events body: every event has an id and a documented type, and its data (one line of
     * JSON) validates against that type's schema under the media type's {@code x-event-data}.
     */
    private List<String> eventProblems(String eventsPointer, String body) {
        List<String> problems = new ArrayList<>();
        if (!body.endsWith("\n\n")) {
            problems.add("the event stream does not end with a blank line");
        }
        int n = 0;
        for (String block : body.split("\n\n")) {
            Map<String, String> fields = new LinkedHashMap<>();
            for (String line : block.split("\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    fields.put(
                            line.substring(0, colon), line.substring(colon + 1).stripLeading());
                }
            }
            String type = fields.get("event");
            if (type == null) {
                continue; // a retry field or a comment
            }
            n++;
            String where = "event " + n + " (" + type + "): ";
            if (!fields.containsKey("id")) {
                problems.add(where + "has no id, so a client could not resume after it");
            }
            if (document.root()
                    .at(eventsPointer + "/" + OpenApiDocument.escape(type))
                    .isMissingNode()) {
                problems.add(where + "is not a documented event type");
                continue;
            }
            String data = fields.getOrDefault("data", "");
            problems.addAll(prefixed(
                    where,
                    validate(
                            RESPONSE_DOC,
                            eventsPointer + "/" + OpenApiDocument.escape(type),
                            parse(data, problems),
                            data)));
        }
        return problems;
    }

    /** Errors of a request body against the operation's documented request schema (empty: it validates). */
    List<String> requestBodyErrors(String method, String pathTemplate, String mediaType, String body) {
        OpenApiDocument.Operation op = document.operation(method, pathTemplate)
                .orElseThrow(() -> new AssertionError(method + " " + pathTemplate + " is not documented"));
        OpenApiDocument.Located requestBody =
                document.resolve(op.pointer() + "/requestBody", op.node().path("requestBody"));
        if (!requestBody.node().path("content").has(mediaType)) {
            return List.of("request content type " + mediaType + " is not documented");
        }
        List<String> problems = new ArrayList<>();
        JsonNode instance = parse(body, problems);
        if (!problems.isEmpty()) {
            return problems;
        }
        return validate(
                REQUEST_DOC,
                requestBody.pointer() + "/content/" + OpenApiDocument.escape(mediaType) + "/schema",
                instance,
                body);
    }

    /** Errors of an instance against a schema of the published document, named by component. */
    List<String> errorsAgainstComponent(String schemaName, JsonNode instance) {
        return validate(REQUEST_DOC, "/components/schemas/" + schemaName, instance, String.valueOf(instance));
    }

    /** Errors of an instance against the schema at a pointer of the published document. */
    List<String> errorsAt(String pointer, JsonNode instance) {
        return validate(REQUEST_DOC, pointer, instance, String.valueOf(instance));
    }

    private List<String> validate(String doc, String pointer, JsonNode instance, String text) {
        if (instance == null) {
            return List.of("not JSON: " + abbreviate(text));
        }
        // Point the validator straight at a component when the schema is nothing but a reference to one: the
        // component's pointer holds no characters that need care in an IRI fragment.
        JsonNode node = document.root().at(pointer);
        String target = pointer;
        if (node.isObject()
                && node.size() == 1
                && node.has("$ref")
                && node.get("$ref").asText().startsWith("#/")) {
            target = node.get("$ref").asText().substring(1);
        }
        Schema schema = schemas.computeIfAbsent(
                doc + "#" + target, k -> registry.getSchema(SchemaLocation.of(doc + "#" + fragment(pointerOf(k)))));
        List<String> out = new ArrayList<>();
        for (Error e : schema.validate(instance)) {
            out.add(e.getInstanceLocation() + " " + e.getMessage());
        }
        return out;
    }

    private static String pointerOf(String key) {
        return key.substring(key.indexOf('#') + 1);
    }

    /** A JSON pointer as an IRI fragment: each token percent-encoded where it needs to be. */
    private static String fragment(String pointer) {
        StringBuilder sb = new StringBuilder();
        for (String token : pointer.substring(1).split("/", -1)) {
            sb.append('/')
                    .append(URLEncoder.encode(token, StandardCharsets.UTF_8)
                            .replace("+", "%20")
                            .replace("%7E", "~"));
        }
        return sb.toString();
    }

    /** A header's text as the JSON value its schema speaks of. */
    private static JsonNode headerValue(JsonNode schema, String value) {
        String type = schema.path("type").asText("");
        if (type.equals("integer") && value.strip().matches("-?\\d+")) {
            return JsonNodeFactory.instance.numberNode(new BigInteger(value.strip()));
        }
        if (type.equals("number") && value.strip().matches("-?\\d+(\\.\\d+)?")) {
            return JsonNodeFactory.instance.numberNode(new java.math.BigDecimal(value.strip()));
        }
        return JsonNodeFactory.instance.textNode(value);
    }

    private static JsonNode parse(String text, List<String> problems) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            problems.add("not JSON (" + e.getMessage().lines().findFirst().orElse("") + "): " + abbreviate(text));
            return null;
        }
    }

    /**
     * Adds {@code additionalProperties: false} to every object schema that lists properties and leaves other
     * properties unsaid, walking every place a schema can sit.
     */
    private static void closeObjects(JsonNode node) {
        if (node.isArray()) {
            node.forEach(ContractValidator::closeObjects);
            return;
        }
        if (!node.isObject()) {
            return;
        }
        ObjectNode o = (ObjectNode) node;
        if (o.has("properties")
                && o.get("properties").isObject()
                && !o.has("additionalProperties")
                && !o.has("unevaluatedProperties")) {
            o.put("additionalProperties", false);
        }
        Iterator<Map.Entry<String, JsonNode>> it = o.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!Set.of("examples", "example", "enum", "const", "default").contains(e.getKey())) {
                closeObjects(e.getValue());
            }
        }
    }

    private static List<String> prefixed(String prefix, List<String> lines) {
        return lines.stream().map(l -> prefix + l).toList();
    }

    private static String fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names.toString();
    }

    static String abbreviate(String s) {
        if (s == null) {
            return "(none)";
        }
        return s.length() > 600 ? s.substring(0, 600) + "... (" + s.length() + " chars)" : s;
    }
}
