package dev.bedrockjobs.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.domain.BatchRequest;
import dev.bedrockjobs.core.domain.FieldError;
import dev.bedrockjobs.core.domain.Ids;
import dev.bedrockjobs.core.domain.JobRequest;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.domain.Lane;
import dev.bedrockjobs.core.domain.RequestLimits;
import dev.bedrockjobs.core.domain.ValidationException;
import dev.bedrockjobs.core.model.ModelCatalog;
import dev.bedrockjobs.core.webhook.WebhookUrlPolicy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns a client's JSON into a {@link JobRequest}, collecting every field-level error rather than stopping at the
 * first, and refusing fields it does not know (a typo must not silently change what runs).
 */
public final class JobRequestParser {
    private static final Set<String> JOB_FIELDS = Set.of(
            "prompt",
            "system",
            "model",
            "maxTokens",
            "temperature",
            "metadata",
            "webhook",
            "idempotencyKey",
            "cache",
            "priority",
            "stream");

    private final ModelCatalog catalog;
    private final RequestLimits limits;
    private final WebhookUrlPolicy webhookPolicy;

    public JobRequestParser(ModelCatalog catalog, RequestLimits limits, WebhookUrlPolicy webhookPolicy) {
        this.catalog = catalog;
        this.limits = limits;
        this.webhookPolicy = webhookPolicy;
    }

    /** Parses a POST /v1/jobs body; {@code headerKey} is the Idempotency-Key header, if any. */
    public JobRequest parseJob(String body, String headerKey) {
        JsonNode root = Json.parseBody(body);
        List<FieldError> errors = new ArrayList<>();
        if (!root.isObject()) {
            throw ValidationException.of("body", "must be a JSON object");
        }
        rejectUnknown(root, JOB_FIELDS, "", errors);
        String prompt = requiredText(root, "prompt", "prompt", limits.maxPromptBytes(), errors);
        String system = optionalText(root, "system", "system", limits.maxSystemBytes(), errors);
        String tier = tier(root, "model", "model", null, errors);
        int maxTokens = maxTokens(root, "maxTokens", "maxTokens", null, errors);
        Double temperature = temperature(root, "temperature", "temperature", null, errors);
        Map<String, String> metadata = metadata(root, "metadata", "metadata", errors);
        String webhookUrl = webhook(root, "webhook", errors);
        String key = idempotencyKey(root, headerKey, errors);
        Boolean cache = optionalBoolean(root, "cache", "cache", errors);
        Lane lane = priority(root, errors);
        boolean stream = Boolean.TRUE.equals(optionalBoolean(root, "stream", "stream", errors));
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        return new JobRequest(
                prompt, system, tier, maxTokens, temperature, metadata, webhookUrl, key, cache, lane, stream);
    }

    private static final Set<String> BATCH_FIELDS =
            Set.of("items", "defaults", "webhook", "idempotencyKey", "priority");
    private static final Set<String> ITEM_FIELDS =
            Set.of("customId", "prompt", "system", "model", "maxTokens", "temperature", "metadata");
    private static final Set<String> DEFAULT_FIELDS = Set.of("system", "model", "maxTokens", "temperature", "stream");
    public static final int MAX_BATCH_ITEMS = 1000;
    /**
     * The most system-prompt bytes one batch may store. Each item is a job that keeps its own copy of its system
     * prompt (the worker reads a job alone), so a {@code defaults.system} is stored once per item: without a bound a
     * 20 KB default over 1000 items would turn one request into 20 MB of writes.
     */
    public static final long MAX_BATCH_SYSTEM_BYTES = 2_000_000;

