package dev.bedrockjobs.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.core.domain.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.Map;

/**
 * On-demand token prices per model, read once from {@code pricing.json} beside this class. Prices are keyed by
 * foundation-model id without its version suffix, so profile ids ({@code us.}, {@code global.}…), ARNs and version
 * variants of one model share a price. Pricing never fails a job: an unknown model simply has no cost.
 */
public final class Pricing {

    static final String RESOURCE = "pricing.json";
    private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);
    private static final int USD_SCALE = 6;

    /**
     * USD per 1,000 tokens. The geo rates, when present, apply to geographic inference profiles and in-region calls,
     * the plain rates to everything else: AWS prices newer Claude models about 10% lower through global profiles.
     */
    private record Rates(BigDecimal input, BigDecimal output, BigDecimal geoInput, BigDecimal geoOutput) {}

    private final Map<String, Rates> ratesByModel;

    private Pricing(Map<String, Rates> ratesByModel) {
        this.ratesByModel = Map.copyOf(ratesByModel);
    }

    private static final class Loaded {
        static final Pricing INSTANCE = load(RESOURCE);
    }

    /** The prices bundled with the service, parsed on first use. */
    public static Pricing load() {
        return Loaded.INSTANCE;
    }

    private static Pricing load(String resource) {
        try (InputStream in = Pricing.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("pricing resource " + resource + " is missing");
            }
            return fromJson(Json.MAPPER.readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException("pricing resource " + resource + " is unreadable", e);
        }
    }

    static Pricing fromJson(JsonNode root) {
        JsonNode models = root.path("models");
        if (!models.isObject()) {
            throw new IllegalStateException("pricing: 'models' must be an object");
        }
        Map<String, Rates> ratesByModel = new HashMap<>();
        for (Map.Entry<String, JsonNode> entry : models.properties()) {
            String model = ModelIds.unversioned(entry.getKey());
            if (ratesByModel.put(model, rates(entry.getKey(), entry.getValue())) != null) {
                throw new IllegalStateException("pricing: more than one entry for " + model);
            }
        }
        return new Pricing(ratesByModel);
    }

    private static Rates rates(String model, JsonNode entry) {
        BigDecimal input = rate(model, entry, "input", true);
        BigDecimal output = rate(model, entry, "output", true);
        BigDecimal geoInput = rate(model, entry, "geoInput", false);
        BigDecimal geoOutput = rate(model, entry, "geoOutput", false);
        if ((geoInput == null) != (geoOutput == null)) {
            throw new IllegalStateException("pricing: " + model + " needs both geoInput and geoOutput, or neither");
        }
        return new Rates(input, output, geoInput, geoOutput);
    }

    private static BigDecimal rate(String model, JsonNode entry, String field, boolean required) {
        JsonNode node = entry.path(field);
        if (node.isMissingNode() && !required) {
            return null;
        }
        if (!node.isNumber() || node.decimalValue().signum() < 0) {
            throw new IllegalStateException("pricing: " + model + "." + field + " must be a non-negative number");
        }
        return node.decimalValue();
    }

    public boolean isPriced(String modelId) {
        return modelId != null && ratesByModel.containsKey(ModelIds.unversioned(modelId));
    }

    /** @return the cost of a call, or null when the model has no known price */
    public Cost costOf(String modelId, long inputTokens, long outputTokens) {
        if (inputTokens < 0 || outputTokens < 0) {
            throw new IllegalArgumentException("token counts must not be negative");
        }
        Rates rates = modelId == null ? null : ratesByModel.get(ModelIds.unversioned(modelId));
        if (rates == null) {
            return null;
        }
        boolean geo = rates.geoInput() != null && !ModelIds.isGlobalProfile(modelId);
        BigDecimal inputRate = geo ? rates.geoInput() : rates.input();
        BigDecimal outputRate = geo ? rates.geoOutput() : rates.output();
        BigDecimal usd = inputRate
                .multiply(BigDecimal.valueOf(inputTokens))
                .add(outputRate.multiply(BigDecimal.valueOf(outputTokens)))
                .divide(THOUSAND)
                .setScale(USD_SCALE, RoundingMode.HALF_UP);
        return new Cost(usd, inputRate, outputRate);
    }

    /**
     * The most a request can cost: the most input tokens its prompt can count as and every output token it allows.
     * @return null when the model has no known price
     */
    public Cost mostFor(String modelId, String prompt, String system, int maxTokens) {
        return costOf(modelId, mostInputTokens(modelId, prompt, system), maxTokens);
    }

    /**
     * The most input tokens a prompt (and system prompt) can count as, before the model has counted them: their
     * UTF-8 bytes plus the family's template ({@link ModelFamily#templateTokensAtMost}). The families' tokenizers
     * (byte-level BPE, or SentencePiece falling back to bytes) cut the text into pieces of at least one byte each,
     * so text never counts as more tokens than it has bytes, whatever its script: English runs near four bytes a
     * token, CJK near one character (three bytes) a token, an emoji up to one token a byte. A hold from this bound
     * is therefore never below what the job uses; the usage counted when it ends replaces it.
     */
    public static long mostInputTokens(String modelId, String prompt, String system) {
        return utf8Bytes(prompt) + utf8Bytes(system) + templateTokensAtMost(modelId);
    }

    private static long utf8Bytes(String text) {
        return text == null ? 0 : text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    private static int templateTokensAtMost(String modelId) {
        try {
            return ModelFamily.fromModelId(modelId).templateTokensAtMost();
        } catch (IllegalArgumentException unknownFamily) {
            return java.util.Arrays.stream(ModelFamily.values())
                    .mapToInt(ModelFamily::templateTokensAtMost)
                    .max()
                    .orElseThrow();
        }
    }
}
