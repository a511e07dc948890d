package dev.bedrockjobs.local.emulators.sfn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.local.emulators.sfn.engine.StepFunctionsEngine;
import dev.bedrockjobs.local.emulators.sfn.engine.TaskInvocation;
import dev.bedrockjobs.local.emulators.sfn.engine.TaskResource;
import dev.bedrockjobs.local.emulators.sfn.engine.VirtualTimekeeper;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.DescribeStateMachineResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.InvalidArnException;
import software.amazon.awssdk.services.sfn.model.InvalidDefinitionException;
import software.amazon.awssdk.services.sfn.model.InvalidExecutionInputException;
import software.amazon.awssdk.services.sfn.model.InvalidNameException;
import software.amazon.awssdk.services.sfn.model.StartSyncExecutionResponse;
import software.amazon.awssdk.services.sfn.model.StateMachineAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.StateMachineDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.StateMachineType;
import software.amazon.awssdk.services.sfn.model.StateMachineTypeNotSupportedException;
import software.amazon.awssdk.services.sfn.model.SyncExecutionStatus;

/** The Step Functions API of the local server, through the real SfnClient. */
class StepFunctionsServerIntegrationTest {

    private static final String ROLE = "arn:aws:iam::123456789012:role/test";
    private static final String GREETER = """
            {"StartAt": "Greet", "States": {"Greet": {"Type": "Pass",
              "Parameters": {"greeting.$": "States.Format('Hello {}', $.name)", "execution.$": "$$.Execution.Name"},
              "End": true}}}""";
    private static final String FAILER = """
            {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Job.Bad", "Cause": "bad input"}}}""";

    private static StepFunctionsEngine engine;
    private static StepFunctionsService service;
    private static StepFunctionsServer server;
    private static SfnClient sfn;

    /** A task that never answers, to run an execution into its time limit. */
    private static final TaskResource NEVER_ANSWERS = new TaskResource() {
        @Override
        public String arn() {
            return "arn:aws:states:::test:never";
        }

        @Override
        public Set<String> requiredParameters() {
            return Set.of();
        }

        @Override
        public Set<String> optionalParameters() {
            return Set.of();
        }

        @Override
        public JsonNode invoke(TaskInvocation invocation) throws InterruptedException {
            new CountDownLatch(1).await();
            throw new AssertionError("unreachable");
        }
    };

    @BeforeAll
    static void start() {
        engine = StepFunctionsEngine.builder()
                .timekeeper(new VirtualTimekeeper())
                .resource(NEVER_ANSWERS)
                .build();
        service = new StepFunctionsService(engine);
        server = new StepFunctionsServer(service).start();
        sfn = LocalSfnClients.sfn(server.endpoint());
    }

    @AfterAll
    static void stop() {
        sfn.close();
        server.close();
        service.close();
        engine.close();
    }

    private static String create(String name, String definition, StateMachineType type) {
        return sfn.createStateMachine(
                        b -> b.name(name).definition(definition).roleArn(ROLE).type(type))
                .stateMachineArn();
    }

    @Test
    void createsDescribesAndListsStateMachines() {
        String arn = create("describe-me", GREETER, StateMachineType.EXPRESS);

        assertEquals("arn:aws:states:us-east-1:123456789012:stateMachine:describe-me", arn);
        DescribeStateMachineResponse described = sfn.describeStateMachine(b -> b.stateMachineArn(arn));
        assertEquals("describe-me", described.name());
        assertEquals(GREETER, described.definition());
        assertEquals(StateMachineType.EXPRESS, described.type());
        assertEquals(ROLE, described.roleArn());
        assertNotNull(described.creationDate());
        assertTrue(sfn.listStateMachines(b -> {}).stateMachines().stream()
                .anyMatch(item -> item.stateMachineArn().equals(arn)));
        assertEquals(arn, create("describe-me", GREETER, StateMachineType.EXPRESS), "same definition: idempotent");
        assertThrows(
                StateMachineAlreadyExistsException.class,
                () -> create("describe-me", FAILER, StateMachineType.EXPRESS));
    }

