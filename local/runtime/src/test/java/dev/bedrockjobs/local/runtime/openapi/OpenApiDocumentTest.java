package dev.bedrockjobs.local.runtime.openapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.bedrockjobs.local.emulators.RepoRoot;
import dev.bedrockjobs.local.emulators.template.SamTemplate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/openapi.yaml} is a well-formed OpenAPI 3.1 document and describes exactly the routes that
 * {@code template.yaml} deploys. The OpenAPI meta-schema is not on the class path (and nothing may be fetched), so
 * the structure is checked here rule by rule: the parts of the specification a reader of this document relies on,
 * every {@code $ref}, every path parameter, and every JSON Schema against the draft 2020-12 meta-schema plus a list
 * of the keywords that exist (a misspelt keyword is otherwise silently ignored).
 */
class OpenApiDocumentTest {
    private static final Set<String> TOP_LEVEL = Set.of(
            "openapi",
            "info",
            "jsonSchemaDialect",
            "servers",
            "paths",
            "webhooks",
            "components",
            "security",
            "tags",
            "externalDocs");
    private static final Set<String> PATH_ITEM = Set.of(
            "$ref",
            "summary",
            "description",
            "servers",
            "parameters",
            "get",
            "put",
            "post",
            "delete",
            "options",
            "head",
            "patch",
            "trace");
    private static final Set<String> OPERATION = Set.of(
            "tags",
            "summary",
            "description",
            "externalDocs",
            "operationId",
            "parameters",
            "requestBody",
            "responses",
            "callbacks",
            "deprecated",
            "security",
            "servers");
    private static final Set<String> PARAMETER = Set.of(
            "name",
            "in",
            "description",
            "required",
            "deprecated",
            "allowEmptyValue",
            "style",
            "explode",
            "allowReserved",
            "schema",
            "example",
            "examples",
            "content");
    private static final Set<String> HEADER = Set.of(
            "description", "required", "deprecated", "style", "explode", "schema", "example", "examples", "content");
    private static final Set<String> RESPONSE = Set.of("description", "headers", "content", "links");
    private static final Set<String> MEDIA_TYPE = Set.of("schema", "example", "examples", "encoding");
    private static final Set<String> REQUEST_BODY = Set.of("description", "content", "required");
    private static final Set<String> COMPONENTS = Set.of(
            "schemas",
            "responses",
            "parameters",
            "examples",
            "requestBodies",
            "headers",
            "securitySchemes",
            "links",
            "callbacks",
            "pathItems");
    /** Every keyword of JSON Schema draft 2020-12, plus the OpenAPI 3.1 dialect's own. */
    private static final Set<String> SCHEMA_KEYWORDS = Set.of(
            "$schema",
            "$id",
            "$ref",
            "$anchor",
            "$dynamicRef",
            "$dynamicAnchor",
            "$defs",
            "$comment",
            "$vocabulary",
            "type",
            "enum",
            "const",
            "multipleOf",
            "maximum",
            "exclusiveMaximum",
            "minimum",
            "exclusiveMinimum",
            "maxLength",
            "minLength",
            "pattern",
            "maxItems",
            "minItems",
            "uniqueItems",
            "maxContains",
            "minContains",
            "maxProperties",
            "minProperties",
            "required",
            "dependentRequired",
            "allOf",
            "anyOf",
            "oneOf",
            "not",
            "if",
            "then",
            "else",
            "dependentSchemas",
            "prefixItems",
            "items",
            "contains",
            "properties",
            "patternProperties",
            "additionalProperties",
            "propertyNames",
            "unevaluatedItems",
            "unevaluatedProperties",
            "format",
            "contentEncoding",
            "contentMediaType",
            "contentSchema",
            "title",
            "description",
            "default",
            "deprecated",
            "readOnly",
            "writeOnly",
            "examples",
            "discriminator",
            "xml",
            "externalDocs",
            "example");

