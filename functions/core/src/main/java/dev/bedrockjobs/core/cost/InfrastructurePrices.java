package dev.bedrockjobs.core.cost;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.core.domain.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The per-unit AWS prices of the services one job passes through, per region, and the stated assumptions of the job
 * cost model (function memory and duration, model speed, item sizes), read from {@code infrastructure-prices.json}
 * beside this class. Bedrock token prices are not here: {@link dev.bedrockjobs.core.model.Pricing} owns them.
 */
public final class InfrastructurePrices {

    static final String RESOURCE = "infrastructure-prices.json";

    /** USD per unit of each metered dimension, in one region. */
    public record RegionPrices(
            BigDecimal apiGatewayHttpPerMillionRequests,
            BigDecimal lambdaPerMillionRequests,
            BigDecimal lambdaArmPerGbSecond,
            BigDecimal sqsPerMillionRequests,
            BigDecimal stepFunctionsExpressPerMillionRequests,
            BigDecimal stepFunctionsExpressPerGbSecond,
            BigDecimal dynamoDbPerMillionWriteUnits,
            BigDecimal dynamoDbPerMillionReadUnits,
            BigDecimal logsPerGbIngested) {}

    /** A function's configured memory and the stated duration of one warm invocation of its own work. */
    public record FunctionProfile(int memoryMb, int durationMs) {}

    /** How long a model call of one tier takes: first token, then output tokens at a steady rate. */
    public record ModelSpeed(int firstTokenMs, int outputTokensPerSecond) {
        public long callMillis(long outputTokens) {
            return firstTokenMs + Math.round(outputTokens * 1000.0 / outputTokensPerSecond);
        }
    }

    /** An always-on GPU instance to hold the serverless bill against. */
    public record GpuInstance(String name, String gpus, BigDecimal usdPerHour) {}

    public static final Set<String> FUNCTIONS = Set.of("authorizer", "submit", "status", "worker", "webhook");

    private final Map<String, RegionPrices> regions;
    private final Map<String, FunctionProfile> functions;
    private final Map<String, ModelSpeed> models;
    private final int charsPerToken;
    private final int jobFixedBytes;
    private final int logBytesPerJob;
    private final List<GpuInstance> gpuInstances;

    private InfrastructurePrices(JsonNode root) {
        regions = new LinkedHashMap<>();
        root.path("regions").properties().forEach(e -> regions.put(e.getKey(), regionPrices(e.getKey(), e.getValue())));
        if (regions.isEmpty()) {
            throw new IllegalStateException("infrastructure prices: no region");
        }
        functions = new LinkedHashMap<>();
        for (String fn : FUNCTIONS) {
            JsonNode f = root.path("functions").path(fn);
            functions.put(fn, new FunctionProfile(positiveInt(f, "memoryMb", fn), positiveInt(f, "durationMs", fn)));
        }
        models = new LinkedHashMap<>();
        root.path("models")
                .properties()
                .forEach(e -> models.put(
                        e.getKey(),
                        new ModelSpeed(
                                positiveInt(e.getValue(), "firstTokenMs", e.getKey()),
                                positiveInt(e.getValue(), "outputTokensPerSecond", e.getKey()))));
        JsonNode items = root.path("items");
        charsPerToken = positiveInt(items, "charsPerToken", "items");
        jobFixedBytes = positiveInt(items, "jobFixedBytes", "items");
        logBytesPerJob = positiveInt(items, "logBytesPerJob", "items");
        gpuInstances = new ArrayList<>();
        for (JsonNode g : root.path("gpuInstances")) {
            gpuInstances.add(new GpuInstance(
                    g.path("name").asText(),
                    g.path("gpus").asText(),
                    price(g, "usdPerHour", g.path("name").asText())));
        }
    }

    private static final class Loaded {
        static final InfrastructurePrices INSTANCE = load(RESOURCE);
    }

    /** The prices bundled with the code base, parsed on first use. */
    public static InfrastructurePrices load() {
        return Loaded.INSTANCE;
    }

    static InfrastructurePrices load(String resource) {
        try (InputStream in = InfrastructurePrices.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("infrastructure prices resource " + resource + " is missing");
            }
            return new InfrastructurePrices(Json.MAPPER.readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException("infrastructure prices resource " + resource + " is unreadable", e);
        }
    }

    private static RegionPrices regionPrices(String region, JsonNode r) {
        return new RegionPrices(
                price(r, "apiGatewayHttpUsdPerMillionRequests", region),
                price(r, "lambdaUsdPerMillionRequests", region),
                price(r, "lambdaArmUsdPerGbSecond", region),
                price(r, "sqsUsdPerMillionRequests", region),
                price(r, "stepFunctionsExpressUsdPerMillionRequests", region),
                price(r, "stepFunctionsExpressUsdPerGbSecond", region),
                price(r, "dynamoDbUsdPerMillionWriteUnits", region),
                price(r, "dynamoDbUsdPerMillionReadUnits", region),
                price(r, "logsUsdPerGbIngested", region));
    }

    private static BigDecimal price(JsonNode node, String field, String where) {
        JsonNode v = node.path(field);
        if (!v.isNumber() || v.decimalValue().signum() < 0) {
            throw new IllegalStateException(
                    "infrastructure prices: " + where + "." + field + " must be a non-negative number");
        }
        return v.decimalValue();
    }

    private static int positiveInt(JsonNode node, String field, String where) {
        JsonNode v = node.path(field);
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.intValue() <= 0) {
            throw new IllegalStateException(
                    "infrastructure prices: " + where + "." + field + " must be a positive whole number");
        }
        return v.intValue();
    }

    /** @throws IllegalArgumentException for a region without prices, naming the ones there are */
    public RegionPrices region(String region) {
        RegionPrices p = regions.get(region);
        if (p == null) {
            throw new IllegalArgumentException("no infrastructure prices for region '" + region + "'; priced regions: "
                    + String.join(", ", regions.keySet()));
        }
        return p;
    }

    public Set<String> regions() {
        return regions.keySet();
    }

    public FunctionProfile function(String name) {
        FunctionProfile f = functions.get(name);
        if (f == null) {
            throw new IllegalArgumentException("no profile for function '" + name + "'");
        }
        return f;
    }

    /** @throws IllegalArgumentException for a tier without a stated model speed */
    public ModelSpeed modelSpeed(String tier) {
        ModelSpeed s = models.get(tier);
        if (s == null) {
            throw new IllegalArgumentException("no model speed for tier '" + tier + "'");
        }
        return s;
    }

    public int charsPerToken() {
        return charsPerToken;
    }

    public int jobFixedBytes() {
        return jobFixedBytes;
    }

    public int logBytesPerJob() {
        return logBytesPerJob;
    }

    public List<GpuInstance> gpuInstances() {
        return List.copyOf(gpuInstances);
    }
}
