package dev.bedrockjobs.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.bedrockjobs.core.adapter.DynamoBatchStore;
import dev.bedrockjobs.core.adapter.DynamoJobStore;
import dev.bedrockjobs.core.adapter.SqsJobQueue;
import dev.bedrockjobs.core.adapter.SqsVisibility;
import dev.bedrockjobs.core.domain.Ids;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.port.JobQueue;
import dev.bedrockjobs.core.port.MessageVisibility;
import dev.bedrockjobs.core.work.RedeliveryBackoff;
import dev.bedrockjobs.local.emulators.bedrock.BedrockSimulator;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import dev.bedrockjobs.local.emulators.sfn.StepFunctionsServer;
import dev.bedrockjobs.local.emulators.sfn.StepFunctionsService;
import dev.bedrockjobs.local.emulators.sfn.bedrock.BedrockInvokeModelResource;
import dev.bedrockjobs.local.emulators.sfn.engine.StepFunctionsEngine;
import dev.bedrockjobs.local.emulators.sfn.engine.VirtualTimekeeper;
import dev.bedrockjobs.local.emulators.sfn.lambda.LambdaInvokeResource;
import dev.bedrockjobs.local.emulators.template.SamTemplate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * The worker end to end: a real SQS message from ElasticMQ, the job in dynalite, the committed state machine run by
 * the local Step Functions engine (its clock virtual, so backoff takes no real time), and the Bedrock simulator.
 */
class WorkerHandlerIntegrationTest {
    private static final String MODEL = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
    private static BedrockSimulator bedrock;
    private static StepFunctionsServer stepFunctions;
    private static VirtualTimekeeper time;
    private static String stateMachineArn;

    private final SqsClient sqs = SharedEmulators.sqsClient();
    private DynamoJobStore store;
    private String queueUrl;
    private Map<String, String> env;
    private WorkerHandler handler;

    @BeforeAll
    static void engineAndModel() {
        bedrock = new BedrockSimulator(BedrockSimulator.Config.builder().seed(7).build()).start();
        // A call is taken as hung after 3 s of real time: long enough that a busy CI machine never mistakes a slow
        // answer
        // for a hang (which would move the shared virtual clock under the other executions).
        time = new VirtualTimekeeper(Instant.parse("2026-11-27T10:00:00Z"), Duration.ofSeconds(3));
        StepFunctionsEngine engine = StepFunctionsEngine.builder()
                .resource(BedrockInvokeModelResource.forEndpoint(bedrock.endpoint()))
                .resource(LambdaInvokeResource.withoutFunctions()) // these jobs do not stream
                .timekeeper(time)
                .random(new Random(42))
                .build();
        stepFunctions = new StepFunctionsServer(new StepFunctionsService(engine)).start();
        SamTemplate template = SharedEmulators.template();
        @SuppressWarnings("unchecked")
        Map<String, Object> substitutions = (Map<String, Object>) template.resolve(
                template.properties("JobStateMachine").get("DefinitionSubstitutions"),
                ref -> null,
                att -> "arn:aws:lambda:us-east-1:000000000000:function:" + att);
        stateMachineArn = stepFunctions.registerStateMachine(
                "job", SharedEmulators.repoRoot().resolve("statemachine/job.asl.json"), substitutions);
    }

    @AfterAll
    static void stop() {
        stepFunctions.close();
        bedrock.close();
    }

    @BeforeEach
    void freshTableAndQueue() {
        String table = SharedEmulators.newJobsTable("worker");
        queueUrl = SharedEmulators.newQueue("worker", Map.of("VisibilityTimeout", "1"));
        env = new HashMap<>(SharedEmulators.functionEnvironment(table, null));
        env.put("AWS_ENDPOINT_URL_SFN", stepFunctions.endpoint().toString());
        env.put("STATE_MACHINE_ARN", stateMachineArn);
        env.put("MAX_RECEIVE_COUNT", "5");
        env.put("LEASE_SECONDS", "330");
        env.put("JOBS_QUEUE_URL", queueUrl);
        handler = new WorkerHandler(env);
        store = new DynamoJobStore(SharedEmulators.dynamoClient(), table, Duration.ofDays(30));
        time.clearSleeps();
    }

