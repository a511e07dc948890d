package dev.bedrockjobs.core.work;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RedeliveryBackoffTest {

    @Test
    void theWaitGrowsWithTheReceiveCountUpToTheCap() {
        RedeliveryBackoff b = RedeliveryBackoff.STANDARD;
        assertEquals(5, b.ceilingSeconds(1));
        assertEquals(20, b.ceilingSeconds(2));
        assertEquals(80, b.ceilingSeconds(3));
        assertEquals(320, b.ceilingSeconds(4));
        assertEquals(900, b.ceilingSeconds(5));
        assertEquals(900, b.ceilingSeconds(1000));
    }

    @Test
    void eachWaitIsJitteredWithinTheUpperHalfOfItsCeiling() {
        RedeliveryBackoff b = new RedeliveryBackoff(Duration.ofSeconds(10), 2, Duration.ofSeconds(40));
        for (int receive = 1; receive <= 6; receive++) {
            long ceiling = b.ceilingSeconds(receive);
            for (int i = 0; i < 200; i++) {
                int wait = b.secondsAfter(receive);
                assertTrue(wait >= ceiling / 2 && wait <= ceiling, "receive " + receive + ": " + wait);
            }
        }
    }

    @Test
    void aBackoffWithoutAPositiveBaseOrWithACapBelowItIsRefused() {
        assertThrows(
                IllegalArgumentException.class, () -> new RedeliveryBackoff(Duration.ZERO, 2, Duration.ofSeconds(10)));
        assertThrows(
                IllegalArgumentException.class,
                () -> new RedeliveryBackoff(Duration.ofSeconds(10), 2, Duration.ofSeconds(5)));
    }
}
