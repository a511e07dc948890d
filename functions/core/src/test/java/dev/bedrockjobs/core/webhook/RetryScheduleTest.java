package dev.bedrockjobs.core.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RetryScheduleTest {
    private final RetrySchedule schedule = RetrySchedule.standard();

    @Test
    void tenAttemptsOverAboutThreeDays() {
        assertEquals(10, schedule.maxAttempts());
        Duration span = schedule.longestSpan();
        assertTrue(
                span.compareTo(Duration.ofHours(66)) > 0 && span.compareTo(Duration.ofHours(80)) < 0, "span " + span);
        for (int n = 1; n < 9; n++) {
            assertTrue(schedule.ceiling(n).compareTo(schedule.ceiling(n + 1)) < 0, "ceilings grow");
        }
        assertEquals(Duration.ofSeconds(5), schedule.ceiling(1));
        assertEquals(Duration.ofHours(33), schedule.ceiling(9));
        assertEquals(Duration.ofHours(33), schedule.ceiling(12), "past the table, the last entry");
    }

    @Test
    void noVisibilityPeriodExceedsWhatSqsAllowsFromOneReceive() {
        assertTrue(RetrySchedule.MAX_VISIBILITY.compareTo(Duration.ofHours(12)) < 0);
        SplittableRandom random = new SplittableRandom(1);
        for (int n = 1; n < schedule.maxAttempts(); n++) {
            for (int i = 0; i < 500; i++) {
                RetrySchedule.Wait w = schedule.waitAfter(n, Duration.ofDays(7), random);
                assertTrue(w.firstSeconds() >= 1 && w.firstSeconds() <= RetrySchedule.MAX_VISIBILITY.toSeconds());
                assertTrue(w.laterSeconds() >= 1 && w.laterSeconds() <= RetrySchedule.MAX_VISIBILITY.toSeconds());
                assertEquals(schedule.periods(n), w.periods());
            }
        }
    }

    @Test
    void longWaitsAreSpreadOverSeveralVisibilityPeriods() {
        assertEquals(
                List.of(1, 1, 1, 1, 1, 1, 1, 2, 3),
                java.util.stream.IntStream.rangeClosed(1, 9)
                        .mapToObj(schedule::periods)
                        .toList());
        assertEquals(13, schedule.maxReceives());
    }

    @Test
    void fullJitterStaysWithinOneSecondAndTheCeiling() {
        SplittableRandom random = new SplittableRandom(42);
        for (int n = 1; n < schedule.maxAttempts(); n++) {
            long ceiling = schedule.ceiling(n).toSeconds();
            long min = Long.MAX_VALUE;
            long max = 0;
            for (int i = 0; i < 2000; i++) {
                RetrySchedule.Wait w = schedule.waitAfter(n, null, random);
                long total = w.total().toSeconds();
                // periods round up, so the total may pass the ceiling by less than a second per period
                assertTrue(total >= 1 && total <= ceiling + w.periods() - 1, n + ": " + total + " > " + ceiling);
                min = Math.min(min, total);
                max = Math.max(max, total);
            }
            if (ceiling >= 100) {
                assertTrue(min < ceiling / 10, "full jitter reaches near zero: " + min + " of " + ceiling);
                assertTrue(max > ceiling * 9 / 10, "full jitter reaches near the ceiling: " + max + " of " + ceiling);
            }
        }
    }

    @Test
    void retryAfterIsHonouredWhenLongerButCapped() {
        SplittableRandom random = new SplittableRandom(7);
        RetrySchedule.Wait w = schedule.waitAfter(1, Duration.ofMinutes(10), random);
        assertEquals(600, w.firstSeconds());
        RetrySchedule.Wait shortHint = schedule.waitAfter(6, Duration.ofSeconds(1), new SplittableRandom(7));
        RetrySchedule.Wait noHint = schedule.waitAfter(6, null, new SplittableRandom(7));
        assertEquals(noHint, shortHint, "a shorter Retry-After changes nothing");
        RetrySchedule.Wait huge = schedule.waitAfter(2, Duration.ofDays(3), random);
        assertEquals(RetrySchedule.MAX_VISIBILITY.toSeconds(), huge.firstSeconds());
    }

    @Test
    void eachReceiveIsAnAttemptOrAWakeUpByTheScheduleAlone() {
        List<RetrySchedule.Step> expected = List.of(
                new RetrySchedule.Attempt(1),
                new RetrySchedule.Attempt(2),
                new RetrySchedule.Attempt(3),
                new RetrySchedule.Attempt(4),
                new RetrySchedule.Attempt(5),
                new RetrySchedule.Attempt(6),
                new RetrySchedule.Attempt(7),
                new RetrySchedule.Attempt(8),
                new RetrySchedule.Wake(8, 2),
                new RetrySchedule.Attempt(9),
                new RetrySchedule.Wake(9, 2),
                new RetrySchedule.Wake(9, 3),
                new RetrySchedule.Attempt(10),
                new RetrySchedule.Exhausted());
        for (int r = 1; r <= expected.size(); r++) {
            assertEquals(expected.get(r - 1), schedule.step(r), "receive " + r);
        }
        assertEquals(new RetrySchedule.Exhausted(), schedule.step(100));
    }

    @Test
    void aWakeUpRedrawsTheSameWaitForTheSameEventAndAttempt() {
        RetrySchedule.Wait atAttempt = schedule.waitAfter(9, null, RetrySchedule.randomFor("msg_A", 9));
        RetrySchedule.Wait atWake = schedule.waitAfter(9, null, RetrySchedule.randomFor("msg_A", 9));
        assertEquals(atAttempt, atWake);
        long distinct = java.util.stream.IntStream.range(0, 50)
                .mapToObj(i -> schedule.waitAfter(9, null, RetrySchedule.randomFor("msg_" + i, 9))
                        .laterSeconds())
                .distinct()
                .count();
        assertTrue(distinct > 40, "different events spread out: " + distinct);
    }

    @Test
    void aShortScheduleAndBadSchedules() {
        RetrySchedule three = RetrySchedule.standard(3);
        assertEquals(3, three.maxReceives());
        assertEquals(new RetrySchedule.Attempt(3), three.step(3));
        assertEquals(new RetrySchedule.Exhausted(), three.step(4));
        assertThrows(IllegalArgumentException.class, () -> RetrySchedule.standard(0));
        assertThrows(IllegalArgumentException.class, () -> new RetrySchedule(List.of(), 3, Duration.ofHours(1)));
        assertThrows(
                IllegalArgumentException.class,
                () -> new RetrySchedule(List.of(Duration.ZERO), 3, Duration.ofHours(1)));
        assertThrows(IllegalArgumentException.class, () -> schedule.ceiling(0));
    }
}