    @Test
    void listStateMachinesPages() {
        for (int i = 0; i < 3; i++) {
            create("paged-" + i, GREETER, StateMachineType.STANDARD);
        }
        int total = service.listStateMachines().size();
        long seen = sfn.listStateMachinesPaginator(b -> b.maxResults(2)).stateMachines().stream()
                .count();
        assertEquals(total, seen);
    }

    @Test
    void startSyncExecutionAnswersTheOutcomeWithDatesAndBilling() {
        String arn = create("sync-greeter", GREETER, StateMachineType.EXPRESS);

        StartSyncExecutionResponse response =
                sfn.startSyncExecution(b -> b.stateMachineArn(arn).name("run-1").input("{\"name\": \"Ada\"}"));

        assertEquals(SyncExecutionStatus.SUCCEEDED, response.status());
        assertEquals("{\"greeting\":\"Hello Ada\",\"execution\":\"run-1\"}", response.output());
        assertTrue(response.executionArn()
                .startsWith("arn:aws:states:us-east-1:123456789012:express:sync-greeter:run-1:"));
        assertEquals(arn, response.stateMachineArn());
        assertEquals("{\"name\": \"Ada\"}", response.input());
        assertNotNull(response.startDate());
        assertEquals(response.startDate(), response.stopDate(), "a Pass state takes no virtual time");
        assertEquals(64, response.billingDetails().billedMemoryUsedInMB());
        assertEquals(100, response.billingDetails().billedDurationInMilliseconds());
        assertNull(response.error());
    }

    @Test
    void startSyncExecutionAnswers200ForAFailedExecution() {
        String arn = create("sync-failer", FAILER, StateMachineType.EXPRESS);

        StartSyncExecutionResponse response = sfn.startSyncExecution(b -> b.stateMachineArn(arn));

        assertEquals(SyncExecutionStatus.FAILED, response.status());
        assertEquals("Job.Bad", response.error());
        assertEquals("bad input", response.cause());
        assertNull(response.output());
    }

    @Test
    void startSyncExecutionReportsAnExecutionTimeoutAsTimedOut() {
        String arn = create("sync-timeout", """
                {"StartAt": "Wait", "TimeoutSeconds": 2, "States": {"Wait": {"Type": "Task",
                  "Resource": "arn:aws:states:::test:never", "End": true}}}""", StateMachineType.EXPRESS);

        StartSyncExecutionResponse response = sfn.startSyncExecution(b -> b.stateMachineArn(arn));

        assertEquals(SyncExecutionStatus.TIMED_OUT, response.status());
        assertEquals("States.Timeout", response.error());
        assertEquals(
                2_000, response.stopDate().toEpochMilli() - response.startDate().toEpochMilli());
    }

    @Test
    void expressExecutionsCannotBeDescribed() {
        String arn = create("express-async", GREETER, StateMachineType.EXPRESS);
        String executionArn = sfn.startExecution(b -> b.stateMachineArn(arn).input("{\"name\": \"x\"}"))
                .executionArn();

        assertThrows(InvalidArnException.class, () -> sfn.describeExecution(b -> b.executionArn(executionArn)));
    }

    @Test
    void startSyncExecutionIsForExpressMachinesOnly() {
        String arn = create("standard-only", GREETER, StateMachineType.STANDARD);
        assertThrows(
                StateMachineTypeNotSupportedException.class, () -> sfn.startSyncExecution(b -> b.stateMachineArn(arn)));
    }

    @Test
    void startExecutionRunsInTheBackgroundAndDescribeExecutionReportsIt() throws InterruptedException {
        String arn = create("async-greeter", GREETER, StateMachineType.STANDARD);

        String executionArn = sfn.startExecution(
                        b -> b.stateMachineArn(arn).name("bg-1").input("{\"name\": \"Bo\"}"))
                .executionArn();
        DescribeExecutionResponse described = sfn.describeExecution(b -> b.executionArn(executionArn));
        for (int i = 0; i < 100 && described.status() == ExecutionStatus.RUNNING; i++) {
            Thread.sleep(20);
            described = sfn.describeExecution(b -> b.executionArn(executionArn));
        }

        assertEquals("arn:aws:states:us-east-1:123456789012:execution:async-greeter:bg-1", executionArn);
        assertEquals(ExecutionStatus.SUCCEEDED, described.status());
        assertEquals("{\"greeting\":\"Hello Bo\",\"execution\":\"bg-1\"}", described.output());
        assertEquals(
                executionArn,
                sfn.startExecution(b -> b.stateMachineArn(arn).name("bg-1").input("{\"name\": \"Bo\"}"))
                        .executionArn(),
                "same name and input: the same execution");
    }

