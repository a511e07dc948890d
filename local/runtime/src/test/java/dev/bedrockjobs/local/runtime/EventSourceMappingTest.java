package dev.bedrockjobs.local.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The event source mapping against ElasticMQ with a handler that succeeds, reports failures or throws according to
 * the message body: what gets deleted, what comes back, what the dead-letter queue receives, and the shape of the
 * records the handler sees.
 */
class EventSourceMappingTest {
    /**
     * "ok..." succeeds, "fail..." is reported as a batch item failure, "throw..." fails the whole batch, "defer..."
     * is reported as failed after the handler set its visibility to 3 s (as the worker does to come back sooner or
     * later than the queue's own timeout).
     */
    public static final class JudgingHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
        static final ConcurrentLinkedQueue<SQSEvent.SQSMessage> SEEN = new ConcurrentLinkedQueue<>();
        static final ConcurrentLinkedQueue<Instant> DEFERRED_AT = new ConcurrentLinkedQueue<>();

        public JudgingHandler(Map<String, String> env) {}

        @Override
        public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
            List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
            for (SQSEvent.SQSMessage m : event.getRecords()) {
                SEEN.add(m);
                if (m.getBody().startsWith("throw")) {
                    throw new IllegalStateException("the whole batch fails");
                }
                if (m.getBody().startsWith("defer")) {
                    DEFERRED_AT.add(Instant.now());
                    sqs.changeMessageVisibility(c -> c.queueUrl(queueUrl)
                            .receiptHandle(m.getReceiptHandle())
                            .visibilityTimeout(3));
                }
                if (m.getBody().startsWith("fail") || m.getBody().startsWith("defer")) {
                    failures.add(new SQSBatchResponse.BatchItemFailure(m.getMessageId()));
                }
            }
            return new SQSBatchResponse(failures);
        }
    }

    private static SqsClient sqs;
    private static String queueUrl;
    private static String queueArn;
    private static String deadLetterUrl;
    private static EventSourceMapping mapping;

    @BeforeAll
    static void start() {
        sqs = SharedEmulators.sqsClient();
        deadLetterUrl = SharedEmulators.newQueue("esm-dlq", Map.of());
        String deadLetterArn = arn(deadLetterUrl);
        queueUrl = SharedEmulators.newQueue(
                "esm",
                Map.of(
                        "VisibilityTimeout",
                        "1",
                        "RedrivePolicy",
                        "{\"deadLetterTargetArn\":\"" + deadLetterArn + "\",\"maxReceiveCount\":2}"));
        queueArn = arn(queueUrl);
        LambdaFunction function = new LambdaFunction(
                "Judge", JudgingHandler.class.getName() + "::handleRequest", Map.of(), Duration.ofSeconds(3), 128);
        mapping = new EventSourceMapping(
                        function, new EventSourceMapping.Settings(queueUrl, queueArn, 10, Duration.ZERO, 2, true), sqs)
                .start();
    }

    @AfterAll
    static void stop() {
        mapping.stopPolling();
        mapping.awaitIdle(Duration.ofSeconds(5));
        mapping.close();
        sqs.close();
    }

    private static String arn(String url) {
        return sqs.getQueueAttributes(g -> g.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes()
                .get(QueueAttributeName.QUEUE_ARN);
    }

    private static void send(String body) {
        sqs.sendMessage(s -> s.queueUrl(queueUrl)
                .messageBody(body)
                .messageAttributes(Map.of(
                        "kind",
                        MessageAttributeValue.builder()
                                .dataType("String")
                                .stringValue(body.split("-")[0])
                                .build())));
    }

    private static List<SQSEvent.SQSMessage> seen(String body) {
        return JudgingHandler.SEEN.stream()
                .filter(m -> m.getBody().equals(body))
                .toList();
    }

    private static List<String> deadLetters() {
        List<String> bodies = new ArrayList<>();
        for (Message m : sqs.receiveMessage(r -> r.queueUrl(deadLetterUrl).maxNumberOfMessages(10))
                .messages()) {
            bodies.add(m.body());
        }
        return bodies;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Instant end = Instant.now().plusSeconds(20);
        while (Instant.now().isBefore(end)) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(50);
        }
        fail("timed out waiting for " + what);
    }

    @Test
    void successesAreDeletedAndReportedFailuresComeBackUntilTheDeadLetterQueue() throws InterruptedException {
        send("ok-1");
        send("fail-1");
        await("fail-1 delivered twice", () -> seen("fail-1").size() == 2);
        List<String> dead = new ArrayList<>();
        await("fail-1 in the dead-letter queue", () -> {
            dead.addAll(deadLetters());
            return dead.contains("fail-1");
        });
        assertEquals(1, seen("ok-1").size(), "a success is deleted, never redelivered");
        assertEquals(
                List.of("1", "2"),
                seen("fail-1").stream()
                        .map(m -> m.getAttributes().get("ApproximateReceiveCount"))
                        .toList());

        SQSEvent.SQSMessage record = seen("ok-1").get(0);
        assertEquals("aws:sqs", record.getEventSource());
        assertEquals(queueArn, record.getEventSourceArn());
        assertEquals("us-east-1", record.getAwsRegion());
        assertEquals("ok", record.getMessageAttributes().get("kind").getStringValue());
        assertEquals("String", record.getMessageAttributes().get("kind").getDataType());
        assertTrue(
                record.getAttributes().containsKey("SentTimestamp"),
                record.getAttributes().toString());
        assertEquals(32, record.getMd5OfBody().length());
    }

    @Test
    void aFailedMessageComesBackWhenTheVisibilityItsHandlerSetEnds() throws InterruptedException {
        send("defer-1");
        await("defer-1 delivered twice", () -> JudgingHandler.DEFERRED_AT.size() >= 2);
        List<Instant> at = List.copyOf(JudgingHandler.DEFERRED_AT);
        Duration gap = Duration.between(at.get(0), at.get(1));
        // The queue's own timeout is 1 s: the mapping must leave the handler's 3 s alone, not reset it.
        assertTrue(gap.compareTo(Duration.ofMillis(2_500)) >= 0, "came back after " + gap);
    }

    @Test
    void aThrowingHandlerDeletesNothing() throws InterruptedException {
        send("throw-1");
        await("throw-1 delivered twice", () -> seen("throw-1").size() == 2);
        List<String> dead = new ArrayList<>();
        await("throw-1 in the dead-letter queue", () -> {
            dead.addAll(deadLetters());
            return dead.contains("throw-1");
        });
    }
}
