package dev.bedrockjobs.local.emulators.bedrock;

import java.util.Optional;

/**
 * The provider families the simulator speaks, recognised from the model id the way their ids are spelled in
 * Bedrock: foundation-model ids ({@code anthropic.claude-...}), inference-profile ids ({@code us.anthropic...},
 * {@code global.anthropic...}) and model ARNs all contain the provider prefix.
 */
@SuppressWarnings("ImmutableEnumChecker") // the protocols keep no state: each maps a request to a response
enum ModelFamily {
    ANTHROPIC("anthropic.", new AnthropicMessagesProtocol()),
    META("meta.", new MetaLlamaProtocol()),
    NOVA("amazon.nova", new AmazonNovaProtocol()),
    MISTRAL("mistral.", new MistralTextProtocol());

    private final String idMarker;
    private final ModelProtocol protocol;

    ModelFamily(String idMarker, ModelProtocol protocol) {
        this.idMarker = idMarker;
        this.protocol = protocol;
    }

    ModelProtocol protocol() {
        return protocol;
    }

    static Optional<ModelFamily> of(String modelId) {
        for (ModelFamily family : values()) {
            if (modelId.contains(family.idMarker)) {
                return Optional.of(family);
            }
        }
        return Optional.empty();
    }
}
