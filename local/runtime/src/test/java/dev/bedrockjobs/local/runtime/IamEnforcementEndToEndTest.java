package dev.bedrockjobs.local.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.adapter.AwsClients;
import dev.bedrockjobs.core.adapter.StepFunctionsModelCallPolicy;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.port.ModelCallPolicy;
import dev.bedrockjobs.core.work.Reconciler;
import dev.bedrockjobs.lambda.Components;
import dev.bedrockjobs.local.emulators.RepoRoot;
import dev.bedrockjobs.reconciler.ReconcilerRoot;
import dev.bedrockjobs.worker.WorkerRoot;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * The local stack holds each function, and the state machine's model call, to its role in template.yaml, and refuses
 * what the role does not allow with the service's own AccessDeniedException. The calls here are made with the clients
 * the functions build for themselves ({@link AwsClients} over the environment the stack gives each function), so
 * they carry the function's identity exactly as its handler's calls do.
 */
class IamEnforcementEndToEndTest {
    private static final String TABLE_ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/JobsTable";

    @TempDir
    static Path data;

    private static LocalStack stack;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        // no event sources: batches stay running, so the reconciler has one older than its one-second grace
        stack = LocalStack.start(LocalOptions.builder(RepoRoot.require())
                .port(0)
                .dataDirectory(data)
                .eventSourcesEnabled(false)
                .parameter("ReconcileGraceSeconds", "1")
                .build());
        api = new ApiClient(stack.apiUrl(), stack.devApiKey());
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private static Map<String, String> env(String function) {
        return stack.function(function).environment();
    }

    private static AwsClients as(String function) {
        return new AwsClients(env(function));
    }

    /** The call fails as AWS refuses it: the service's error code, and its message naming action and resource. */
    private static AwsServiceException refused(String code, String action, String resource, Executable call) {
        AwsServiceException e = assertThrows(AwsServiceException.class, call);
        assertEquals(code, e.awsErrorDetails().errorCode(), e.toString());
        assertTrue(
                e.awsErrorDetails()
                        .errorMessage()
                        .contains("is not authorized to perform: " + action
                                + " on resource: " + resource + " because no identity-based policy allows the " + action
                                + " action"),
                e.awsErrorDetails().errorMessage());
        return e;
    }

    private static String newBatch(String idempotencyKey) {
        String body = "{\"items\": [{\"prompt\": \"one " + UUID.randomUUID() + "\"}, {\"prompt\": \"two\"}]}";
        HttpResponse<String> r = idempotencyKey == null
                ? api.postJson("/v1/batches", body)
                : api.postJson("/v1/batches", body, "Idempotency-Key", idempotencyKey);
        assertEquals(202, r.statusCode(), r.body());
        return ApiClient.json(r).path("id").asText();
    }

    // ---- reading a batch: one strongly consistent Query of its partition, by every function that needs it ----

    @Test
    void anIdempotentBatchRetryAnswersTheBatchItFirstCreated() {
        String key = "retry-" + UUID.randomUUID();
        String body = "{\"items\": [{\"prompt\": \"same " + key + "\"}]}";
        HttpResponse<String> first = api.postJson("/v1/batches", body, "Idempotency-Key", key);
        HttpResponse<String> retry = api.postJson("/v1/batches", body, "Idempotency-Key", key);
        assertEquals(202, first.statusCode(), first.body());
        assertEquals(200, retry.statusCode(), "the submit function reads the batch it created: " + retry.body());
        assertEquals(
                ApiClient.json(first).path("id").asText(),
                ApiClient.json(retry).path("id").asText());
    }

    @Test
    void theWorkerReadsTheBatchItCompletesToAnnounceIt() {
        String id = newBatch(null);
        // what the worker's JobOutcomes reads after the write that completes a batch, before enqueuing its event
        assertEquals(
                id,
                new Components(as("WorkerFunction").env())
                        .batchStore()
                        .get(id)
                        .orElseThrow()
                        .id());
    }

    @Test
    void theReconcilerRunsOverBatchesOlderThanItsGrace() throws InterruptedException {
        newBatch(null);
        Thread.sleep(1_500);
        // it lists the running batches older than its grace and reads each; the batch's queued jobs are re-sent
        Reconciler.Report run =
                ReconcilerRoot.reconciler(env("ReconcilerFunction")).run();
        assertTrue(run.requeued() >= 2, run.toString());
    }

    // ---- each function, and the state machine, is refused what its role does not allow ----

