package dev.bedrockjobs.core.domain;

import java.time.Instant;

/**
 * One try at delivering one event, as logged and as listed by {@code GET /v1/jobs/{id}/webhook-deliveries}.
 *
 * @param attempt           1 for the first try of the event (replays continue the numbering)
 * @param at                when the request started
 * @param durationMs        how long the try took, guard and DNS included
 * @param httpStatus        the receiver's status, or null if no response arrived
 * @param error             what went wrong, as a {@link Failure} category ({@code http_error} for a status that
 *                          is not 2xx); null when delivered. Never the receiver's or the network's own words: those
 *                          could tell an open port from a closed one, and carry bytes nobody checked
 * @param retryAfterSeconds the receiver's {@code Retry-After} on a 429 or 503, in seconds from {@code at}, if any
 * @param nextAttemptAt     when the next try is due, once the schedule has decided; null if there is none
 */
public record DeliveryAttempt(
        String eventId,
        String eventType,
        String url,
        int attempt,
        Instant at,
        long durationMs,
        Integer httpStatus,
        String error,
        Outcome outcome,
        Long retryAfterSeconds,
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

    /** Why a try was not delivered, as stored and shown. */
    public enum Failure {
        /** the address guard refused the URL: a non-public address or a port this deployment does not allow */
        REFUSED_ADDRESS,
        /** the host did not resolve */
        UNRESOLVED,
        /** no connection could be made */
        CONNECTION_FAILED,
        /** no connection, or no response, within the timeout */
        TIMEOUT,
        /** the TLS handshake failed: certificate, host name or protocol */
        TLS_ERROR,
        /** a response whose status is not 2xx (see httpStatus) */
        HTTP_ERROR,
        /** the tenant is unknown or disabled */
        TENANT_UNAVAILABLE,
        /** the tenant has no usable signing secret */
        NO_SIGNING_SECRET,
        /** recorded by an earlier version, in words this one no longer shows */
        OTHER;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** A stored value as a category: anything else (an earlier version's text) is {@link #OTHER}. */
        public static Failure fromStored(String value) {
            for (Failure f : values()) {
                if (f.wire().equals(value)) {
                    return f;
                }
            }
            return OTHER;
        }
    }

    /** The same try, but final: no further attempt will be made. */
    public DeliveryAttempt givenUp() {
        return new DeliveryAttempt(
                eventId,
                eventType,
                url,
                attempt,
                at,
                durationMs,
                httpStatus,
                error,
                Outcome.GIVE_UP,
                retryAfterSeconds,
                null);
    }

    public DeliveryAttempt withNextAttemptAt(Instant next) {
        return new DeliveryAttempt(
                eventId, eventType, url, attempt, at, durationMs, httpStatus, error, outcome, retryAfterSeconds, next);
    }
}
