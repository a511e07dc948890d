package dev.bedrockjobs.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelCatalogTest {

    @Test
    void defaultsWhenNothingIsConfigured() {
        ModelCatalog catalog = ModelCatalog.from(Map.of());

        assertEquals("us.anthropic.claude-haiku-4-5-20251001-v1:0", catalog.modelIdFor("fast"));
        assertEquals("us.anthropic.claude-sonnet-4-5-20250929-v1:0", catalog.modelIdFor("standard"));
        assertEquals("us.anthropic.claude-opus-4-1-20250805-v1:0", catalog.modelIdFor("reasoning"));
        assertEquals(1024, catalog.defaultMaxTokens());
        assertEquals(8192, catalog.maxTokensLimit());
    }

    @Test
    void defaultModelsHaveCodecsAndPrices() {
        ModelCatalog catalog = ModelCatalog.from(Map.of());

        for (String tier : catalog.tiers()) {
            String modelId = catalog.modelIdFor(tier);
            assertNotNull(ModelCodecs.forModel(modelId));
            assertTrue(Pricing.load().isPriced(modelId), modelId);
        }
    }

    @Test
    void environmentOverridesDefaults() {
        ModelCatalog catalog = ModelCatalog.from(Map.of(
                "MODEL_FAST", "us.amazon.nova-micro-v1:0",
                "MODEL_STANDARD", " meta.llama3-3-70b-instruct-v1:0 ",
                "MODEL_REASONING", "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
                "MAX_TOKENS_DEFAULT", "512",
                "MAX_TOKENS_LIMIT", "4096"));

        assertEquals("us.amazon.nova-micro-v1:0", catalog.modelIdFor("fast"));
        assertEquals("meta.llama3-3-70b-instruct-v1:0", catalog.modelIdFor("standard"));
        assertEquals("global.anthropic.claude-sonnet-4-5-20250929-v1:0", catalog.modelIdFor("reasoning"));
        assertEquals(512, catalog.defaultMaxTokens());
        assertEquals(4096, catalog.maxTokensLimit());
    }

    @Test
    void blankValuesFallBackToDefaults() {
        ModelCatalog catalog = ModelCatalog.from(Map.of("MODEL_FAST", " ", "MAX_TOKENS_LIMIT", ""));

        assertEquals(ModelCatalog.DEFAULT_FAST_MODEL, catalog.modelIdFor("fast"));
        assertEquals(8192, catalog.maxTokensLimit());
    }

    @Test
    void listsTiersFromCheapest() {
        ModelCatalog catalog = ModelCatalog.from(Map.of());

        assertEquals(List.of("fast", "standard", "reasoning"), catalog.tiers());
        assertTrue(catalog.isTier("standard"));
        assertFalse(catalog.isTier("Standard"));
        assertFalse(catalog.isTier("turbo"));
        assertFalse(catalog.isTier(null));
    }

    @Test
    void unknownTierNamesTheValidOnes() {
        ModelCatalog catalog = ModelCatalog.from(Map.of());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> catalog.modelIdFor("turbo"));

        assertEquals("unknown model tier 'turbo'; valid tiers: fast, standard, reasoning", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> catalog.modelIdFor(null));
    }

    @Test
    void rejectsUnusableConfiguration() {
        assertRejected(Map.of("MODEL_FAST", "amazon.titan-text-express-v1"), "MODEL_FAST");
        assertRejected(Map.of("MAX_TOKENS_DEFAULT", "lots"), "MAX_TOKENS_DEFAULT");
        assertRejected(Map.of("MAX_TOKENS_LIMIT", "0"), "MAX_TOKENS_LIMIT");
        assertRejected(Map.of("MAX_TOKENS_DEFAULT", "9000"), "MAX_TOKENS_DEFAULT");
    }

    @Test
    void readsTheProcessEnvironment() {
        assertNotNull(ModelCatalog.fromEnvironment().modelIdFor("fast"));
    }

    private static void assertRejected(Map<String, String> environment, String variable) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelCatalog.from(environment));
        assertTrue(e.getMessage().startsWith(variable), e.getMessage());
    }
}
