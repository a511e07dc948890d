package dev.bedrockjobs.core.webhook;

import dev.bedrockjobs.core.domain.DeliveryAttempt;
import dev.bedrockjobs.core.domain.Tenant;
import dev.bedrockjobs.core.domain.WebhookEvent;
import dev.bedrockjobs.core.port.Tenants;
import dev.bedrockjobs.core.port.WebhookDeliveries;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Processes one receive of one webhook queue message: works out from the receive count whether it is an attempt or
 * a wake-up in a long wait ({@link RetrySchedule#step}); for an attempt, signs with the tenant's secrets, lets the
 * sender check the address and POST, records the attempt, and says what the queue should do with the message.
 */
public final class WebhookDeliveryService {
    private static final Logger LOG = Logger.getLogger(WebhookDeliveryService.class.getName());

    /** What to tell the queue about a message. */
    public sealed interface Disposition permits Done, RetryAfter {}

    /** Delete the message: delivered, given up, or not a message anyone can deliver. */
    public record Done() implements Disposition {}

    /** Keep the message and have the queue hand it back in {@code seconds}. */
    public record RetryAfter(int seconds) implements Disposition {}

    public static final Done DONE = new Done();

    private final Tenants tenants;
    private final WebhookDeliveries deliveries;
    private final WebhookSender sender;
    private final RetrySchedule schedule;
    private final Clock clock;

    public WebhookDeliveryService(
            Tenants tenants, WebhookDeliveries deliveries, WebhookSender sender, RetrySchedule schedule, Clock clock) {
        this.tenants = tenants;
        this.deliveries = deliveries;
        this.sender = sender;
        this.schedule = schedule;
        this.clock = clock;
    }

    /** A message body as the queue delivers it; one that is not an event is dropped (redelivery cannot fix it). */
    public Disposition process(String messageBody, int receiveCount) {
        WebhookEvent event;
        try {
            event = WebhookEvent.fromMessage(messageBody);
        } catch (IllegalArgumentException e) {
            LOG.warning("dropped a webhook message that is not an event: " + e.getMessage());
            return DONE;
        }
        return process(event, receiveCount);
    }

    public Disposition process(WebhookEvent event, int receiveCount) {
        RetrySchedule.Step step = schedule.step(receiveCount);
        if (step instanceof RetrySchedule.Wake wake) {
            RetrySchedule.Wait wait = schedule.waitAfter(
                    wake.afterAttempt(), null, RetrySchedule.randomFor(event.id(), wake.afterAttempt()));
            return new RetryAfter((int) wait.laterSeconds());
        }
        if (step instanceof RetrySchedule.Exhausted) {
            LOG.warning("webhook " + event.id() + ": receive " + receiveCount + " is past the schedule; dropped");
            return DONE;
        }
        int n = ((RetrySchedule.Attempt) step).number();
        try {
            return attempt(event, n);
        } catch (RuntimeException e) {
            // The table or the tenant store failed, not the receiver: try again on the schedule, if any is left.
            LOG.log(Level.WARNING, "webhook " + event.id() + ": attempt " + n + " could not be made", e);
            if (n >= schedule.maxAttempts()) {
                LOG.severe("webhook " + event.id() + ": no attempts left; the event is not delivered");
                return DONE;
            }
            return new RetryAfter((int) schedule.waitAfter(n, null, RetrySchedule.randomFor(event.id(), n))
                    .firstSeconds());
        }
    }

    private Disposition attempt(WebhookEvent event, int n) {
        int number = deliveries.nextAttemptNumber(event);
        Optional<Tenant> tenant = tenants.findTenant(event.tenantId());
        DeliveryAttempt result;
        if (tenant.isEmpty() || tenant.get().disabled()) {
            LOG.warning("webhook " + event.id() + ": tenant " + event.tenantId()
                    + (tenant.isEmpty() ? " not found" : " is disabled"));
            result = notSent(event, number, DeliveryAttempt.Failure.TENANT_UNAVAILABLE);
        } else {
            WebhookSigner signer = null;
            try {
                signer = new WebhookSigner(tenant.get().signingSecrets(clock.instant()));
            } catch (IllegalArgumentException e) {
                LOG.warning("webhook " + event.id() + ": tenant " + event.tenantId() + " has no usable signing "
                        + "secret: " + e.getMessage());
            }
            result = signer == null
                    ? notSent(event, number, DeliveryAttempt.Failure.NO_SIGNING_SECRET)
                    : sender.send(event, signer, number);
        }
        Disposition disposition = DONE;
        if (result.outcome() == DeliveryAttempt.Outcome.RETRY) {
            if (n >= schedule.maxAttempts()) {
                LOG.warning("webhook " + event.id() + ": no attempts left after " + n);
                result = result.givenUp();
            } else {
                Duration retryAfter =
                        result.retryAfterSeconds() == null ? null : Duration.ofSeconds(result.retryAfterSeconds());
                RetrySchedule.Wait wait = schedule.waitAfter(n, retryAfter, RetrySchedule.randomFor(event.id(), n));
                result = result.withNextAttemptAt(clock.instant().plus(wait.total()));
                disposition = new RetryAfter((int) wait.firstSeconds());
            }
        }
        log(event, result);
        try {
            deliveries.record(event, result);
        } catch (RuntimeException e) {
            // The try happened; losing its log line is better than sending a delivered event again.
            LOG.log(Level.WARNING, "webhook " + event.id() + ": attempt " + number + " not recorded", e);
        }
        return disposition;
    }

    private DeliveryAttempt notSent(WebhookEvent event, int number, DeliveryAttempt.Failure why) {
        Instant now = clock.instant();
        return new DeliveryAttempt(
                event.id(),
                event.type().wire(),
                event.url(),
                number,
                now,
                0,
                null,
                why.wire(),
                DeliveryAttempt.Outcome.GIVE_UP,
                null,
                null);
    }

    private static void log(WebhookEvent event, DeliveryAttempt a) {
        LOG.info("webhook " + event.id() + " (" + event.type().wire() + ", " + event.subjectId() + ") attempt "
                + a.attempt() + ": " + a.outcome().wire()
                + (a.httpStatus() == null ? "" : ", HTTP " + a.httpStatus())
                + (a.error() == null ? "" : ", " + a.error())
                + (a.nextAttemptAt() == null ? "" : ", next at " + a.nextAttemptAt())
                + ", " + a.durationMs() + " ms");
    }
}