    private Job submit(String prompt) {
        Job job = Job.builder()
                .id(Ids.newJobId(Instant.now()))
                .tenantId("tenant-a")
                .request(rq -> rq.tier("fast").modelId(MODEL).prompt(prompt).maxTokens(256))
                .progress(p -> p.createdAt(Instant.now()))
                .build();
        store.create(job);
        new SqsJobQueue(sqs, queueUrl).send(new JobQueue.JobMessage(job.id(), job.tenantId()));
        return job;
    }

    /** Receives what SQS would hand the function and shapes it as Lambda's SQS event. */
    private SQSEvent receive() {
        List<Message> messages = new ArrayList<>();
        for (int i = 0; i < 5 && messages.isEmpty(); i++) {
            messages = sqs.receiveMessage(r -> r.queueUrl(queueUrl)
                            .maxNumberOfMessages(10)
                            .waitTimeSeconds(1)
                            .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                            .messageAttributeNames("All"))
                    .messages();
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
            r.setEventSource("aws:sqs");
            r.setEventSourceArn("arn:aws:sqs:us-east-1:000000000000:worker");
            r.setAwsRegion("us-east-1");
            records.add(r);
        }
        SQSEvent event = new SQSEvent();
        event.setRecords(records);
        return event;
    }

    /** Receives until messages for {@code jobs} distinct jobs have arrived (a slow run may see redeliveries too). */
    private List<SQSEvent> receiveAll(int jobs) {
        List<SQSEvent> events = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < 30 && seen.size() < jobs; i++) {
            SQSEvent event = receive();
            event.getRecords().forEach(r -> seen.add(r.getBody()));
            events.add(event);
        }
        assertEquals(jobs, seen.size(), "messages received");
        return events;
    }

    private Job deliver(Job job) {
        SQSBatchResponse response = handler.handleRequest(receive(), null);
        assertTrue(response.getBatchItemFailures().isEmpty(), "no message should come back");
        return store.get(job.id()).orElseThrow();
    }

    @Test
    void aJobSucceedsWithTextTokensAndCost() {
        Job done = deliver(submit("Review: for (int i = 0; i <= n; i++) sum += a[i];"));
        assertEquals(JobStatus.SUCCEEDED, done.progress().status());
        assertTrue(done.progress().result().text().length() > 10);
        assertEquals("end_turn", done.progress().result().stopReason());
        assertTrue(done.accounting().usage().inputTokens() > 0
                && done.accounting().usage().outputTokens() > 0);
        assertTrue(done.accounting().costUsd().signum() > 0);
        assertEquals(1, done.progress().attempts());
        assertNotNull(done.progress().startedAt());
        assertNotNull(done.progress().finishedAt());
        assertNull(done.progress().leaseUntil());
    }

    @Test
    void throttledTwiceThenSucceedsWithTheAttemptsRecorded() {
        String prompt = "[[throttle:2]] Review the retry loop.";
        Job done = deliver(submit(prompt));
        assertEquals(JobStatus.SUCCEEDED, done.progress().status());
        assertEquals(3, done.progress().attempts());
        assertEquals(3, bedrock.calls().calls(MODEL, prompt));
        List<Duration> backoff = time.sleeps();
        assertEquals(2, backoff.size(), "one backoff before each retry: " + backoff);
        assertTrue(backoff.get(0).compareTo(Duration.ofSeconds(2)) <= 0, "full jitter under 2 s: " + backoff);
        assertTrue(backoff.get(1).compareTo(Duration.ofSeconds(4)) <= 0, "full jitter under 4 s: " + backoff);
    }

    @Test
    void alwaysThrottledEndsFailedWithRetriesExhausted() {
        String prompt = "[[throttle:always]] Too popular.";
        Job done = deliver(submit(prompt));
        assertEquals(JobStatus.FAILED, done.progress().status());
        assertEquals("retries_exhausted", done.progress().error().code());
        assertTrue(
                done.progress().error().message().contains("ThrottlingException"),
                done.progress().error().message());
        assertEquals(7, bedrock.calls().calls(MODEL, prompt), "one call and six retries");
        assertNull(done.progress().result());
    }

    @Test
    void aValidationErrorFailsAtOnceWithoutRetry() {
        String prompt = "[[fail:validation]] Broken request.";
        Job done = deliver(submit(prompt));
        assertEquals(JobStatus.FAILED, done.progress().status());
        assertEquals("invalid_model_request", done.progress().error().code());
        assertEquals(1, bedrock.calls().calls(MODEL, prompt));
        assertTrue(time.sleeps().isEmpty());
    }

    @Test
    void aHungModelCallTimesOutAndIsRetried() {
        String prompt = "[[hang]] Take your time.";
        Job done = deliver(submit(prompt));
        assertEquals(JobStatus.SUCCEEDED, done.progress().status());
        assertEquals(2, done.progress().attempts());
        assertEquals(2, bedrock.calls().calls(MODEL, prompt));
    }

    @Test
    void aDuplicateDeliveryChangesNothing() {
        String prompt = "Duplicate me.";
        Job job = submit(prompt);
        SQSEvent event = receive();
        handler.handleRequest(event, null);
        Job first = store.get(job.id()).orElseThrow();
        SQSBatchResponse again = handler.handleRequest(event, null);
        assertTrue(again.getBatchItemFailures().isEmpty());
        assertEquals(first, store.get(job.id()).orElseThrow());
        assertEquals(1, bedrock.calls().calls(MODEL, prompt));
    }

    @Test
    void aCancelAskedForBeforeTheClaimEndsTheJobWithoutAModelCall() {
        String prompt = "Cancel me before I run.";
        Job job = submit(prompt);
        Instant past = Instant.now().minusSeconds(3600);
        store.claim(job.id(), "dead-worker", past, past.plusSeconds(60)); // a worker that died holding the job
        store.requestCancel(job.id());
        Job done = deliver(job);
        assertEquals(JobStatus.CANCELED, done.progress().status());
        assertEquals(0, bedrock.calls().calls(MODEL, prompt));
    }

    @Test
    void whenStepFunctionsIsDownTheMessageComesBackAndTheLastReceiveFailsTheJob() {
        env.put("AWS_ENDPOINT_URL_SFN", "http://127.0.0.1:9");
        handler = new WorkerHandler(env);
        Job job = submit("Nobody is listening.");
        SQSEvent event = receive();
        SQSBatchResponse response = handler.handleRequest(event, null);
        assertEquals(
                List.of(event.getRecords().get(0).getMessageId()),
                response.getBatchItemFailures().stream()
                        .map(SQSBatchResponse.BatchItemFailure::getItemIdentifier)
                        .toList());
        assertEquals(
                JobStatus.QUEUED, store.get(job.id()).orElseThrow().progress().status(), "the claim was handed back");

        event.getRecords().get(0).getAttributes().put("ApproximateReceiveCount", "5");
        assertTrue(handler.handleRequest(event, null).getBatchItemFailures().isEmpty());
        Job failed = store.get(job.id()).orElseThrow();
        assertEquals(JobStatus.FAILED, failed.progress().status());
        assertEquals("dead_lettered", failed.progress().error().code());
    }

    @Test
    void aMessageToRetryAfterATransientFailureComesBackAfterAShortBackoffNotTheVisibilityTimeout() {
        queueUrl = SharedEmulators.newQueue("worker-slow", Map.of("VisibilityTimeout", "1800"));
        env.put("JOBS_QUEUE_URL", queueUrl);
        env.put("AWS_ENDPOINT_URL_SFN", "http://127.0.0.1:9");
        List<Integer> delays = java.util.Collections.synchronizedList(new ArrayList<>());
        SqsVisibility jobsQueue = new SqsVisibility(sqs, queueUrl);
        MessageVisibility recording = (handle, seconds) -> {
            delays.add(seconds);
            jobsQueue.delay(handle, seconds);
        };
        handler = new WorkerHandler(
                WorkerRoot.messages(WorkerRoot.service(env), source -> recording, RedeliveryBackoff.STANDARD));
        Job job = submit("Step Functions is down for a moment.");

        SQSEvent first = receive();
        assertEquals(
                1, handler.handleRequest(first, null).getBatchItemFailures().size());
        assertEquals(1, delays.size(), "the message was made visible again sooner: " + delays);
        assertTrue(delays.get(0) >= 3 && delays.get(0) <= 5, "the first backoff is 3 to 5 s: " + delays);

        // With the queue's 30-minute visibility timeout alone, it would not be back for half an hour.
        List<Message> again = List.of();
        for (int i = 0; i < 30 && again.isEmpty(); i++) {
            again = sqs.receiveMessage(r -> r.queueUrl(queueUrl)
                            .waitTimeSeconds(1)
                            .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))
                    .messages();
        }
        assertEquals(1, again.size(), "the message came back after its backoff");
        assertEquals("2", again.get(0).attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT));
        assertTrue(again.get(0).body().contains(job.id()));
        assertEquals(
                JobStatus.QUEUED, store.get(job.id()).orElseThrow().progress().status(), "free for the next delivery");
    }

    @Test
    void aBatchCountsEachJobOnceAndCompletesOnceUnderRedelivery() {
        DynamoBatchStore batches =
                new DynamoBatchStore(SharedEmulators.dynamoClient(), env.get("JOBS_TABLE"), Duration.ofDays(30));
        String batchId = Ids.newBatchId(Instant.now());
        List<Job> items = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int index = i;
            items.add(Job.builder()
                    .id(Ids.jobIdInBatch(batchId, i))
                    .tenantId("tenant-a")
                    .request(rq -> rq.tier("fast")
                            .modelId(MODEL)
                            .prompt(index == 3 ? "[[fail:validation]] item 3" : "Batch item " + index)
                            .maxTokens(128)
                            .batchId(batchId)
                            .customId("f" + index)
                            .itemIndex(index))
                    .progress(p -> p.createdAt(Instant.now()))
                    .build());
        }
        store.createAll(items);
        batches.create(
                dev.bedrockjobs.core.domain.Batch.accepted(batchId, "tenant-a", Instant.now(), 4, null, null, "h"));
        SqsJobQueue queue = new SqsJobQueue(sqs, queueUrl);
        queue.sendAll(items.stream()
                .map(j -> new JobQueue.JobMessage(j.id(), j.tenantId()))
                .toList());
        List<SQSEvent> deliveries = receiveAll(4);
        deliveries.forEach(e -> handler.handleRequest(e, null));
        deliveries.forEach(e -> handler.handleRequest(e, null)); // every message delivered a second time
        var batch = batches.get(batchId).orElseThrow();
        assertEquals(dev.bedrockjobs.core.domain.BatchStatus.COMPLETED, batch.status());
        List<String> statuses = items.stream()
                .map(j -> store.get(j.id()).orElseThrow().progress().status() + "/"
                        + store.get(j.id()).orElseThrow().progress().error())
                .toList();
        assertEquals(3, batch.succeeded(), batch + " " + statuses);
        assertEquals(1, batch.failed());
        long tokens = items.stream()
                .limit(3)
                .mapToLong(j ->
                        store.get(j.id()).orElseThrow().accounting().usage().inputTokens())
                .sum();
        assertEquals(tokens, batch.inputTokens(), "tokens summed once per job");
        assertEquals(1, bedrock.calls().callsContaining("Batch item 0"));
    }

    private List<com.fasterxml.jackson.databind.JsonNode> webhookEvents() {
        List<com.fasterxml.jackson.databind.JsonNode> events = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            List<Message> got = sqs.receiveMessage(r -> r.queueUrl(env.get("WEBHOOKS_QUEUE_URL"))
                            .maxNumberOfMessages(10)
                            .waitTimeSeconds(1))
                    .messages();
            got.forEach(m -> events.add(dev.bedrockjobs.core.domain.Json.parse(m.body())));
        }
        return events;
    }

    @Test
    void aFinishedJobWithAWebhookEnqueuesItsTerminalEventOnceAndARedeliveryAddsNone() {
        Job job = Job.builder()
                .id(Ids.newJobId(Instant.now()))
                .tenantId("tenant-a")
                .request(rq -> rq.tier("fast")
                        .modelId(MODEL)
                        .prompt("Call me back.")
                        .maxTokens(64)
                        .webhookUrl("https://hooks.example.com/bedrock"))
                .progress(p -> p.createdAt(Instant.now()))
                .build();
        store.create(job);
        new SqsJobQueue(sqs, queueUrl).send(new JobQueue.JobMessage(job.id(), job.tenantId()));
        SQSEvent event = receive();
        handler.handleRequest(event, null);
        handler.handleRequest(event, null);
        List<com.fasterxml.jackson.databind.JsonNode> events = webhookEvents();
        assertEquals(1, events.size(), "the settled job owes nothing to the redelivery " + events);
        assertTrue(store.get(job.id()).orElseThrow().accounting().settled());
        String body = events.get(0).toString();
        assertTrue(body.contains("job.succeeded") && body.contains(job.id()), body);
    }

    @Test
    void aBatchWithAWebhookAnnouncesItsCompletionExactlyOnce() {
        DynamoBatchStore batches =
                new DynamoBatchStore(SharedEmulators.dynamoClient(), env.get("JOBS_TABLE"), Duration.ofDays(30));
        String batchId = Ids.newBatchId(Instant.now());
        List<Job> items = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int index = i;
            items.add(Job.builder()
                    .id(Ids.jobIdInBatch(batchId, i))
                    .tenantId("tenant-a")
                    .request(rq -> rq.tier("fast")
                            .modelId(MODEL)
                            .prompt("Hooked batch item " + index)
                            .maxTokens(64)
                            .batchId(batchId)
                            .customId("f" + index)
                            .itemIndex(index))
                    .progress(p -> p.createdAt(Instant.now()))
                    .build());
        }
        store.createAll(items);
        batches.create(dev.bedrockjobs.core.domain.Batch.accepted(
                batchId, "tenant-a", Instant.now(), 3, "https://hooks.example.com/batches", null, "h"));
        new SqsJobQueue(sqs, queueUrl)
                .sendAll(items.stream()
                        .map(j -> new JobQueue.JobMessage(j.id(), j.tenantId()))
                        .toList());
        List<SQSEvent> deliveries = receiveAll(3);
        deliveries.forEach(e -> handler.handleRequest(e, null));
        deliveries.forEach(e -> handler.handleRequest(e, null));
        List<com.fasterxml.jackson.databind.JsonNode> events = webhookEvents();
        assertEquals(1, events.size(), "one batch.completed, and no job events for items: " + events);
        assertTrue(events.get(0).toString().contains("batch.completed"));
    }

    @Test
    void aMessageThatNamesNoJobIsDropped() {
        sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody("{\"hello\":\"world\"}"));
        SQSBatchResponse response = handler.handleRequest(receive(), null);
        assertTrue(response.getBatchItemFailures().isEmpty());
    }
}