    @Test
    void errorsReachTheSdkAsTheirExceptions() {
        String missing = "arn:aws:states:us-east-1:123456789012:stateMachine:missing";
        assertThrows(
                StateMachineDoesNotExistException.class,
                () -> sfn.describeStateMachine(b -> b.stateMachineArn(missing)));
        assertThrows(
                StateMachineDoesNotExistException.class, () -> sfn.startSyncExecution(b -> b.stateMachineArn(missing)));
        assertThrows(
                ExecutionDoesNotExistException.class,
                () -> sfn.describeExecution(
                        b -> b.executionArn("arn:aws:states:us-east-1:123456789012:execution:missing:x")));
        assertThrows(InvalidNameException.class, () -> create("bad name!", GREETER, StateMachineType.EXPRESS));
        String arn = create("input-checker", GREETER, StateMachineType.EXPRESS);
        assertThrows(
                InvalidExecutionInputException.class,
                () -> sfn.startSyncExecution(b -> b.stateMachineArn(arn).input("{not json")));

        InvalidDefinitionException refused = assertThrows(
                InvalidDefinitionException.class,
                () -> create(
                        "mapper",
                        "{\"StartAt\": \"M\", \"States\": {\"M\": {\"Type\": \"Map\", \"End\": true}}}",
                        StateMachineType.EXPRESS));
        assertTrue(
                refused.getMessage().contains("State 'M', field 'Type': the state type 'Map' is not supported"),
                refused.getMessage());
    }

    @Test
    void registersADefinitionFileWithSubstitutions(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = dir.resolve("wait.asl.json");
        java.nio.file.Files.writeString(file, """
                {"StartAt": "P", "TimeoutSeconds": ${Limit}, "States": {"P": {"Type": "Pass",
                  "Result": {"limit": ${Limit}, "label": "${Label}"}, "End": true}}}""");

        String arn = server.registerStateMachine("from-file", file, Map.of("Limit", 30, "Label", "local"));

        assertEquals(
                "{\"limit\":30,\"label\":\"local\"}",
                sfn.startSyncExecution(b -> b.stateMachineArn(arn)).output());
        assertThrows(
                IllegalArgumentException.class,
                () -> server.registerStateMachine("incomplete", file, Map.of("Limit", 1)));
    }

    @Test
    void unknownOperationsAreRefused() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(server.endpoint())
                                .header("X-Amz-Target", "AWSStepFunctions.SendTaskSuccess")
                                .header("Content-Type", "application/x-amz-json-1.0")
                                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());

        assertEquals(400, response.statusCode());
        assertTrue(response.body().contains("\"__type\":\"UnknownOperationException\""), response.body());
        assertTrue(response.body().contains("does not implement SendTaskSuccess"), response.body());
    }

    @Test
    void withoutDisablingHostPrefixInjectionTheSdkCannotReachASyncEndpoint() {
        try (SfnClient plain = SfnClient.builder()
                .endpointOverride(server.endpoint())
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("local", "local")))
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
                .overrideConfiguration(
                        o -> o.retryStrategy(software.amazon.awssdk.awscore.retry.AwsRetryStrategy.doNotRetry()))
                .build()) {
            String arn = create("prefix-check", GREETER, StateMachineType.EXPRESS);
            SdkClientException unreachable =
                    assertThrows(SdkClientException.class, () -> plain.startSyncExecution(b -> b.stateMachineArn(arn)));
            boolean hostPrefixed = false;
            for (Throwable t = unreachable; t != null; t = t.getCause()) {
                hostPrefixed |= String.valueOf(t.getMessage()).contains("sync-127.0.0.1");
            }
            assertTrue(hostPrefixed, "the SDK should have tried the host sync-127.0.0.1");
        }
    }
}
