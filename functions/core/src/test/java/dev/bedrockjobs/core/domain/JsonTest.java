package dev.bedrockjobs.core.domain;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class JsonTest {
    private static String refusal(String body) {
        return assertThrows(ValidationException.class, () -> Json.parseBody(body))
                .errors()
                .get(0)
                .message();
    }

    @Test
    void aBodyPastTheParsersLimitsIsRefusedWithoutNamingItsSettings() {
        String deep = refusal("{\"a\":".repeat(100) + "1" + "}".repeat(100));
        assertTrue(deep.contains("nesting depth"), deep);
        String longNumber = refusal("{\"n\": " + "9".repeat(100) + "}");
        assertTrue(longNumber.contains("Number value length"), longNumber);
        for (String message : new String[] {deep, longNumber}) {
            assertFalse(message.contains("StreamReadConstraints"), message);
            assertFalse(message.contains("`"), message);
        }
    }
}