    private static final Pattern STATUS = Pattern.compile("[1-5](\\d\\d|XX)|default");
    private static final Pattern COMPONENT_NAME = Pattern.compile("[a-zA-Z0-9.\\-_]+");
    private static final Pattern PATH_VARIABLE = Pattern.compile("\\{([^}/]+)}");

    private static Path root;
    private static OpenApiDocument doc;
    private static List<String> problems;

    @BeforeAll
    static void load() {
        root = RepoRoot.require();
        doc = OpenApiDocument.load(root.resolve("docs/openapi.yaml"));
    }

    @Test
    void isAnOpenApi31DocumentWithTheRequiredParts() {
        problems = new ArrayList<>();
        JsonNode r = doc.root();
        assertEquals("3.1.0", r.path("openapi").asText(), "openapi version");
        checkKeys("", r, TOP_LEVEL);
        require(r.path("info").path("title").isTextual(), "info.title is required");
        require(r.path("info").path("version").isTextual(), "info.version is required");
        require(r.path("paths").isObject() && !r.path("paths").isEmpty(), "paths must list the routes");
        r.path("servers").forEach(s -> require(s.path("url").isTextual(), "every server needs a url"));
        checkKeys("/components", r.path("components"), COMPONENTS);
        r.path("components")
                .fields()
                .forEachRemaining(section -> section.getValue()
                        .fieldNames()
                        .forEachRemaining(name -> require(
                                COMPONENT_NAME.matcher(name).matches(),
                                "component name " + section.getKey() + "/" + name
                                        + " has characters OpenAPI does not allow")));
        assertNoProblems();
    }

    @Test
    void everyReferenceResolvesAndEveryComponentIsUsed() {
        problems = new ArrayList<>();
        Set<String> referenced = new TreeSet<>();
        collectRefs(doc.root(), "", referenced);
        for (String ref : referenced) {
            if (!ref.startsWith("#/")) {
                problems.add("$ref " + ref + " is not local to the document");
            } else if (doc.at(ref.substring(1)).isEmpty()) {
                problems.add("$ref " + ref + " does not resolve");
            }
        }
        doc.root().path("components").fields().forEachRemaining(section -> {
            if (section.getKey().equals("securitySchemes")) {
                return;
            }
            section.getValue()
                    .fieldNames()
                    .forEachRemaining(name -> require(
                            referenced.contains("#/components/" + section.getKey() + "/" + name),
                            "components/" + section.getKey() + "/" + name + " is never referenced"));
        });
        assertNoProblems();
    }

