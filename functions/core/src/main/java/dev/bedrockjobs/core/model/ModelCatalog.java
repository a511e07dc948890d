package dev.bedrockjobs.core.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Maps the model tiers a client may ask for to configured Bedrock model ids, and holds the max-tokens policy.
 * Configuration comes from environment variables; anything absent or blank falls back to a default.
 */
public final class ModelCatalog {

    public static final String FAST = "fast";
    public static final String STANDARD = "standard";
    public static final String REASONING = "reasoning";

    public static final String MODEL_FAST = "MODEL_FAST";
    public static final String MODEL_STANDARD = "MODEL_STANDARD";
    public static final String MODEL_REASONING = "MODEL_REASONING";
    public static final String MAX_TOKENS_DEFAULT = "MAX_TOKENS_DEFAULT";
    public static final String MAX_TOKENS_LIMIT = "MAX_TOKENS_LIMIT";

    // Claude 4-class models are invocable on demand only through an inference profile, hence the us. prefix
    static final String DEFAULT_FAST_MODEL = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
    static final String DEFAULT_STANDARD_MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
    static final String DEFAULT_REASONING_MODEL = "us.anthropic.claude-opus-4-1-20250805-v1:0";
    static final int DEFAULT_MAX_TOKENS = 1024;
    static final int DEFAULT_MAX_TOKENS_LIMIT = 8192;

    private static final List<String> TIERS = List.of(FAST, STANDARD, REASONING);

    private final Map<String, String> modelIdByTier;
    private final int defaultMaxTokens;
    private final int maxTokensLimit;

    private ModelCatalog(Map<String, String> modelIdByTier, int defaultMaxTokens, int maxTokensLimit) {
        this.modelIdByTier = modelIdByTier;
        this.defaultMaxTokens = defaultMaxTokens;
        this.maxTokensLimit = maxTokensLimit;
    }

    public static ModelCatalog fromEnvironment() {
        return from(System.getenv());
    }

    /**
     * @param environment environment variables by name
     * @throws IllegalArgumentException when a value is present but unusable, so a misconfigured function fails at
     *                                  start rather than on its first job
     */
    public static ModelCatalog from(Map<String, String> environment) {
        Objects.requireNonNull(environment, "environment");
        Map<String, String> modelIdByTier = Map.of(
                FAST, modelId(environment, MODEL_FAST, DEFAULT_FAST_MODEL),
                STANDARD, modelId(environment, MODEL_STANDARD, DEFAULT_STANDARD_MODEL),
                REASONING, modelId(environment, MODEL_REASONING, DEFAULT_REASONING_MODEL));
        int defaultMaxTokens = positiveInt(environment, MAX_TOKENS_DEFAULT, DEFAULT_MAX_TOKENS);
        int maxTokensLimit = positiveInt(environment, MAX_TOKENS_LIMIT, DEFAULT_MAX_TOKENS_LIMIT);
        if (defaultMaxTokens > maxTokensLimit) {
            throw new IllegalArgumentException(MAX_TOKENS_DEFAULT + " (" + defaultMaxTokens + ") must not exceed "
                    + MAX_TOKENS_LIMIT + " (" + maxTokensLimit + ")");
        }
        return new ModelCatalog(modelIdByTier, defaultMaxTokens, maxTokensLimit);
    }

    /** @throws IllegalArgumentException for a tier that is not one of {@link #tiers()} */
    public String modelIdFor(String tier) {
        String modelId = tier == null ? null : modelIdByTier.get(tier);
        if (modelId == null) {
            throw new IllegalArgumentException(
                    "unknown model tier '" + tier + "'; valid tiers: " + String.join(", ", tiers()));
        }
        return modelId;
    }

    /** Tiers from cheapest to most capable. */
    public List<String> tiers() {
        return TIERS;
    }

    public boolean isTier(String tier) {
        return tier != null && modelIdByTier.containsKey(tier);
    }

    public int defaultMaxTokens() {
        return defaultMaxTokens;
    }

    public int maxTokensLimit() {
        return maxTokensLimit;
    }

    private static String modelId(Map<String, String> environment, String name, String defaultModelId) {
        String value = environment.get(name);
        if (value == null || value.isBlank()) {
            return defaultModelId;
        }
        String modelId = value.strip();
        try {
            ModelFamily.fromModelId(modelId);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
        return modelId;
    }

    private static int positiveInt(Map<String, String> environment, String name, int defaultValue) {
        String value = environment.get(name);
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value.strip());
            if (parsed >= 1) {
                return parsed;
            }
        } catch (NumberFormatException ignored) {
            // reported below with the variable's name
        }
        throw new IllegalArgumentException(name + " must be a positive integer, was '" + value + "'");
    }
}
