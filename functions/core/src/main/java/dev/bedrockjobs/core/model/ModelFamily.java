package dev.bedrockjobs.core.model;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Provider families whose InvokeModel request and response bodies differ. */
public enum ModelFamily {
    ANTHROPIC("Anthropic Claude", "anthropic.claude"),
    META("Meta Llama", "meta.llama"),
    NOVA("Amazon Nova", "amazon.nova"),
    MISTRAL("Mistral", "mistral.");

    private final String displayName;
    private final String idPrefix;

    ModelFamily(String displayName, String idPrefix) {
        this.displayName = displayName;
        this.idPrefix = idPrefix;
    }

    public String displayName() {
        return displayName;
    }

    /**
     * Detects the family of a foundation-model id, inference-profile id ({@code us.}, {@code eu.}, {@code apac.},
     * {@code global.}…) or ARN of either.
     *
     * @throws IllegalArgumentException when the id belongs to no supported family
     */
    public static ModelFamily fromModelId(String modelId) {
        if (modelId == null || modelId.isBlank()) {
            throw new IllegalArgumentException("model id is required");
        }
        String foundationModelId = ModelIds.foundationModelId(modelId);
        for (ModelFamily family : values()) {
            if (foundationModelId.startsWith(family.idPrefix)) {
                return family;
            }
        }
        throw new IllegalArgumentException("unsupported model id '" + modelId + "': expected one of the families "
                + Arrays.stream(values()).map(f -> f.idPrefix + "*").collect(Collectors.joining(", "))
                + ", optionally behind an inference-profile prefix such as us. or global.");
    }
}