    @Test
    void everyOperationIsWellFormed() {
        problems = new ArrayList<>();
        Set<String> operationIds = new HashSet<>();
        Set<String> tags = new HashSet<>();
        doc.root().path("tags").forEach(t -> tags.add(t.path("name").asText()));
        Set<String> schemes = new HashSet<>();
        doc.root().path("components").path("securitySchemes").fieldNames().forEachRemaining(schemes::add);
        doc.root().path("components").path("securitySchemes").fields().forEachRemaining(s -> {
            String type = s.getValue().path("type").asText();
            require(
                    Set.of("apiKey", "http", "mutualTLS", "oauth2", "openIdConnect")
                            .contains(type),
                    "security scheme " + s.getKey() + " has type " + type);
            if (type.equals("http")) {
                require(
                        s.getValue().path("scheme").isTextual(),
                        "http security scheme " + s.getKey() + " needs scheme");
            }
        });
        checkSecurity("top level", doc.root().path("security"), schemes);

        doc.root().path("paths").fields().forEachRemaining(p -> {
            require(p.getKey().startsWith("/"), "path " + p.getKey() + " must start with /");
            checkKeys("/paths/" + p.getKey(), p.getValue(), PATH_ITEM);
        });
        for (OpenApiDocument.Operation op : doc.operations()) {
            String where = op.key();
            checkKeys(where, op.node(), OPERATION);
            String id = op.node().path("operationId").asText(null);
            require(id != null, where + " has no operationId");
            require(id == null || operationIds.add(id), where + ": operationId " + id + " is not unique");
            op.node()
                    .path("tags")
                    .forEach(t ->
                            require(tags.contains(t.asText()), where + ": tag " + t.asText() + " is not declared"));
            checkSecurity(where, op.node().path("security"), schemes);

            // parameters: well formed, unique, and the path variables exactly the template's
            Set<String> seen = new HashSet<>();
            Set<String> pathParameters = new TreeSet<>();
            for (OpenApiDocument.Located p : doc.parameters(op)) {
                JsonNode n = p.node();
                checkKeys(where + " parameter " + n.path("name").asText(), n, PARAMETER);
                String in = n.path("in").asText();
                require(n.path("name").isTextual(), where + ": a parameter has no name");
                require(
                        Set.of("query", "header", "path", "cookie").contains(in),
                        where + ": parameter " + n.path("name").asText() + " is in '" + in + "'");
                require(
                        n.has("schema") != n.has("content"),
                        where + ": parameter " + n.path("name").asText() + " needs exactly one of schema, content");
                String key = in + ":"
                        + (in.equals("header")
                                ? n.path("name").asText().toLowerCase(Locale.ROOT)
                                : n.path("name").asText());
                require(seen.add(key), where + ": parameter " + key + " is declared twice");
                if (in.equals("path")) {
                    require(
                            n.path("required").asBoolean(false),
                            where + ": path parameter " + n.path("name").asText() + " must be required");
                    pathParameters.add(n.path("name").asText());
                }
                if (in.equals("header")) {
                    require(
                            !Set.of("accept", "content-type", "authorization")
                                    .contains(n.path("name").asText().toLowerCase(Locale.ROOT)),
                            where + ": header parameter " + n.path("name").asText() + " is ignored by OpenAPI");
                }
            }
            Set<String> variables = new TreeSet<>();
            Matcher m = PATH_VARIABLE.matcher(op.pathTemplate());
            while (m.find()) {
                variables.add(m.group(1));
            }
            require(
                    variables.equals(pathParameters),
                    where + ": path variables " + variables + " but path parameters " + pathParameters);

            if (op.node().has("requestBody")) {
                OpenApiDocument.Located body =
                        doc.resolve(op.pointer() + "/requestBody", op.node().get("requestBody"));
                checkKeys(where + " requestBody", body.node(), REQUEST_BODY);
                require(
                        body.node().path("content").isObject()
                                && !body.node().path("content").isEmpty(),
                        where + ": requestBody has no content");
                checkContent(where + " requestBody", body.node().path("content"));
            }

            JsonNode responses = op.node().path("responses");
            require(responses.isObject() && !responses.isEmpty(), where + " has no responses");
            responses.fields().forEachRemaining(r -> {
                String at = where + " " + r.getKey();
                require(STATUS.matcher(r.getKey()).matches(), at + ": not a status code");
                OpenApiDocument.Located resp = doc.resolve(op.pointer() + "/responses/" + r.getKey(), r.getValue());
                checkKeys(at, resp.node(), RESPONSE);
                require(resp.node().path("description").isTextual(), at + ": a response needs a description");
                resp.node().path("headers").fields().forEachRemaining(h -> {
                    require(!h.getKey().equalsIgnoreCase("content-type"), at + ": Content-Type is not a header here");
                    OpenApiDocument.Located header = doc.resolve(
                            resp.pointer() + "/headers/" + OpenApiDocument.escape(h.getKey()), h.getValue());
                    checkKeys(at + " header " + h.getKey(), header.node(), HEADER);
                    require(
                            header.node().has("schema") != header.node().has("content"),
                            at + ": header " + h.getKey() + " needs exactly one of schema, content");
                });
                checkContent(at, resp.node().path("content"));
            });
        }
        assertNoProblems();
    }

