package dev.bedrockjobs.local.emulators.sfn.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FunctionReferenceTest {

    @Test
    void aPlainNameHasNoAccountRegionOrQualifier() {
        assertEquals(new FunctionReference("stream", null, null, null), FunctionReference.parse("stream"));
    }

    @Test
    void aNameMayCarryAQualifier() {
        assertEquals(new FunctionReference("stream", null, null, "prod"), FunctionReference.parse("stream:prod"));
    }

    @Test
    void aPartialArnNamesTheAccount() {
        assertEquals(
                new FunctionReference("stream", "123456789012", null, null),
                FunctionReference.parse("123456789012:function:stream"));
    }

    @Test
    void aFunctionArnNamesTheRegionAndAccountAndMayCarryAQualifier() {
        assertEquals(
                new FunctionReference("stream", "123456789012", "us-east-1", "$LATEST"),
                FunctionReference.parse("arn:aws:lambda:us-east-1:123456789012:function:stream:$LATEST"));
    }

    @Test
    void onlyNoQualifierOrLatestNameTheUnpublishedCode() {
        assertTrue(FunctionReference.parse("stream").isLatest());
        assertTrue(FunctionReference.parse("stream:$LATEST").isLatest());
        assertFalse(FunctionReference.parse("stream:1").isLatest());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "stream:",
                "a:b:c",
                "arn:aws:lambda:us-east-1:123456789012:function:",
                "arn:aws:lambda:us-east-1:123456789012:function:stream:1:2",
                "arn:aws:sqs:us-east-1:123456789012:queue"
            })
    void textInNoneOfTheFormsIsRefused(String text) {
        assertThrows(IllegalArgumentException.class, () -> FunctionReference.parse(text));
    }
}
