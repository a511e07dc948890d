package dev.bedrockjobs.core.model;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** One stateless, thread-safe codec per family, built once. */
public final class ModelCodecs {

    private static final Map<ModelFamily, ModelCodec> BY_FAMILY = new EnumMap<>(ModelFamily.class);

    static {
        for (ModelCodec codec :
                List.of(new AnthropicMessagesCodec(), new MetaLlamaCodec(), new NovaCodec(), new MistralCodec())) {
            BY_FAMILY.put(codec.family(), codec);
        }
    }

    private ModelCodecs() {}

    /**
     * The codec for a model id, inference-profile id or ARN.
     *
     * @throws IllegalArgumentException when the id belongs to no supported family
     */
    public static ModelCodec forModel(String modelId) {
        return forFamily(ModelFamily.fromModelId(modelId));
    }

    public static ModelCodec forFamily(ModelFamily family) {
        return BY_FAMILY.get(family);
    }
}
