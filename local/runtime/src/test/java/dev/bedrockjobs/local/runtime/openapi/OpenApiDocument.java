package dev.bedrockjobs.local.runtime.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * {@code docs/openapi.yaml} as a tree, with the few OpenAPI notions the contract tests need: operations, matching a
 * concrete request path to its path template, and following {@code $ref}s to the object they name (keeping the JSON
 * pointer of where it was found, so the JSON Schema validator can be pointed at the very same node).
 */
final class OpenApiDocument {
    static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

    /** One operation: a method on a path template, and where it sits in the document. */
    record Operation(String method, String pathTemplate, String pointer, JsonNode node) {
        String key() {
            return method.toUpperCase(Locale.ROOT) + " " + pathTemplate;
        }
    }

    /** A node of the document with the JSON pointer that reaches it (after every {@code $ref} was followed). */
    record Located(String pointer, JsonNode node) {}

    private final JsonNode root;

    private OpenApiDocument(JsonNode root) {
        this.root = root;
    }

    static OpenApiDocument load(Path file) {
        try {
            return new OpenApiDocument(new ObjectMapper(new YAMLFactory()).readTree(file.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    JsonNode root() {
        return root;
    }

    /** A deep copy, to be changed (e.g. made stricter) without touching this one. */
    ObjectNode copy() {
        return (ObjectNode) root.deepCopy();
    }

    List<Operation> operations() {
        List<Operation> out = new ArrayList<>();
        root.path("paths")
                .fields()
                .forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
                    if (METHODS.contains(op.getKey())) {
                        out.add(new Operation(
                                op.getKey(),
                                path.getKey(),
                                "/paths/" + escape(path.getKey()) + "/" + op.getKey(),
                                op.getValue()));
                    }
                }));
        return out;
    }

    Optional<Operation> operation(String method, String pathTemplate) {
        return operations().stream()
                .filter(o ->
                        o.method().equalsIgnoreCase(method) && o.pathTemplate().equals(pathTemplate))
                .findFirst();
    }

    /** The documented path template a concrete path (no query) falls under, e.g. /v1/jobs/job_X -> /v1/jobs/{id}. */
    Optional<String> matchPath(String rawPath) {
        String[] actual = rawPath.split("/", -1);
        Iterator<String> templates = root.path("paths").fieldNames();
        String best = null;
        int bestLiterals = -1;
        while (templates.hasNext()) {
            String template = templates.next();
            String[] parts = template.split("/", -1);
            if (parts.length != actual.length) {
                continue;
            }
            int literals = 0;
            boolean matches = true;
            for (int i = 0; i < parts.length && matches; i++) {
                if (parts[i].startsWith("{") && parts[i].endsWith("}")) {
                    matches = !actual[i].isEmpty();
                } else {
                    matches = parts[i].equals(actual[i]);
                    literals++;
                }
            }
            // A literal segment beats a variable one, as in OpenAPI's own matching rules.
            if (matches && literals > bestLiterals) {
                best = template;
                bestLiterals = literals;
            }
        }
        return Optional.ofNullable(best);
    }

    /** The node at a JSON pointer ("" is the root), or empty. */
    Optional<JsonNode> at(String pointer) {
        JsonNode n = root.at(pointer);
        return n.isMissingNode() ? Optional.empty() : Optional.of(n);
    }

    /** Follows {@code $ref} (local ones only: this document has no others) until a node that is not a reference. */
    Located resolve(String pointer, JsonNode node) {
        String at = pointer;
        JsonNode n = node;
        for (int hops = 0; n.isObject() && n.has("$ref"); hops++) {
            if (hops > 20) {
                throw new IllegalStateException("$ref loop at " + pointer);
            }
            String ref = n.get("$ref").asText();
            if (!ref.startsWith("#")) {
                throw new IllegalStateException("non-local $ref " + ref + " at " + at);
            }
            at = ref.substring(1);
            JsonNode target = root.at(at);
            if (target.isMissingNode()) {
                throw new IllegalStateException("$ref " + ref + " does not resolve");
            }
            n = target;
        }
        return new Located(at, n);
    }

    /**
     * The response object documented for a status: the exact code first, then the range ({@code 4XX}), then
     * {@code default}.
     */
    Optional<Located> response(Operation op, int status) {
        JsonNode responses = op.node().path("responses");
        for (String key : List.of(Integer.toString(status), (status / 100) + "XX", "default")) {
            if (responses.has(key)) {
                return Optional.of(resolve(op.pointer() + "/responses/" + escape(key), responses.get(key)));
            }
        }
        return Optional.empty();
    }

    /** The parameters of an operation (path-level ones included, operation-level ones winning), resolved. */
    List<Located> parameters(Operation op) {
        List<Located> out = new ArrayList<>();
        String pathPointer = "/paths/" + escape(op.pathTemplate());
        List<Located> own = resolveAll(op.pointer() + "/parameters", op.node().path("parameters"));
        for (Located p :
                resolveAll(pathPointer + "/parameters", root.at(pathPointer).path("parameters"))) {
            boolean overridden = own.stream().anyMatch(o -> sameParameter(o.node(), p.node()));
            if (!overridden) {
                out.add(p);
            }
        }
        out.addAll(own);
        return out;
    }

    private List<Located> resolveAll(String pointer, JsonNode array) {
        List<Located> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            out.add(resolve(pointer + "/" + i, array.get(i)));
        }
        return out;
    }

    private static boolean sameParameter(JsonNode a, JsonNode b) {
        return a.path("name").asText().equalsIgnoreCase(b.path("name").asText())
                && a.path("in").asText().equals(b.path("in").asText());
    }

    /** Media type of a Content-Type value: lower case, without parameters. */
    static String mediaType(String contentType) {
        if (contentType == null) {
            return null;
        }
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
    }

    /** One JSON pointer token. */
    static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }
}