    @Test
    void everySchemaIsValidJsonSchema202012() {
        problems = new ArrayList<>();
        Schema metaSchema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(SchemaLocation.of(SpecificationVersion.DRAFT_2020_12.getDialectId()));
        Map<String, JsonNode> schemas = new TreeMap<>();
        collectSchemas(doc.root(), "", false, schemas);
        require(schemas.size() > 20, "expected to find the document's schemas, found " + schemas.keySet());
        schemas.forEach((pointer, schema) -> {
            for (Error e : metaSchema.validate(schema)) {
                problems.add(pointer + ": " + e.getInstanceLocation() + " " + e.getMessage());
            }
            checkKeywords(pointer, schema);
        });
        // and each schema compiles, references included, in the OpenAPI 3.1 dialect the document is read with
        ContractValidator validator = new ContractValidator(doc);
        doc.root().path("components").path("schemas").fieldNames().forEachRemaining(name -> {
            try {
                validator.errorsAgainstComponent(name, NullNode.getInstance());
            } catch (RuntimeException e) {
                problems.add("components/schemas/" + name + " does not compile: " + e);
            }
        });
        assertNoProblems();
    }

    @Test
    void everyExampleValidatesAgainstItsSchema() {
        problems = new ArrayList<>();
        ContractValidator validator = new ContractValidator(doc);
        int[] count = {0};
        walkMediaTypes(
                doc.root(),
                "",
                (pointer, mediaType) -> mediaType.path("examples").fields().forEachRemaining(ex -> {
                    JsonNode example = doc.resolve(pointer + "/examples/" + ex.getKey(), ex.getValue())
                            .node();
                    count[0]++;
                    validator
                            .errorsAt(pointer + "/schema", example.path("value"))
                            .forEach(e -> problems.add(pointer + " example " + ex.getKey() + ": " + e));
                }));
        require(count[0] >= 3, "expected examples in the document, found " + count[0]);
        assertNoProblems();
    }

    @Test
    void documentsExactlyTheRoutesOfTheTemplate() {
        SamTemplate template = SamTemplate.load(root.resolve("template.yaml"));
        Map<String, Boolean> routes = new TreeMap<>(); // route -> needs the authorizer
        for (String function : template.resourcesOfType("AWS::Serverless::Function")) {
            Object events = template.functionProperties(function).get("Events");
            if (!(events instanceof Map<?, ?> byName)) {
                continue;
            }
            for (Object e : byName.values()) {
                if (e instanceof Map<?, ?> event && "HttpApi".equals(event.get("Type"))) {
                    Map<?, ?> p = (Map<?, ?>) event.get("Properties");
                    String route = String.valueOf(p.get("Method")).toUpperCase(Locale.ROOT) + " " + p.get("Path");
                    boolean open = p.get("Auth") instanceof Map<?, ?> auth && "NONE".equals(auth.get("Authorizer"));
                    routes.put(route, !open);
                }
            }
        }
        Map<String, Boolean> documented = new TreeMap<>();
        boolean securedByDefault = !doc.root().path("security").isEmpty();
        for (OpenApiDocument.Operation op : doc.operations()) {
            JsonNode security = op.node().get("security");
            documented.put(op.key(), security == null ? securedByDefault : !security.isEmpty());
        }
        assertEquals(
                routes.keySet(),
                documented.keySet(),
                "docs/openapi.yaml must document every HttpApi route of template.yaml, and nothing else");
        assertEquals(routes, documented, "a route is public in one and authenticated in the other");
    }

    // ---- helpers ----

    private static void checkContent(String where, JsonNode content) {
        content.fields().forEachRemaining(mt -> {
            require(mt.getKey().matches("[a-z]+/[a-z0-9.+\\-*]+"), where + ": " + mt.getKey() + " is not a media type");
            checkKeys(where + " " + mt.getKey(), mt.getValue(), MEDIA_TYPE);
            require(mt.getValue().has("schema"), where + " " + mt.getKey() + ": no schema");
        });
    }

    private static void checkSecurity(String where, JsonNode security, Set<String> schemes) {
        security.forEach(requirement -> requirement
                .fieldNames()
                .forEachRemaining(name ->
                        require(schemes.contains(name), where + ": security scheme " + name + " is not declared")));
    }

