package dev.bedrockjobs.core.model;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Provider families whose InvokeModel request and response bodies differ. */
public enum ModelFamily {
    // The last argument bounds the tokens a request adds around its prompt and system text: the role markers of a
    // messages API (a few tokens a message), or the bytes of the text template the codec wraps them in (Llama 3's
    // headers come to 168 bytes with a system turn, Mistral's [INST] wrapper to 20), with room to spare.
    ANTHROPIC("Anthropic Claude", "anthropic.claude", 16),
    META("Meta Llama", "meta.llama", 192),
    NOVA("Amazon Nova", "amazon.nova", 16),
    MISTRAL("Mistral", "mistral.", 32);

    private final String displayName;
    private final String idPrefix;
    private final int templateTokensAtMost;

    ModelFamily(String displayName, String idPrefix, int templateTokensAtMost) {
        this.displayName = displayName;
        this.idPrefix = idPrefix;
        this.templateTokensAtMost = templateTokensAtMost;
    }

    /** The most input tokens a request of this family counts beyond the UTF-8 bytes of its prompt and system text. */
    public int templateTokensAtMost() {
        return templateTokensAtMost;
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
