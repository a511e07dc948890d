package dev.bedrockjobs.local.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each request on the wire maps to the action and resource AWS authorizes it as. */
class IamRequestsTest {
    private static final String TABLE = "arn:aws:dynamodb:us-east-1:000000000000:table/JobsTable";
    private static final String QUEUE = "http://127.0.0.1:9324/000000000000/JobsQueue";

    private static List<String> of(String service, String target, String path, String body) {
        return IamRequests.of(service, target, path, body).orElseThrow().stream()
                .map(Object::toString)
                .toList();
    }

    private static List<String> dynamo(String operation, String body) {
        return of("DynamoDb", "DynamoDB_20120810." + operation, "/", body);
    }

    @Test
    void aDynamoDbRequestIsAuthorizedOnItsTableOrOnTheIndexItNames() {
        assertEquals(List.of("dynamodb:GetItem on " + TABLE), dynamo("GetItem", "{\"TableName\": \"JobsTable\"}"));
        assertEquals(
                List.of("dynamodb:Query on " + TABLE),
                dynamo("Query", "{\"TableName\": \"JobsTable\", \"KeyConditionExpression\": \"pk = :p\"}"));
        assertEquals(
                List.of("dynamodb:Query on " + TABLE + "/index/byBatch"),
                dynamo("Query", "{\"TableName\": \"JobsTable\", \"IndexName\": \"byBatch\"}"));
        assertEquals(
                List.of("dynamodb:Scan on " + TABLE + "/index/active"),
                dynamo("Scan", "{\"TableName\": \"" + TABLE + "\", \"IndexName\": \"active\"}"),
                "a table may be named by its ARN");
        assertEquals(List.of("dynamodb:ListTables on *"), dynamo("ListTables", "{}"));
    }

    @Test
    void batchAndTransactionRequestsAreAuthorizedPerTableAndPerItem() {
        assertEquals(
                List.of(
                        "dynamodb:BatchWriteItem on " + TABLE,
                        "dynamodb:BatchWriteItem on arn:aws:dynamodb:us-east-1:000000000000:table/Other"),
                dynamo("BatchWriteItem", "{\"RequestItems\": {\"JobsTable\": [], \"Other\": []}}"));
        assertEquals(
                List.of("dynamodb:BatchGetItem on " + TABLE),
                dynamo("BatchGetItem", "{\"RequestItems\": {\"JobsTable\": {\"Keys\": []}}}"));
        assertEquals(
                List.of(
                        "dynamodb:PutItem on " + TABLE,
                        "dynamodb:UpdateItem on " + TABLE,
                        "dynamodb:DeleteItem on " + TABLE,
                        "dynamodb:ConditionCheckItem on " + TABLE),
                dynamo(
                        "TransactWriteItems",
                        "{\"TransactItems\": [{\"Put\": {\"TableName\": \"JobsTable\"}},"
                                + " {\"Update\": {\"TableName\": \"JobsTable\"}}, {\"Delete\": {\"TableName\": \"JobsTable\"}},"
                                + " {\"ConditionCheck\": {\"TableName\": \"JobsTable\"}}]}"));
        assertEquals(
                List.of("dynamodb:GetItem on " + TABLE),
                dynamo("TransactGetItems", "{\"TransactItems\": [{\"Get\": {\"TableName\": \"JobsTable\"}}]}"));
    }

    @Test
    void anSqsRequestIsAuthorizedOnItsQueueAndABatchAsItsSingleForm() {
        String arn = "arn:aws:sqs:us-east-1:000000000000:JobsQueue";
        String body = "{\"QueueUrl\": \"" + QUEUE + "\"}";
        assertEquals(List.of("sqs:SendMessage on " + arn), of("Sqs", "AmazonSQS.SendMessage", "/", body));
        assertEquals(List.of("sqs:SendMessage on " + arn), of("Sqs", "AmazonSQS.SendMessageBatch", "/", body));
        assertEquals(List.of("sqs:DeleteMessage on " + arn), of("Sqs", "AmazonSQS.DeleteMessageBatch", "/", body));
        assertEquals(
                List.of("sqs:ChangeMessageVisibility on " + arn),
                of("Sqs", "AmazonSQS.ChangeMessageVisibilityBatch", "/", body));
        assertEquals(List.of("sqs:ReceiveMessage on " + arn), of("Sqs", "AmazonSQS.ReceiveMessage", "/", body));
        assertEquals(
                List.of("sqs:GetQueueUrl on " + arn),
                of("Sqs", "AmazonSQS.GetQueueUrl", "/", "{\"QueueName\": \"JobsQueue\"}"));
    }

    @Test
    void aStepFunctionsRequestIsAuthorizedOnItsStateMachine() {
        String machine = "arn:aws:states:us-east-1:000000000000:stateMachine:JobStateMachine";
        assertEquals(
                List.of("states:StartSyncExecution on " + machine),
                of("Sfn", "AWSStepFunctions.StartSyncExecution", "/", "{\"stateMachineArn\": \"" + machine + "\"}"));
    }

    @Test
    void aModelCallIsAuthorizedOnTheModelAndAProfileCallAlsoOnTheProfile() {
        assertEquals(
                List.of("bedrock:InvokeModel on arn:aws:bedrock:us-east-1::foundation-model/"
                        + "anthropic.claude-haiku-4-5-20251001-v1:0"),
                of("BedrockRuntime", null, "/model/anthropic.claude-haiku-4-5-20251001-v1%3A0/invoke", null));
        assertEquals(
                List.of(
                        "bedrock:InvokeModel on arn:aws:bedrock:us-east-1:000000000000:inference-profile/"
                                + "us.anthropic.claude-haiku-4-5-20251001-v1:0",
                        "bedrock:InvokeModel on arn:aws:bedrock:us-east-1::foundation-model/"
                                + "anthropic.claude-haiku-4-5-20251001-v1:0"),
                of("BedrockRuntime", null, "/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/invoke", null));
        assertEquals(
                List.of("bedrock:InvokeModelWithResponseStream on arn:aws:bedrock:us-east-1::foundation-model/"
                        + "amazon.nova-lite-v1:0"),
                of("BedrockRuntime", null, "/model/amazon.nova-lite-v1%3A0/invoke-with-response-stream", null));
        assertEquals(
                List.of("bedrock:InvokeModel on arn:aws:bedrock:us-east-1:000000000000:"
                        + "application-inference-profile/abc"),
                of(
                        "BedrockRuntime",
                        null,
                        "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A000000000000%3A"
                                + "application-inference-profile%2Fabc/converse",
                        null));
    }

    @Test
    void otherServicesAreNotChecked() {
        assertEquals(Optional.empty(), IamRequests.of("S3", null, "/bucket/key", null));
    }
}
