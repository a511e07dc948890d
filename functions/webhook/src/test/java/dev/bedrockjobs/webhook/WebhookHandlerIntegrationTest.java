package dev.bedrockjobs.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.tests.annotations.Event;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.adapter.DynamoTenants;
import dev.bedrockjobs.core.adapter.DynamoWebhookDeliveries;
import dev.bedrockjobs.core.adapter.SqsVisibility;
import dev.bedrockjobs.core.adapter.SqsWebhookQueue;
import dev.bedrockjobs.core.domain.ApiKey;
import dev.bedrockjobs.core.domain.DeliveryAttempt;
import dev.bedrockjobs.core.domain.Ids;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.domain.Tenant;
import dev.bedrockjobs.core.domain.WebhookEvent;
import dev.bedrockjobs.core.port.MessageVisibility;
import dev.bedrockjobs.core.webhook.RetrySchedule;
import dev.bedrockjobs.core.webhook.WebhookAddressGuard;
import dev.bedrockjobs.core.webhook.WebhookDeliveryService;
import dev.bedrockjobs.core.webhook.WebhookSender;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntUnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The webhook function end to end: events on an ElasticMQ queue, tenants and the delivery log in dynalite, and a
 * receiver on 127.0.0.1 that verifies every request with the Svix library. The test plays the Lambda event source:
 * it receives, invokes the handler, and deletes what the handler did not report as failed; the retries come back
 * only because the handler changed their visibility.
 */
class WebhookHandlerIntegrationTest {
    private static final String TENANT = "tenant-a";

    private final SqsClient sqs = SharedEmulators.sqsClient();
    private final DynamoDbClient dynamo = SharedEmulators.dynamoClient();
    private final String secret = ApiKey.newWebhookSecret();
    private String table;
    private String queueUrl;
    private DynamoWebhookDeliveries deliveries;
    private final List<SvixReceiver> receivers = new ArrayList<>();
    private final List<Integer> receiveCounts = new ArrayList<>();

    @BeforeEach
    void tableQueueAndTenant() {
        table = SharedEmulators.newJobsTable("webhook");
        // A long default visibility: a message that comes back sooner came back because the handler said so.
        queueUrl = SharedEmulators.newQueue("webhooks", Map.of("VisibilityTimeout", "3600"));
        new DynamoTenants(dynamo, table).createTenant(new Tenant(TENANT, "Team A", secret, false, Instant.now()));
        deliveries = new DynamoWebhookDeliveries(dynamo, table, Duration.ofDays(30));
    }

    @AfterEach
    void stopReceivers() {
        receivers.forEach(SvixReceiver::close);
    }

    private SvixReceiver receiver(IntUnaryOperator statusForCall) throws IOException {
        SvixReceiver r = new SvixReceiver(secret, statusForCall);
        receivers.add(r);
        return r;
    }

    private Map<String, String> env() {
        Map<String, String> env = new HashMap<>(SharedEmulators.functionEnvironment(table, null));
        env.put("WEBHOOKS_QUEUE_URL", queueUrl);
        env.put("ALLOW_LOOPBACK_WEBHOOKS", "true");
        env.put("WEBHOOK_TIMEOUT_SECONDS", "5");
        env.put("WEBHOOK_MAX_ATTEMPTS", "10");
        return env;
    }

    private WebhookEvent enqueue(String url) {
        ObjectNode view = Json.object().put("id", Ids.newJobId(Instant.now())).put("status", "succeeded");
        view.putObject("result").put("text", "Use i < n: the last pass reads past the end.");
        WebhookEvent e = WebhookEvent.of(WebhookEvent.Type.JOB_SUCCEEDED, TENANT, url, Instant.now(), view);
        new SqsWebhookQueue(sqs, queueUrl).send(e);
        return e;
    }

