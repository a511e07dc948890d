package dev.bedrockjobs.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ModelRequestTest {

    @Test
    void keepsWhatItIsGiven() {
        ModelRequest request = new ModelRequest("Hi", "Be brief.", 100, 0.5);

        assertEquals("Hi", request.prompt());
        assertEquals("Be brief.", request.system());
        assertEquals(100, request.maxTokens());
        assertEquals(0.5, request.temperature());
    }

    @Test
    void treatsBlankSystemAsAbsent() {
        assertNull(new ModelRequest("Hi", "  ", 100, null).system());
    }

    @Test
    void rejectsMissingOrBlankPrompt() {
        assertThrows(NullPointerException.class, () -> ModelRequest.of(null, 100));
        assertThrows(IllegalArgumentException.class, () -> ModelRequest.of(" \n", 100));
    }

    @Test
    void rejectsNonPositiveMaxTokens() {
        assertThrows(IllegalArgumentException.class, () -> ModelRequest.of("Hi", 0));
    }

    @Test
    void rejectsTemperatureOutsideZeroToOne() {
        assertThrows(IllegalArgumentException.class, () -> new ModelRequest("Hi", null, 10, -0.1));
        assertThrows(IllegalArgumentException.class, () -> new ModelRequest("Hi", null, 10, 1.5));
        assertThrows(IllegalArgumentException.class, () -> new ModelRequest("Hi", null, 10, Double.NaN));
    }
}