    /**
     * Parses a POST /v1/batches body. All or nothing: every bad item is reported by index and field, and a request
     * with any error is refused whole.
     */
    public BatchRequest parseBatch(String body, String headerKey) {
        JsonNode root = Json.parseBody(body);
        if (!root.isObject()) {
            throw ValidationException.of("body", "must be a JSON object");
        }
        List<FieldError> errors = new ArrayList<>();
        rejectUnknown(root, BATCH_FIELDS, "", errors);
        JsonNode defaults = root.path("defaults");
        String defaultSystem = null;
        String defaultTier = null;
        Integer defaultMaxTokens = null;
        Double defaultTemperature = null;
        boolean defaultStream = false;
        if (!defaults.isMissingNode() && !defaults.isNull()) {
            if (!defaults.isObject()) {
                errors.add(new FieldError("defaults", "must be an object"));
            } else {
                rejectUnknown(defaults, DEFAULT_FIELDS, "defaults.", errors);
                defaultSystem = optionalText(defaults, "system", "defaults.system", limits.maxSystemBytes(), errors);
                defaultTier =
                        defaults.hasNonNull("model") ? tier(defaults, "model", "defaults.model", null, errors) : null;
                defaultMaxTokens = defaults.hasNonNull("maxTokens")
                        ? maxTokens(defaults, "maxTokens", "defaults.maxTokens", null, errors)
                        : null;
                defaultTemperature = temperature(defaults, "temperature", "defaults.temperature", null, errors);
                defaultStream = Boolean.TRUE.equals(optionalBoolean(defaults, "stream", "defaults.stream", errors));
            }
        }
        String webhookUrl = webhook(root, "webhook", errors);
        String key = idempotencyKey(root, headerKey, errors);
        Lane lane = priority(root, errors);
        JsonNode items = root.get("items");
        List<BatchRequest.Item> parsed = new ArrayList<>();
        if (items == null || !items.isArray() || items.isEmpty()) {
            errors.add(new FieldError("items", "must be a non-empty array"));
        } else if (items.size() > MAX_BATCH_ITEMS) {
            errors.add(new FieldError(
                    "items", "must have at most " + MAX_BATCH_ITEMS + " items (got " + items.size() + ")"));
        } else {
            Set<String> customIds = new java.util.HashSet<>();
            for (int i = 0; i < items.size(); i++) {
                String p = "items[" + i + "]";
                JsonNode item = items.get(i);
                if (!item.isObject()) {
                    errors.add(new FieldError(p, "must be an object"));
                    continue;
                }
                int before = errors.size();
                rejectUnknown(item, ITEM_FIELDS, p + ".", errors);
                String customId = Integer.toString(i);
                JsonNode cid = item.get("customId");
                if (cid != null && !cid.isNull()) {
                    if (!cid.isTextual()
                            || cid.textValue().isEmpty()
                            || cid.textValue().length() > 256) {
                        errors.add(new FieldError(p + ".customId", "must be a string of 1-256 characters"));
                    } else {
                        customId = cid.textValue();
                    }
                }
                if (!customIds.add(customId)) {
                    errors.add(
                            new FieldError(p + ".customId", "duplicates another item's customId '" + customId + "'"));
                }
                String prompt = requiredText(item, "prompt", p + ".prompt", limits.maxPromptBytes(), errors);
                String system = item.hasNonNull("system")
                        ? optionalText(item, "system", p + ".system", limits.maxSystemBytes(), errors)
                        : defaultSystem;
                String tier = tier(item, "model", p + ".model", defaultTier, errors);
                int maxTokens = maxTokens(item, "maxTokens", p + ".maxTokens", defaultMaxTokens, errors);
                Double temperature = temperature(item, "temperature", p + ".temperature", defaultTemperature, errors);
                Map<String, String> metadata = metadata(item, "metadata", p + ".metadata", errors);
                if (errors.size() == before) {
                    parsed.add(new BatchRequest.Item(
                            customId,
                            new JobRequest(
                                    prompt,
                                    system,
                                    tier,
                                    maxTokens,
                                    temperature,
                                    metadata,
                                    null,
                                    null,
                                    null,
                                    null,
                                    defaultStream)));
                }
            }
        }
        long systemBytes = parsed.stream()
                .map(i -> i.request().system())
                .filter(java.util.Objects::nonNull)
                .mapToLong(t -> t.getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                .sum();
        if (errors.isEmpty() && systemBytes > MAX_BATCH_SYSTEM_BYTES) {
            errors.add(new FieldError(
                    defaultSystem != null ? "defaults.system" : "items",
                    "is stored with every item that uses it: " + systemBytes + " bytes in all, more than the "
                            + MAX_BATCH_SYSTEM_BYTES + " a batch may store; shorten it or split the batch"));
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        return new BatchRequest(parsed, webhookUrl, key, lane);
    }

    /** A field that is true, false, or absent (null). */
    private static Boolean optionalBoolean(JsonNode node, String name, String path, List<FieldError> errors) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isBoolean()) {
            errors.add(new FieldError(path, "must be true or false"));
            return null;
        }
        return v.booleanValue();
    }

