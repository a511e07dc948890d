package dev.bedrockjobs.local.emulators.sfn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DefinitionSubstitutionsTest {

    @Test
    void replacesEveryOccurrenceTextually() {
        String template = "{\"a\": ${N}, \"b\": \"${Label}\", \"c\": ${N}, \"d\": \"$notAPlaceholder\"}";

        assertEquals(Set.of("N", "Label"), DefinitionSubstitutions.placeholders(template));
        assertEquals(
                "{\"a\": 3, \"b\": \"x$1\", \"c\": 3, \"d\": \"$notAPlaceholder\"}",
                DefinitionSubstitutions.apply(template, Map.of("N", 3, "Label", "x$1", "Unused", 0)));
    }

    @Test
    void refusesMissingValuesNamingThem() {
        IllegalArgumentException missing = assertThrows(
                IllegalArgumentException.class, () -> DefinitionSubstitutions.apply("${A} ${B} ${C}", Map.of("B", 1)));
        assertTrue(missing.getMessage().contains("[A, C]"), missing.getMessage());
    }
}