    @Test
    void theSubmitFunctionMayCountActiveJobsButNotListATenantsJobs() {
        DynamoDbClient dynamo = as("SubmitFunction").dynamoDb();
        dynamo.query(q -> q.tableName("JobsTable")
                .indexName("active")
                .keyConditionExpression("gsi3pk = :p")
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("nobody"))));
        AwsServiceException e = refused(
                "AccessDeniedException",
                "dynamodb:Query",
                TABLE_ARN + "/index/byTenant",
                () -> dynamo.query(q -> q.tableName("JobsTable")
                        .indexName("byTenant")
                        .keyConditionExpression("gsi1pk = :p")
                        .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("nobody")))));
        assertInstanceOf(DynamoDbException.class, e);
        assertEquals(400, e.statusCode());
        assertTrue(
                e.awsErrorDetails()
                        .errorMessage()
                        .startsWith("User: arn:aws:sts::000000000000:assumed-role/SubmitFunctionRole/SubmitFunction "),
                e.getMessage());
        assertTrue(IamEnforcement.refusals()
                .contains(new IamEnforcement.Refusal(
                        "SubmitFunction",
                        new IamRequests.Authorization("dynamodb:Query", TABLE_ARN + "/index/byTenant"))));
    }

    @Test
    void theStatusFunctionMayAnnounceEventsButNotEnqueueJobs() {
        SqsClient sqs = as("StatusFunction").sqs();
        String jobs = env("SubmitFunction").get(Components.JOBS_QUEUE_URL);
        AwsServiceException e = refused(
                "AccessDenied",
                "sqs:SendMessage",
                "arn:aws:sqs:us-east-1:000000000000:JobsQueue",
                () -> sqs.sendMessage(s -> s.queueUrl(jobs).messageBody("{}")));
        assertInstanceOf(SqsException.class, e);
    }

    @Test
    void theAuthorizerMayReadTheTableButNotWriteIt() {
        DynamoDbClient dynamo = as("AuthorizerFunction").dynamoDb();
        Map<String, AttributeValue> key =
                Map.of("pk", AttributeValue.fromS("IAM#" + UUID.randomUUID()), "sk", AttributeValue.fromS("IAM"));
        dynamo.getItem(g -> g.tableName("JobsTable").key(key));
        refused(
                "AccessDeniedException",
                "dynamodb:PutItem",
                TABLE_ARN,
                () -> dynamo.putItem(p -> p.tableName("JobsTable").item(key)));
    }

    @Test
    void theWorkerMayNotEnqueueJobsNorSendABatchOfThem() {
        SqsClient sqs = as("WorkerFunction").sqs();
        String jobs = env("WorkerFunction").get(Components.JOBS_QUEUE_URL);
        String arn = "arn:aws:sqs:us-east-1:000000000000:JobsQueue";
        refused(
                "AccessDenied",
                "sqs:SendMessage",
                arn,
                () -> sqs.sendMessage(s -> s.queueUrl(jobs).messageBody("{}")));
        // a batch send is authorized as sqs:SendMessage, and refused as that
        refused(
                "AccessDenied",
                "sqs:SendMessage",
                arn,
                () -> sqs.sendMessageBatch(s -> s.queueUrl(jobs)
                        .entries(SendMessageBatchRequestEntry.builder()
                                .id("1")
                                .messageBody("{}")
                                .build())));
    }

    @Test
    void theReconcilerMayReadTheDeadLetterQueueButNotEmptyIt() {
        SqsClient sqs = as("ReconcilerFunction").sqs();
        String dlq = env("ReconcilerFunction").get(Components.JOBS_DLQ_URL);
        sqs.receiveMessage(r -> r.queueUrl(dlq).waitTimeSeconds(0));
        refused(
                "AccessDenied",
                "sqs:DeleteMessage",
                "arn:aws:sqs:us-east-1:000000000000:JobsDeadLetterQueue",
                () -> sqs.deleteMessage(d -> d.queueUrl(dlq).receiptHandle("any")));
    }

    @Test
    void theWebhookFunctionDelaysRetriesButNeverResendsAnEvent() {
        SqsClient sqs = as("WebhookFunction").sqs();
        String webhooks = env("WebhookFunction").get("WEBHOOKS_QUEUE_URL");
        refused(
                "AccessDenied",
                "sqs:SendMessage",
                "arn:aws:sqs:us-east-1:000000000000:WebhooksQueue",
                () -> sqs.sendMessage(s -> s.queueUrl(webhooks).messageBody("{}")));
    }

    @Test
    void theStateMachineMayCallTheConfiguredModelsOnly() {
        AwsClients worker = as("WorkerFunction");
        SfnClient sfn = worker.configure(SfnClient.builder(), "SFN", Duration.ofSeconds(60), false)
                .build();
        StepFunctionsModelCallPolicy policy =
                new StepFunctionsModelCallPolicy(sfn, worker.required(WorkerRoot.STATE_MACHINE_ARN));
        ObjectNode body = (ObjectNode) Json.parse("{\"anthropic_version\": \"bedrock-2023-05-31\", \"max_tokens\": 16,"
                + " \"messages\": [{\"role\": \"user\", \"content\": \"hello\"}]}");

        String configured = env("SubmitFunction").get("MODEL_FAST");
        assertInstanceOf(
                ModelCallPolicy.Answered.class,
                policy.run("job_iam1", "iam-" + UUID.randomUUID(), configured, body, null));

        String other = "anthropic.claude-3-haiku-20240307-v1:0";
        ModelCallPolicy.Outcome outcome = policy.run("job_iam2", "iam-" + UUID.randomUUID(), other, body, null);
        ModelCallPolicy.Failed failed = assertInstanceOf(ModelCallPolicy.Failed.class, outcome);
        assertEquals("Bedrock.AccessDeniedException", failed.error(), failed.toString());
        assertTrue(
                failed.cause()
                        .contains("assumed-role/JobStateMachineRole/JobStateMachine is not authorized to "
                                + "perform: bedrock:InvokeModel on resource: arn:aws:bedrock:us-east-1::foundation-model/"
                                + other),
                failed.cause());
    }

    @Test
    void theRuntimesOwnCallsAreNotHeldToAnyRole() {
        // tests, pollers, redrive and admin sign as "local": operators and Lambda's pollers are not bound by the
        // functions' roles
        try (DynamoDbClient plumbing = DynamoDbClient.builder()
                .endpointOverride(URI.create(env("SubmitFunction").get("AWS_ENDPOINT_URL_DYNAMODB")))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .build()) {
            plumbing.query(q -> q.tableName("JobsTable")
                    .indexName("byTenant")
                    .keyConditionExpression("gsi1pk = :p")
                    .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("nobody"))));
        }
    }
}