    /** The lane a request asks for ({@code priority}), or null when it leaves it to the kind of request. */
    private static Lane priority(JsonNode root, List<FieldError> errors) {
        JsonNode p = root.get("priority");
        if (p == null || p.isNull()) {
            return null;
        }
        Lane lane = p.isTextual() ? Lane.fromWire(p.textValue()) : null;
        if (lane == null) {
            errors.add(new FieldError("priority", "must be 'interactive' or 'bulk'"));
        }
        return lane;
    }

    /** A fingerprint of a whole batch, for idempotent replays. */
    public static String fingerprint(BatchRequest r) {
        StringBuilder sb = new StringBuilder(r.webhookUrl() == null ? "-" : r.webhookUrl());
        if (r.lane() != null) {
            // only when given, so that the fingerprints of requests from before lanes still match
            sb.append("\npriority=").append(r.lane().wire());
        }
        for (BatchRequest.Item item : r.items()) {
            sb.append('\n').append(item.customId()).append('\n').append(fingerprint(item.request()));
        }
        return Ids.sha256Hex(sb.toString());
    }

    /** A stable fingerprint of what the request asks for, so a replay with the same key can be told from a reuse. */
    public static String fingerprint(JobRequest r) {
        ObjectNode n = Json.object();
        n.put("prompt", r.prompt());
        n.put("system", r.system());
        n.put("tier", r.tier());
        n.put("maxTokens", r.maxTokens());
        if (r.temperature() != null) {
            n.put("temperature", r.temperature());
        }
        ObjectNode md = n.putObject("metadata");
        new TreeMap<>(r.metadata()).forEach(md::put);
        n.put("webhook", r.webhookUrl());
        if (r.cache() != null) {
            n.put("cache", r.cache());
        }
        if (r.lane() != null) {
            n.put("priority", r.lane().wire());
        }
        if (r.stream()) {
            // only when asked for, so that the fingerprints of requests from before streaming still match
            n.put("stream", true);
        }
        return Ids.sha256Hex(Json.write(n));
    }

    // ---- field readers shared with batch parsing: each adds errors under `path` and returns a usable default ----

