package dev.bedrockjobs.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ModelFamilyTest {

    @ParameterizedTest
    @CsvSource({
        "anthropic.claude-3-5-haiku-20241022-v1:0, ANTHROPIC",
        "anthropic.claude-sonnet-4-6, ANTHROPIC",
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0, ANTHROPIC",
        "eu.anthropic.claude-haiku-4-5-20251001-v1:0, ANTHROPIC",
        "apac.anthropic.claude-sonnet-4-20250514-v1:0, ANTHROPIC",
        "global.anthropic.claude-sonnet-4-5-20250929-v1:0, ANTHROPIC",
        "us-gov.anthropic.claude-sonnet-4-5-20250929-v1:0, ANTHROPIC",
        "meta.llama3-1-8b-instruct-v1:0, META",
        "us.meta.llama4-maverick-17b-instruct-v1:0, META",
        "amazon.nova-pro-v1:0, NOVA",
        "us.amazon.nova-lite-v1:0, NOVA",
        "mistral.mistral-7b-instruct-v0:2, MISTRAL",
        "mistral.mixtral-8x7b-instruct-v0:1, MISTRAL",
        "mistral.mistral-large-2402-v1:0, MISTRAL",
        "arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-70b-instruct-v1:0, META",
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-opus-4-1-20250805-v1:0, ANTHROPIC",
    })
    void detectsFamilyFromModelOrProfileId(String modelId, ModelFamily expected) {
        assertEquals(expected, ModelFamily.fromModelId(modelId));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "amazon.titan-text-express-v1",
                "cohere.command-r-v1:0",
                "us.deepseek.r1-v1:0",
                "claude-sonnet-4-5",
                "us.",
                "xx.anthropic.claude-sonnet-4-6"
            })
    void rejectsUnsupportedModels(String modelId) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ModelFamily.fromModelId(modelId));

        assertTrue(e.getMessage().contains("'" + modelId + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("anthropic.claude"), e.getMessage());
    }

    @ParameterizedTest
    @NullAndEmptySource
    void rejectsMissingModelId(String modelId) {
        assertThrows(IllegalArgumentException.class, () -> ModelFamily.fromModelId(modelId));
    }

    @Test
    void everyFamilyHasACodec() {
        for (ModelFamily family : ModelFamily.values()) {
            assertEquals(family, ModelCodecs.forFamily(family).family());
        }
    }
}
