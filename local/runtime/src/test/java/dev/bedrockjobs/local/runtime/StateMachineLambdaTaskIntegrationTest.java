package dev.bedrockjobs.local.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.local.emulators.sfn.lambda.LambdaInvokeResource;
import dev.bedrockjobs.local.emulators.template.SamTemplate;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.SdkAdvancedClientOption;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.StartSyncExecutionResponse;

/**
 * A state machine of a template calling the template's functions through {@code lambda:invoke}, as the local stack
 * wires them: functions run in this JVM, named by name or ARN, under the state machine role's IAM policy.
 */
class StateMachineLambdaTaskIntegrationTest {

    /** Answers with what it was given, and the class it was given as. */
    public static final class EchoHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
        public EchoHandler(Map<String, String> environment) {}

        @Override
        public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("received", event);
            answer.put("receivedAs", ((Object) event).getClass().getName());
            answer.put("function", context.getFunctionName());
            return answer;
        }
    }

    public static final class QuotaExceeded extends RuntimeException {
        private static final long serialVersionUID = 1L;

        QuotaExceeded(String message) {
            super(message);
        }
    }

    /** Fails as a function whose model quota is used up. */
    public static final class FailingHandler implements RequestHandler<Map<String, Object>, String> {
        static final AtomicInteger CALLS = new AtomicInteger();

        public FailingHandler(Map<String, String> environment) {}

        @Override
        public String handleRequest(Map<String, Object> event, Context context) {
            CALLS.incrementAndGet();
            throw new QuotaExceeded("no quota left for " + event.get("jobId"));
        }
    }

    /** Answers after a minute, unless its thread is interrupted first. */
    public static final class SlowHandler implements RequestHandler<Map<String, Object>, String> {
        static final AtomicInteger INTERRUPTED = new AtomicInteger();

        public SlowHandler(Map<String, String> environment) {}

        @Override
        public String handleRequest(Map<String, Object> event, Context context) {
            try {
                Thread.sleep(60_000);
                return "late";
            } catch (InterruptedException e) {
                INTERRUPTED.incrementAndGet();
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        }
    }

    private static final String TEMPLATE = """
            AWSTemplateFormatVersion: '2010-09-09'
            Transform: AWS::Serverless-2016-10-31
            Resources:
              StreamFunction:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: %1$s$EchoHandler::handleRequest
                  FunctionName: !Sub '${AWS::StackName}-stream'
              FailingFunction:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: %1$s$FailingHandler::handleRequest
              SlowFunction:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: %1$s$SlowHandler::handleRequest
              ForbiddenFunction:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: %1$s$EchoHandler::handleRequest
              StreamMachine:
                Type: AWS::Serverless::StateMachine
                Properties:
                  Type: EXPRESS
                  Definition:
                    StartAt: Call
                    States:
                      Call:
                        Type: Task
                        Resource: arn:aws:states:::lambda:invoke
                        Parameters:
                          FunctionName: ${StreamArn}
                          Payload.$: $
                        End: true
                  DefinitionSubstitutions:
                    StreamArn: !GetAtt StreamFunction.Arn
                  Policies:
                    - Statement:
                        - Effect: Allow
                          Action: lambda:InvokeFunction
                          Resource: !GetAtt StreamFunction.Arn
              AnyMachine:
                Type: AWS::Serverless::StateMachine
                Properties:
                  Type: EXPRESS
                  Definition:
                    StartAt: Call
                    States:
                      Call:
                        Type: Task
                        Resource: arn:aws:states:::lambda:invoke
                        Parameters:
                          FunctionName.$: $.function
                          Payload:
                            jobId: j1
                        TimeoutSeconds: 5
                        Retry:
                          - ErrorEquals: ['%1$s$QuotaExceeded']
                            IntervalSeconds: 1
                            MaxAttempts: 1
                        Catch:
                          - ErrorEquals: [States.ALL]
                            ResultPath: $.error
                            Next: Caught
                        End: true
                      Caught:
                        Type: Pass
                        End: true
                  Policies:
                    - Statement:
                        - Effect: Allow
                          Action: lambda:InvokeFunction
                          Resource:
                            - !GetAtt StreamFunction.Arn
                            - !GetAtt FailingFunction.Arn
                            - !GetAtt SlowFunction.Arn
                            - arn:aws:lambda:eu-west-1:*:function:*
            """.formatted(StateMachineLambdaTaskIntegrationTest.class.getName());

    @TempDir
    static Path directory;

    private static LocalResources resources;
    private static TemplateLambdaInvoker lambda;
    private static LocalStepFunctions stepFunctions;
    private static IamEnforcement.Armed iam;
    private static SfnClient sfn;

    @BeforeAll
    static void start() throws IOException {
        Path template = directory.resolve("template.yaml");
        Files.writeString(template, TEMPLATE, StandardCharsets.UTF_8);
        resources = new LocalResources(SamTemplate.load(template));
        lambda = new TemplateLambdaInvoker();
        stepFunctions = LocalStepFunctions.start(new LambdaInvokeResource(lambda));
        TemplateFunctions.register(resources);
        stepFunctions.createFromTemplate(resources, directory);
        lambda.serve(resources, TemplateFunctions.read(resources, Map.of()));
        iam = IamEnforcement.arm(TemplatePolicies.read(resources), URI.create("http://127.0.0.1:9"));
        sfn = SfnClient.builder()
                .endpointOverride(stepFunctions.endpoint())
                .region(Region.of(LocalResources.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                // StartSyncExecution goes to a "sync-" host, which a local endpoint does not have
                .overrideConfiguration(
                        o -> o.putAdvancedOption(SdkAdvancedClientOption.DISABLE_HOST_PREFIX_INJECTION, true))
                .build();
    }

    @AfterAll
    static void stop() {
        if (iam != null) {
            IamEnforcement.disarm(iam);
        }
        if (sfn != null) {
            sfn.close();
        }
        if (stepFunctions != null) {
            stepFunctions.close();
        }
        if (lambda != null) {
            lambda.close();
        }
    }

    private static StartSyncExecutionResponse run(String machine, String input) {
        return sfn.startSyncExecution(
                b -> b.stateMachineArn(resources.ref(machine)).input(input));
    }

    private static JsonNode output(StartSyncExecutionResponse response) {
        assertEquals("SUCCEEDED", response.statusAsString(), response.error() + ": " + response.cause());
        return Json.parse(response.output());
    }

    @Test
    void aSubstitutedFunctionArnRunsTheFunctionWithThePayloadAsAMap() {
        JsonNode output = output(run("StreamMachine", "{\"jobId\": \"j1\", \"n\": 2}"));

        assertEquals(200, output.get("StatusCode").intValue());
        assertEquals("$LATEST", output.get("ExecutedVersion").textValue());
        assertEquals(Json.parse("{\"jobId\": \"j1\", \"n\": 2}"), output.at("/Payload/received"));
        assertEquals(
                LinkedHashMap.class.getName(), output.at("/Payload/receivedAs").textValue());
        assertEquals("StreamFunction", output.at("/Payload/function").textValue());
    }

    @Test
    void theDeployedFunctionNameAndItsArnNameTheSameFunction() {
        for (String name : List.of(
                "StreamFunction",
                "bedrock-jobs-local-stream",
                LocalResources.ACCOUNT_ID + ":function:bedrock-jobs-local-stream",
                LocalResources.functionArn("bedrock-jobs-local-stream"),
                LocalResources.functionArn("StreamFunction") + ":$LATEST")) {
            JsonNode output = output(run("AnyMachine", "{\"function\": \"" + name + "\"}"));

            assertEquals("StreamFunction", output.at("/Payload/function").textValue(), name);
        }
    }

    @Test
    void aFunctionsExceptionIsRetriedByItsClassNameThenCaughtWithLambdasErrorPayload() {
        int before = FailingHandler.CALLS.get();

        JsonNode output = output(run("AnyMachine", "{\"function\": \"FailingFunction\"}"));

        assertEquals(before + 2, FailingHandler.CALLS.get(), "the attempt and its one retry");

        JsonNode error = output.get("error");
        assertEquals(QuotaExceeded.class.getName(), error.get("Error").textValue());
        JsonNode cause = Json.parse(error.get("Cause").textValue());
        assertEquals("no quota left for j1", cause.get("errorMessage").textValue());
        assertEquals(QuotaExceeded.class.getName(), cause.get("errorType").textValue());
        assertTrue(
                cause.get("stackTrace")
                        .get(0)
                        .textValue()
                        .startsWith(FailingHandler.class.getName() + ".handleRequest"),
                cause.toString());
    }

    @Test
    void aFunctionTheRoleMayNotInvokeIsRefusedAsLambdaAwsLambdaException() {
        int before = IamEnforcement.refusals().size();

        JsonNode output = output(run("AnyMachine", "{\"function\": \"ForbiddenFunction\"}"));

        assertEquals("Lambda.AWSLambdaException", output.at("/error/Error").textValue());
        String cause = output.at("/error/Cause").textValue();
        assertTrue(
                cause.startsWith("User: " + LocalResources.assumedRoleArn("AnyMachineRole", "AnyMachine")
                        + " is not authorized to perform: lambda:InvokeFunction on resource: "
                        + LocalResources.functionArn("ForbiddenFunction")),
                cause);
        assertTrue(cause.contains("Error Code: AccessDeniedException"), cause);
        List<IamEnforcement.Refusal> refusals = IamEnforcement.refusals();
        assertEquals(
                new IamEnforcement.Refusal(
                        "AnyMachine", IamRequests.lambdaInvoke(LocalResources.functionArn("ForbiddenFunction"))),
                refusals.get(refusals.size() - 1));
        assertEquals(before + 1, refusals.size());
    }

    @Test
    void anUnknownFunctionTheRoleMayNotInvokeIsRefusedBeforeItIsLookedUp() {
        JsonNode output = output(run("AnyMachine", "{\"function\": \"Nope\"}"));

        assertEquals("Lambda.AWSLambdaException", output.at("/error/Error").textValue());
        assertTrue(output.at("/error/Cause").textValue().contains(LocalResources.functionArn("Nope")));
    }

    @Test
    void aFunctionTheRoleMayInvokeButTheStackDoesNotHaveIsLambdasResourceNotFound() {
        String arn = "arn:aws:lambda:eu-west-1:" + LocalResources.ACCOUNT_ID + ":function:StreamFunction";

        JsonNode output = output(run("AnyMachine", "{\"function\": \"" + arn + "\"}"));

        assertEquals(
                "Lambda.ResourceNotFoundException", output.at("/error/Error").textValue());
        assertEquals("Function not found: " + arn, output.at("/error/Cause").textValue());
    }

    @Test
    void aFunctionStillRunningAtTheTasksTimeoutSecondsIsAbandonedAsStatesTimeout() throws InterruptedException {
        int before = SlowHandler.INTERRUPTED.get();

        JsonNode output = output(run("AnyMachine", "{\"function\": \"SlowFunction\"}"));

        assertEquals("States.Timeout", output.at("/error/Error").textValue());
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (SlowHandler.INTERRUPTED.get() == before && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(before + 1, SlowHandler.INTERRUPTED.get(), "the handler's thread is interrupted");
    }
}
