package dev.bedrockjobs.local.emulators.bedrock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ScriptedFaultTest {

    @Test
    void aMidStreamMarkerBreaksTheFirstCallAfterItsChunksWithAModelStreamError() {
        ScriptedFault.MidStream fault =
                ScriptedFault.midStreamForCall("x [[midstream:4]] y", 1).orElseThrow();

        assertEquals(4, fault.afterChunks());
        assertEquals("modelStreamErrorException", fault.error().streamMemberName());
        assertEquals(Optional.empty(), ScriptedFault.midStreamForCall("x [[midstream:4]] y", 2));
    }

    @Test
    void aMidStreamMarkerNamesItsKindAndHowManyCallsItBreaks() {
        String prompt = "[[midstream:0:throttling:2]]";

        assertEquals(
                "throttlingException",
                ScriptedFault.midStreamForCall(prompt, 2).orElseThrow().error().streamMemberName());
        assertEquals(0, ScriptedFault.midStreamForCall(prompt, 1).orElseThrow().afterChunks());
        assertEquals(Optional.empty(), ScriptedFault.midStreamForCall(prompt, 3));
        assertTrue(ScriptedFault.midStreamForCall("[[midstream:1:internal:always]]", 99)
                .isPresent());
    }

    @Test
    void aMidStreamMarkerIsNoFaultBeforeTheFirstChunk() {
        assertEquals(Optional.empty(), ScriptedFault.forCall("[[midstream:1]]", 1));
        assertEquals(
                "ThrottlingException",
                ScriptedFault.forCall("[[midstream:1]] [[throttle:1]]", 1)
                        .orElseThrow()
                        .error()
                        .type());
    }

    @Test
    void malformedMidStreamMarkersAreValidationErrors() {
        assertThrows(BedrockError.class, () -> ScriptedFault.midStreamForCall("[[midstream]]", 1));
        assertThrows(BedrockError.class, () -> ScriptedFault.midStreamForCall("[[midstream:x]]", 1));
        assertThrows(BedrockError.class, () -> ScriptedFault.midStreamForCall("[[midstream:1:nope]]", 1));
        assertThrows(BedrockError.class, () -> ScriptedFault.midStreamForCall("[[midstream:1:a:b:c]]", 1));
        assertThrows(BedrockError.class, () -> ScriptedFault.forCall("[[throttle:1:2]]", 1));
    }
}
