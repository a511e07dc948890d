package dev.bedrockjobs.core.webhook;

import java.time.Instant;

/**
 * One try at delivering one event, as logged and as listed by {@code GET /v1/jobs/{id}/webhook-deliveries}.
 *
 * @param attempt           1 for the first try of the event (replays continue the numbering)
 * @param at                when the request started
 * @param durationMs        how long the try took, guard and DNS included
 * @param httpStatus        the receiver's status, or null if no response arrived
 * @param error             what went wrong without a status (timeout, refused connection, guard refusal), or a
 *                          short note on a non-2xx status; null when delivered
 * @param retryAfterSeconds the receiver's {@code Retry-After} on a 429 or 503, in seconds from {@code at}, if any
 * @param nextAttemptAt     when the next try is due, once the schedule has decided; null if there is none
 */
public record DeliveryAttempt(String eventId, String eventType, String url, int attempt, Instant at, long durationMs,
                              Integer httpStatus, String error, Outcome outcome, Long retryAfterSeconds,
                              Instant nextAttemptAt) {

    /** What the try means for the event. */
    public enum Outcome {
        /** a 2xx: done */
        DELIVERED,
        /** any other status (3xx included: redirects are not followed), a timeout or a connection error */
        RETRY,
        /** never again: 410 Gone, a URL the guard refuses, no usable secret, or no attempts left */
        GIVE_UP;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Outcome fromWire(String value) {
            return valueOf(value.toUpperCase(java.util.Locale.ROOT));
        }
    }

    /** The same try, but final: no further attempt will be made. */
    public DeliveryAttempt givenUp(String why) {
        String text = error == null ? why : error + "; " + why;
        return new DeliveryAttempt(eventId, eventType, url, attempt, at, durationMs, httpStatus, text,
                Outcome.GIVE_UP, retryAfterSeconds, null);
    }

    public DeliveryAttempt withNextAttemptAt(Instant next) {
        return new DeliveryAttempt(eventId, eventType, url, attempt, at, durationMs, httpStatus, error, outcome,
                retryAfterSeconds, next);
    }
}