    /**
     * One turn of the event source: waits up to {@code patience} for messages, hands them to the handler as Lambda
     * would, and deletes those not reported as failures. @return the handler's answer, or null if none came
     */
    private SQSBatchResponse poll(WebhookHandler handler, Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        List<Message> messages = List.of();
        while (messages.isEmpty() && System.nanoTime() < deadline) {
            messages = sqs.receiveMessage(r -> r.queueUrl(queueUrl)
                            .maxNumberOfMessages(10)
                            .waitTimeSeconds(1)
                            .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                            .messageAttributeNames("All"))
                    .messages();
        }
        if (messages.isEmpty()) {
            return null;
        }
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        for (Message m : messages) {
            SQSEvent.SQSMessage r = new SQSEvent.SQSMessage();
            r.setMessageId(m.messageId());
            r.setReceiptHandle(m.receiptHandle());
            r.setBody(m.body());
            r.setMd5OfBody(m.md5OfBody());
            Map<String, String> attributes = new HashMap<>();
            m.attributes().forEach((k, v) -> attributes.put(k.toString(), v));
            r.setAttributes(attributes);
            receiveCounts.add(Integer.parseInt(attributes.get("ApproximateReceiveCount")));
            r.setEventSource("aws:sqs");
            r.setEventSourceArn("arn:aws:sqs:us-east-1:000000000000:webhooks");
            r.setAwsRegion("us-east-1");
            records.add(r);
        }
        SQSEvent event = new SQSEvent();
        event.setRecords(records);
        SQSBatchResponse response = handler.handleRequest(event, null);
        Set<String> failed = response.getBatchItemFailures().stream()
                .map(SQSBatchResponse.BatchItemFailure::getItemIdentifier)
                .collect(Collectors.toSet());
        for (Message m : messages) {
            if (!failed.contains(m.messageId())) {
                sqs.deleteMessage(d -> d.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
            }
        }
        return response;
    }

    private int messagesLeft() {
        Map<QueueAttributeName, String> a = sqs.getQueueAttributes(g -> g.queueUrl(queueUrl)
                        .attributeNames(
                                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                .attributes();
        return Integer.parseInt(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Integer.parseInt(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    @Test
    void aFailedDeliveryComesBackAfterItsBackoffAndThenArrivesVerified() throws IOException {
        SvixReceiver receiver = receiver(n -> n == 1 ? 500 : 200);
        WebhookHandler handler = new WebhookHandler(env());
        WebhookEvent e = enqueue(receiver.url());

        SQSBatchResponse first = poll(handler, Duration.ofSeconds(5));
        assertNotNull(first);
        assertEquals(1, first.getBatchItemFailures().size(), "the failed try stays on the queue");
        long backoff = RetrySchedule.standard()
                .waitAfter(1, null, RetrySchedule.randomFor(e.id(), 1))
                .firstSeconds();
        assertTrue(backoff >= 1 && backoff <= 5, "first backoff " + backoff);

        SQSBatchResponse second = poll(handler, Duration.ofSeconds(backoff + 10));
        assertNotNull(second, "the message came back after " + backoff + " s, not after the queue's hour");
        assertTrue(second.getBatchItemFailures().isEmpty());
        assertEquals(List.of(1, 2), receiveCounts);
        assertEquals(0, messagesLeft());

        assertEquals(2, receiver.received.size());
        for (SvixReceiver.Received r : receiver.received) {
            assertTrue(r.verified(), "Svix verifies every try");
            assertEquals(e.id(), r.webhookId());
            assertEquals(e.body(), r.body());
        }
        List<DeliveryAttempt> log = deliveries.listForJob(e.subjectId());
        assertEquals(List.of(1, 2), log.stream().map(DeliveryAttempt::attempt).toList());
        assertEquals(
                List.of(DeliveryAttempt.Outcome.RETRY, DeliveryAttempt.Outcome.DELIVERED),
                log.stream().map(DeliveryAttempt::outcome).toList());
        assertEquals(500, log.get(0).httpStatus());
        assertNotNull(log.get(0).nextAttemptAt());
        assertEquals(200, log.get(1).httpStatus());
    }

    @Test
    void longWaitsAreSpreadOverSeveralVisibilityPeriodsWithoutExtraTries() throws IOException {
        // A compressed schedule: waits of up to 1 s and 3 s, at most 2 s per receive, four attempts in all.
        RetrySchedule schedule =
                new RetrySchedule(List.of(Duration.ofSeconds(1), Duration.ofSeconds(3)), 4, Duration.ofSeconds(2));
        assertEquals(6, schedule.maxReceives());
        SvixReceiver receiver = receiver(n -> n <= 3 ? 503 : 204);
        List<Integer> visibilities = Collections.synchronizedList(new ArrayList<>());
        SqsVisibility sqsVisibility = new SqsVisibility(sqs, queueUrl);
        MessageVisibility recording = (handle, seconds) -> {
            visibilities.add(seconds);
            sqsVisibility.delay(handle, seconds);
        };
        WebhookDeliveryService service = new WebhookDeliveryService(
                new DynamoTenants(dynamo, table),
                deliveries,
                new WebhookSender(new WebhookAddressGuard(true), Duration.ofSeconds(5)),
                schedule,
                Clock.systemUTC());
        WebhookHandler handler = new WebhookHandler(service, recording);
        WebhookEvent e = enqueue(receiver.url());

        for (int turn = 0; turn < 6; turn++) {
            assertNotNull(poll(handler, Duration.ofSeconds(10)), "turn " + turn);
        }
        assertEquals(List.of(1, 2, 3, 4, 5, 6), receiveCounts);
        assertEquals(0, messagesLeft());
        assertEquals(5, visibilities.size(), "one visibility change per receive before the last");
        assertTrue(visibilities.stream().allMatch(s -> s >= 1 && s <= 2), "each within one period: " + visibilities);
        assertEquals(4, receiver.received.size(), "wake-ups send nothing");
        assertTrue(receiver.received.stream().allMatch(SvixReceiver.Received::verified));
        List<DeliveryAttempt> log = deliveries.listForJob(e.subjectId());
        assertEquals(
                List.of(1, 2, 3, 4), log.stream().map(DeliveryAttempt::attempt).toList());
        assertEquals(DeliveryAttempt.Outcome.DELIVERED, log.get(3).outcome());
        assertEquals(204, log.get(3).httpStatus());
    }

    @Test
    void goneIsDeletedAtOnceAndLoggedAsGivenUp() throws IOException {
        SvixReceiver receiver = receiver(n -> 410);
        WebhookHandler handler = new WebhookHandler(env());
        WebhookEvent e = enqueue(receiver.url());
        SQSBatchResponse response = poll(handler, Duration.ofSeconds(5));
        assertTrue(response.getBatchItemFailures().isEmpty());
        assertEquals(0, messagesLeft());
        List<DeliveryAttempt> log = deliveries.listForJob(e.subjectId());
        assertEquals(1, log.size());
        assertEquals(DeliveryAttempt.Outcome.GIVE_UP, log.get(0).outcome());
        assertEquals(410, log.get(0).httpStatus());
    }

    @Test
    void aMessageThatIsNotAnEventIsDroppedNotRetried() {
        sqs.sendMessage(s -> s.queueUrl(queueUrl).messageBody("{\"jobId\":\"job_x\"}"));
        SQSBatchResponse response = poll(new WebhookHandler(env()), Duration.ofSeconds(5));
        assertTrue(response.getBatchItemFailures().isEmpty());
        assertEquals(0, messagesLeft());
    }

    /** The committed sample event: its URL resolves (in this test) to a private address, so it is refused. */
    @ParameterizedTest
    @Event(value = "events/webhook-sqs.json", type = SQSEvent.class)
    void theSampleEventIsReadAndItsUrlIsCheckedBeforeAnyRequest(SQSEvent event) throws UnknownHostException {
        InetAddress internal = InetAddress.getByAddress(new byte[] {10, 20, 30, 40});
        WebhookAddressGuard guard = new WebhookAddressGuard(false, host -> List.of(internal));
        List<Integer> visibilities = new ArrayList<>();
        WebhookDeliveryService service = new WebhookDeliveryService(
                new DynamoTenants(dynamo, table),
                deliveries,
                new WebhookSender(guard, Duration.ofSeconds(1)),
                RetrySchedule.standard(),
                Clock.systemUTC());
        SQSBatchResponse response =
                new WebhookHandler(service, (h, s) -> visibilities.add(s)).handleRequest(event, null);
        assertTrue(response.getBatchItemFailures().isEmpty(), "a refused address is not retried");
        assertTrue(visibilities.isEmpty());
        List<DeliveryAttempt> log = deliveries.listForJob("job_01KB2M7Q9ZT3W6X8Y0A1B2C3D4");
        assertEquals(1, log.size());
        assertEquals("msg_430F8TSW55ZDBJDYMY0EJ4H2NH", log.get(0).eventId());
        assertEquals(DeliveryAttempt.Outcome.GIVE_UP, log.get(0).outcome());
        assertEquals("refused_address", log.get(0).error(), "a category, not the address it resolved to");
    }
}