    void rejectUnknown(JsonNode node, Set<String> allowed, String prefix, List<FieldError> errors) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!allowed.contains(name)) {
                errors.add(new FieldError(prefix + name, "unknown field"));
            }
        }
    }

    String requiredText(JsonNode node, String name, String path, int maxBytes, List<FieldError> errors) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            errors.add(new FieldError(path, "is required"));
            return null;
        }
        String s = text(v, path, maxBytes, errors);
        if (s != null && s.isBlank()) {
            errors.add(new FieldError(path, "must not be blank"));
            return null;
        }
        return s;
    }

    String optionalText(JsonNode node, String name, String path, int maxBytes, List<FieldError> errors) {
        JsonNode v = node.get(name);
        return v == null || v.isNull() ? null : text(v, path, maxBytes, errors);
    }

    private static String text(JsonNode v, String path, int maxBytes, List<FieldError> errors) {
        if (!v.isTextual()) {
            errors.add(new FieldError(path, "must be a string"));
            return null;
        }
        String s = v.textValue();
        int bytes = s.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxBytes) {
            errors.add(new FieldError(path, "must be at most " + maxBytes + " bytes of UTF-8 (got " + bytes + ")"));
            return null;
        }
        return s;
    }

    String tier(JsonNode node, String name, String path, String fallback, List<FieldError> errors) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return fallback != null ? fallback : "standard";
        }
        if (!v.isTextual() || !catalog.isTier(v.textValue())) {
            errors.add(new FieldError(path, "must be one of " + String.join(", ", catalog.tiers())));
            return null;
        }
        return v.textValue();
    }

    int maxTokens(JsonNode node, String name, String path, Integer fallback, List<FieldError> errors) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return fallback != null ? fallback : catalog.defaultMaxTokens();
        }
        int limit = catalog.maxTokensLimit();
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 1 || v.intValue() > limit) {
            errors.add(new FieldError(path, "must be an integer from 1 to " + limit));
            return 0;
        }
        return v.intValue();
    }

    Double temperature(JsonNode node, String name, String path, Double fallback, List<FieldError> errors) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber() || v.doubleValue() < 0 || v.doubleValue() > 1 || Double.isNaN(v.doubleValue())) {
            errors.add(new FieldError(path, "must be a number from 0 to 1"));
            return null;
        }
        return v.doubleValue();
    }

    Map<String, String> metadata(JsonNode node, String name, String path, List<FieldError> errors) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return Map.of();
        }
        if (!v.isObject()) {
            errors.add(new FieldError(path, "must be an object of string values"));
            return Map.of();
        }
        if (v.size() > limits.maxMetadataEntries()) {
            errors.add(new FieldError(path, "must have at most " + limits.maxMetadataEntries() + " entries"));
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        var fields = v.fields();
        while (fields.hasNext()) {
            var e = fields.next();
            String key = e.getKey();
            String keyPath = path + "." + key;
            if (key.isEmpty() || key.length() > limits.maxMetadataKeyLength() || !key.matches("[A-Za-z0-9_.:-]+")) {
                errors.add(new FieldError(
                        keyPath,
                        "keys must be 1-" + limits.maxMetadataKeyLength()
                                + " characters of letters, digits, '_', '.', ':' or '-'"));
                continue;
            }
            if (!e.getValue().isTextual()) {
                errors.add(new FieldError(keyPath, "must be a string"));
                continue;
            }
            if (e.getValue().textValue().length() > limits.maxMetadataValueLength()) {
                errors.add(
                        new FieldError(keyPath, "must be at most " + limits.maxMetadataValueLength() + " characters"));
                continue;
            }
            out.put(key, e.getValue().textValue());
        }
        return out;
    }

    String webhook(JsonNode node, String path, List<FieldError> errors) {
        JsonNode v = node.get("webhook");
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            errors.add(new FieldError(path, "must be an object {\"url\": ...}"));
            return null;
        }
        rejectUnknown(v, Set.of("url"), path + ".", errors);
        JsonNode url = v.get("url");
        if (url == null || !url.isTextual()) {
            errors.add(new FieldError(path + ".url", "must be a string"));
            return null;
        }
        var refusal = webhookPolicy.check(url.textValue());
        refusal.ifPresent(reason -> errors.add(new FieldError(path + ".url", reason)));
        return refusal.isPresent() ? null : url.textValue();
    }

    String idempotencyKey(JsonNode node, String headerKey, List<FieldError> errors) {
        JsonNode v = node.get("idempotencyKey");
        String bodyKey = null;
        if (v != null && !v.isNull()) {
            if (!v.isTextual()) {
                errors.add(new FieldError("idempotencyKey", "must be a string"));
                return null;
            }
            bodyKey = v.textValue();
        }
        if (bodyKey != null && headerKey != null && !bodyKey.equals(headerKey)) {
            errors.add(new FieldError("idempotencyKey", "differs from the Idempotency-Key header"));
            return null;
        }
        String key = bodyKey != null ? bodyKey : headerKey;
        if (key == null) {
            return null;
        }
        String path = bodyKey != null ? "idempotencyKey" : "Idempotency-Key";
        if (key.isEmpty() || key.length() > limits.maxIdempotencyKeyLength() || !key.matches("[\\x21-\\x7E]+")) {
            errors.add(new FieldError(
                    path,
                    "must be 1-" + limits.maxIdempotencyKeyLength() + " printable ASCII characters without spaces"));
            return null;
        }
        return key;
    }
}
