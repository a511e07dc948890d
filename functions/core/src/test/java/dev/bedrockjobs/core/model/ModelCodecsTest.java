package dev.bedrockjobs.core.model;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ModelCodecsTest {

    @Test
    void picksTheCodecOfTheModelsFamily() {
        assertInstanceOf(
                AnthropicMessagesCodec.class, ModelCodecs.forModel("global.anthropic.claude-haiku-4-5-20251001-v1:0"));
        assertInstanceOf(MetaLlamaCodec.class, ModelCodecs.forModel("meta.llama3-8b-instruct-v1:0"));
        assertInstanceOf(NovaCodec.class, ModelCodecs.forModel("apac.amazon.nova-micro-v1:0"));
        assertInstanceOf(MistralCodec.class, ModelCodecs.forModel("mistral.mixtral-8x7b-instruct-v0:1"));
    }

    @Test
    void sharesOneCodecPerFamily() {
        assertSame(
                ModelCodecs.forModel("us.anthropic.claude-sonnet-4-5-20250929-v1:0"),
                ModelCodecs.forModel("anthropic.claude-3-5-haiku-20241022-v1:0"));
    }

    @Test
    void rejectsUnknownModels() {
        assertThrows(IllegalArgumentException.class, () -> ModelCodecs.forModel("amazon.titan-text-express-v1"));
    }
}