    private static void checkKeys(String where, JsonNode node, Set<String> allowed) {
        node.fieldNames()
                .forEachRemaining(k -> require(
                        allowed.contains(k) || k.startsWith("x-"),
                        where + ": '" + k + "' is not a field of this OpenAPI object"));
    }

    /** Flags keywords that are in no vocabulary, walking every place a subschema can sit. */
    private static void checkKeywords(String pointer, JsonNode schema) {
        if (!schema.isObject()) {
            return;
        }
        Iterator<Map.Entry<String, JsonNode>> it = schema.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String k = e.getKey();
            String at = pointer + "/" + OpenApiDocument.escape(k);
            require(SCHEMA_KEYWORDS.contains(k) || k.startsWith("x-"), pointer + ": unknown keyword '" + k + "'");
            switch (k) {
                case "properties", "patternProperties", "$defs", "dependentSchemas" ->
                    e.getValue()
                            .fields()
                            .forEachRemaining(
                                    s -> checkKeywords(at + "/" + OpenApiDocument.escape(s.getKey()), s.getValue()));
                case "allOf", "anyOf", "oneOf", "prefixItems" -> {
                    for (int i = 0; i < e.getValue().size(); i++) {
                        checkKeywords(at + "/" + i, e.getValue().get(i));
                    }
                }
                case "items",
                        "additionalProperties",
                        "propertyNames",
                        "not",
                        "if",
                        "then",
                        "else",
                        "contains",
                        "unevaluatedItems",
                        "unevaluatedProperties",
                        "contentSchema" -> checkKeywords(at, e.getValue());
                default -> {}
            }
        }
    }

    private static void collectRefs(JsonNode node, String pointer, Set<String> out) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                if (e.getKey().equals("$ref") && e.getValue().isTextual()) {
                    out.add(e.getValue().asText());
                } else {
                    collectRefs(e.getValue(), pointer + "/" + OpenApiDocument.escape(e.getKey()), out);
                }
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collectRefs(node.get(i), pointer + "/" + i, out);
            }
        }
    }

    /** Schema roots: components/schemas/* and every "schema" field of the OpenAPI objects (not inside schemas). */
    private static void collectSchemas(JsonNode node, String pointer, boolean inSchemas, Map<String, JsonNode> out) {
        if (!node.isObject()) {
            if (node.isArray()) {
                for (int i = 0; i < node.size(); i++) {
                    collectSchemas(node.get(i), pointer + "/" + i, false, out);
                }
            }
            return;
        }
        node.fields().forEachRemaining(e -> {
            String at = pointer + "/" + OpenApiDocument.escape(e.getKey());
            if (inSchemas || e.getKey().equals("schema")) {
                out.put(at, e.getValue());
            } else if (!Set.of("examples", "example").contains(e.getKey())) {
                collectSchemas(e.getValue(), at, at.equals("/components/schemas"), out);
            }
        });
    }

    private interface MediaTypeVisitor {
        void visit(String pointer, JsonNode mediaType);
    }

    private static void walkMediaTypes(JsonNode node, String pointer, MediaTypeVisitor visitor) {
        if (!node.isObject()) {
            return;
        }
        node.fields().forEachRemaining(e -> {
            String at = pointer + "/" + OpenApiDocument.escape(e.getKey());
            if (e.getKey().equals("content") && e.getValue().isObject()) {
                e.getValue()
                        .fields()
                        .forEachRemaining(
                                mt -> visitor.visit(at + "/" + OpenApiDocument.escape(mt.getKey()), mt.getValue()));
            } else if (!Set.of("schema", "schemas", "examples", "example").contains(e.getKey())) {
                walkMediaTypes(e.getValue(), at, visitor);
            }
        });
    }

    private static void require(boolean ok, String problem) {
        if (!ok) {
            problems.add(problem);
        }
    }

    private static void assertNoProblems() {
        assertTrue(problems.isEmpty(), "docs/openapi.yaml:\n  " + String.join("\n  ", problems));
    }
}
