package dev.bedrockjobs.core.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdsTest {
    @Test
    void idsAreWellFormedUniqueAndSortByTime() {
        Instant t = Instant.parse("2026-11-27T10:00:00Z");
        String a = Ids.newJobId(t);
        String b = Ids.newJobId(t.plusMillis(1));
        assertTrue(Ids.isWellFormed(a, "job_"));
        assertEquals(30, a.length());
        assertTrue(a.compareTo(b) < 0);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            assertTrue(seen.add(Ids.newJobId(t)));
        }
    }

    @Test
    void malformedIdsAreRecognised() {
        assertFalse(Ids.isWellFormed(null, "job_"));
        assertFalse(Ids.isWellFormed("job_../../etc/passwd", "job_"));
        assertFalse(Ids.isWellFormed("bat_01JDQ8Z6V3N4T5R6S7P8Q9W0XY", "job_"));
        assertFalse(Ids.isWellFormed("job_01JDQ8Z6V3N4T5R6S7P8Q9W0Xu", "job_"));
        assertTrue(Ids.isWellFormed("job_01JDQ8Z6V3N4T5R6S7P8Q9W0XY", "job_"));
    }
}
