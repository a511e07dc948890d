package dev.bedrockjobs.core.model;

import static dev.bedrockjobs.core.model.ModelFixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PricingTest {

    private final Pricing pricing = Pricing.load();

    @Test
    void thePromptBoundCountsEveryUtf8ByteAsATokenWhateverTheScriptAndAddsTheFamilysTemplate() {
        String haiku = "anthropic.claude-haiku-4-5-20251001-v1:0";
        assertEquals(12 + 16, Pricing.mostInputTokens(haiku, "twelve chars", null));
        // an emoji is 4 bytes (2 UTF-16 chars, 1 code point); a CJK character is 3 bytes
        assertEquals(
                4 * 10 + 3 * 5 + 16, Pricing.mostInputTokens(haiku, "\uD83D\uDE00".repeat(10), "\u9810".repeat(5)));
        // Llama's text template (headers around the system, user and assistant turns) is counted with the prompt
        String llama = "meta.llama3-3-70b-instruct-v1:0";
        String wrapped = MetaLlamaCodec.chatPrompt(new ModelRequest("p", "s", 1, null));
        long template = wrapped.getBytes(StandardCharsets.UTF_8).length - 2L;
        assertTrue(Pricing.mostInputTokens(llama, "p", "s") >= 2 + template, wrapped);
        assertEquals(2 + 192, Pricing.mostInputTokens("unknown.model", "p", "s"), "the largest template when unknown");
    }

    @Test
    void sonnetAtThreeThousandInTwoThousandOutCostsAboutFourCents() {
        // $3 / $15 per million tokens: 3,000 x 0.003/1K + 2,000 x 0.015/1K
        assertEquals(
                new BigDecimal("0.039000"),
                pricing.costOf("global.anthropic.claude-sonnet-4-5-20250929-v1:0", 3_000, 2_000)
                        .usd());
        assertEquals(
                new BigDecimal("0.039000"),
                pricing.costOf("us.anthropic.claude-sonnet-4-20250514-v1:0", 3_000, 2_000)
                        .usd());
    }

    @Test
    void geographicProfilesPayTheGeoRate() {
        Cost cost = pricing.costOf("us.anthropic.claude-sonnet-4-5-20250929-v1:0", 3_000, 2_000);

        assertEquals(new BigDecimal("0.042900"), cost.usd());
        assertEquals(new BigDecimal("0.0033"), cost.inputUsdPer1k());
        assertEquals(new BigDecimal("0.0165"), cost.outputUsdPer1k());
    }

    @ParameterizedTest
    @CsvSource({
        "us.anthropic.claude-haiku-4-5-20251001-v1:0, 1000, 500, 0.003850",
        "global.anthropic.claude-haiku-4-5-20251001-v1:0, 1000, 500, 0.003500",
        "us.anthropic.claude-opus-4-1-20250805-v1:0, 2000, 1000, 0.105000",
        "us.anthropic.claude-opus-4-6-v1, 2000, 1000, 0.038500",
        "anthropic.claude-3-5-haiku-20241022-v1:0, 10000, 1000, 0.012000",
        "us.meta.llama4-maverick-17b-instruct-v1:0, 1000000, 1000000, 1.210000",
        "meta.llama3-1-8b-instruct-v1:0, 5000, 5000, 0.002200",
        "us.amazon.nova-micro-v1:0, 15000, 0, 0.000525",
        "amazon.nova-pro-v1:0, 1000, 1000, 0.004000",
        "arn:aws:bedrock:us-east-1::foundation-model/mistral.mistral-large-2402-v1:0, 1000, 1000, 0.016000",
        "mistral.mistral-7b-instruct-v0:2, 30, 0, 0.000005",
        "mistral.mistral-7b-instruct-v0:2, 0, 0, 0.000000",
    })
    void pricesKnownModels(String modelId, long inputTokens, long outputTokens, String usd) {
        assertTrue(pricing.isPriced(modelId));
        assertEquals(
                new BigDecimal(usd),
                pricing.costOf(modelId, inputTokens, outputTokens).usd());
    }

    @Test
    void ignoresVersionSuffixVariants() {
        assertTrue(pricing.isPriced("anthropic.claude-3-5-haiku-20241022-v1:0"));
        assertTrue(pricing.isPriced("anthropic.claude-3-5-haiku-20241022-v1:0:200k"));
        assertTrue(pricing.isPriced("eu.anthropic.claude-opus-4-6-v1"));
        assertTrue(pricing.isPriced("us.anthropic.claude-sonnet-4-6"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "amazon.titan-text-express-v1",
                "us.anthropic.claude-sonnet-9",
                "mistral.mistral-large-2407-v1:0",
                "",
                "nonsense"
            })
    void unknownModelsHaveNoCost(String modelId) {
        assertFalse(pricing.isPriced(modelId));
        assertNull(pricing.costOf(modelId, 1_000, 1_000));
    }

    @Test
    void nullModelHasNoCost() {
        assertFalse(pricing.isPriced(null));
        assertNull(pricing.costOf(null, 1, 1));
    }

    @Test
    void rejectsNegativeTokenCounts() {
        assertThrows(IllegalArgumentException.class, () -> pricing.costOf("amazon.nova-pro-v1:0", -1, 0));
    }

    @Test
    void loadsOnce() {
        assertSame(Pricing.load(), Pricing.load());
    }

    @Test
    void bundledPricesNameTheirSource() throws Exception {
        try (var in = Pricing.class.getResourceAsStream(Pricing.RESOURCE)) {
            assertFalse(dev.bedrockjobs.core.domain.Json.MAPPER
                    .readTree(in)
                    .path("_source")
                    .asText()
                    .isBlank());
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{}",
                "{\"models\":{\"amazon.nova-pro-v1:0\":{\"input\":0.0008}}}",
                "{\"models\":{\"amazon.nova-pro-v1:0\":{\"input\":\"0.0008\",\"output\":0.0032}}}",
                "{\"models\":{\"amazon.nova-pro-v1:0\":{\"input\":-1,\"output\":0.0032}}}",
                "{\"models\":{\"amazon.nova-pro-v1:0\":{\"input\":0.0008,\"output\":0.0032,\"geoInput\":0.001}}}",
                "{\"models\":{\"amazon.nova-pro-v1:0\":{\"input\":0.0008,\"output\":0.0032},\"amazon.nova-pro-v2:0\":{\"input\":1,\"output\":1}}}",
            })
    void rejectsMalformedPriceData(String data) {
        assertThrows(IllegalStateException.class, () -> Pricing.fromJson(json(data)));
    }
}
