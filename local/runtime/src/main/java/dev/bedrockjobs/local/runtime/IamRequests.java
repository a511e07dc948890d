package dev.bedrockjobs.local.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.core.domain.Json;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What IAM authorizes for one request to the APIs the functions call, read from the request as it goes on the wire
 * (the operation in {@code X-Amz-Target} or the REST path, the resource in the JSON body), as the services map them
 * (Service Authorization Reference, docs.aws.amazon.com/service-authorization/latest/reference/):
 * <ul>
 *   <li>DynamoDB: {@code dynamodb:<Operation>} on the table ARN, or on {@code table/T/index/I} when the request names
 *       an index (Query, Scan); BatchGetItem and BatchWriteItem once per table they touch; TransactWriteItems as
 *       PutItem, UpdateItem, DeleteItem or ConditionCheckItem per item, TransactGetItems as GetItem per item
 *       (<a href="https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html">DynamoDB</a>).
 *       Operations without a table (ListTables) are on {@code *}.</li>
 *   <li>SQS (JSON protocol): {@code sqs:<Operation>} on the queue ARN taken from {@code QueueUrl}, the batch
 *       operations as their single forms: SendMessageBatch as {@code sqs:SendMessage}, DeleteMessageBatch as
 *       {@code sqs:DeleteMessage}, ChangeMessageVisibilityBatch as {@code sqs:ChangeMessageVisibility}
 *       (<a href="https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-batch-api-actions.html">SQS
 *       batch actions</a>).</li>
 *   <li>Step Functions: {@code states:<Operation>} on {@code stateMachineArn} (StartSyncExecution, StartExecution...)
 *       or {@code executionArn}
 *       (<a href="https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html">Step
 *       Functions</a>).</li>
 *   <li>Bedrock runtime: InvokeModel and Converse as {@code bedrock:InvokeModel}, their streaming forms as
 *       {@code bedrock:InvokeModelWithResponseStream}, on the foundation-model ARN; a cross-region inference profile
 *       id ({@code us.anthropic...}) needs the profile ARN and the foundation model it routes to
 *       (<a href="https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-prereq.html">inference
 *       profile prerequisites</a>). A profile routes to several regions; locally only this region's model is
 *       checked.</li>
 *   <li>Lambda: Invoke as {@code lambda:InvokeFunction} on the function ARN
 *       (<a href="https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslambda.html">Lambda</a>).
 *       No SDK client calls Lambda locally: the Step Functions task that invokes a function asks for it itself
 *       ({@link TemplateLambdaInvoker}).</li>
 * </ul>
 * PartiQL operations (ExecuteStatement...) are authorized by AWS per statement kind (PartiQLSelect, PartiQLInsert...);
 * nothing here uses them, and locally they are checked as {@code dynamodb:<Operation>} on the table.
 */
final class IamRequests {
    /** One action on one resource that the request needs. */
    record Authorization(String action, String resource) {
        @Override
        public String toString() {
            return action + " on " + resource;
        }
    }

    /** The SDK's service names of the APIs checked, and their IAM service prefixes. */
    static final Map<String, String> SERVICES =
            Map.of("DynamoDb", "dynamodb", "Sqs", "sqs", "Sfn", "states", "BedrockRuntime", "bedrock");

    /** Geography prefixes of the system-defined cross-region inference profiles. */
    private static final Set<String> PROFILE_PREFIXES =
            Set.of("us", "eu", "apac", "global", "us-gov", "jp", "au", "ca");

    private IamRequests() {}

    /**
     * @param service    the SDK's service name ({@code DynamoDb}, {@code Sqs}, {@code Sfn}, {@code BedrockRuntime})
     * @param target     the {@code X-Amz-Target} header, for the JSON-protocol services
     * @param path       the raw (still percent-encoded) request path, for Bedrock
     * @param body       the JSON request body
     * @return empty for a service not checked locally
     */
    static Optional<List<Authorization>> of(String service, String target, String path, String body) {
        return Optional.ofNullable(
                switch (service == null ? "" : service) {
                    case "DynamoDb" -> dynamoDb(operation(target), json(body));
                    case "Sqs" -> sqs(operation(target), json(body));
                    case "Sfn" -> stepFunctions(operation(target), json(body));
                    case "BedrockRuntime" -> bedrock(path);
                    default -> null;
                });
    }

    private static String operation(String target) {
        if (target == null || target.indexOf('.') < 0) {
            throw new IllegalArgumentException("no X-Amz-Target operation: " + target);
        }
        return target.substring(target.lastIndexOf('.') + 1);
    }

    private static JsonNode json(String body) {
        return body == null || body.isBlank() ? Json.object() : Json.parse(body);
    }

    static List<Authorization> dynamoDb(String operation, JsonNode body) {
        List<Authorization> out = new ArrayList<>();
        switch (operation) {
            case "BatchGetItem", "BatchWriteItem" ->
                body.path("RequestItems")
                        .fieldNames()
                        .forEachRemaining(
                                table -> out.add(new Authorization("dynamodb:" + operation, tableArn(table))));
            case "TransactWriteItems", "TransactGetItems" -> {
                for (JsonNode item : body.path("TransactItems")) {
                    item.fieldNames()
                            .forEachRemaining(kind -> out.add(new Authorization(
                                    "dynamodb:"
                                            + switch (kind) {
                                                case "Put" -> "PutItem";
                                                case "Update" -> "UpdateItem";
                                                case "Delete" -> "DeleteItem";
                                                case "ConditionCheck" -> "ConditionCheckItem";
                                                case "Get" -> "GetItem";
                                                default ->
                                                    throw new IllegalArgumentException(
                                                            "unknown transaction item " + kind);
                                            },
                                    tableArn(item.path(kind).path("TableName").asText()))));
                }
            }
            default -> {
                String table = body.path("TableName").asText(null);
                String resource = table == null ? "*" : tableArn(table);
                String index = body.path("IndexName").asText(null);
                out.add(new Authorization(
                        "dynamodb:" + operation, index == null ? resource : resource + "/index/" + index));
            }
        }
        return out;
    }

    /** A table's ARN; the API also takes the ARN itself wherever it takes a table name. */
    private static String tableArn(String nameOrArn) {
        return nameOrArn.startsWith("arn:") ? nameOrArn : LocalResources.tableArn(nameOrArn);
    }

    static List<Authorization> sqs(String operation, JsonNode body) {
        String action = "sqs:"
                + switch (operation) {
                    case "SendMessageBatch" -> "SendMessage";
                    case "DeleteMessageBatch" -> "DeleteMessage";
                    case "ChangeMessageVisibilityBatch" -> "ChangeMessageVisibility";
                    default -> operation;
                };
        String resource = "*";
        if (body.hasNonNull("QueueUrl")) {
            // http(s)://host/<account>/<name>
            String[] path = URI.create(body.get("QueueUrl").asText()).getPath().split("/");
            resource = queueArn(path[path.length - 2], path[path.length - 1]);
        } else if (body.hasNonNull("QueueName")) { // CreateQueue, GetQueueUrl
            resource = queueArn(
                    body.path("QueueOwnerAWSAccountId").asText(LocalResources.ACCOUNT_ID),
                    body.get("QueueName").asText());
        }
        return List.of(new Authorization(action, resource));
    }

    private static String queueArn(String account, String name) {
        return "arn:aws:sqs:" + LocalResources.REGION + ":" + account + ":" + name;
    }

    static List<Authorization> stepFunctions(String operation, JsonNode body) {
        String resource =
                body.path("stateMachineArn").asText(body.path("executionArn").asText("*"));
        return List.of(new Authorization("states:" + operation, resource));
    }

    /** {@code /model/{modelId}/invoke}, {@code .../invoke-with-response-stream}, {@code .../converse[-stream]}. */
    static List<Authorization> bedrock(String path) {
        String[] parts = path.split("/");
        if (parts.length != 4 || !parts[1].equals("model")) {
            throw new IllegalArgumentException("not a Bedrock runtime model path: " + path);
        }
        String model = URLDecoder.decode(parts[2], StandardCharsets.UTF_8);
        String action = switch (parts[3]) {
            case "invoke", "converse" -> "bedrock:InvokeModel";
            case "invoke-with-response-stream", "converse-stream" -> "bedrock:InvokeModelWithResponseStream";
            default -> throw new IllegalArgumentException("not a Bedrock runtime model operation: " + path);
        };
        if (model.startsWith("arn:")) {
            return List.of(new Authorization(action, model));
        }
        int dot = model.indexOf('.');
        if (dot > 0 && PROFILE_PREFIXES.contains(model.substring(0, dot))) {
            return List.of(
                    new Authorization(
                            action,
                            "arn:aws:bedrock:" + LocalResources.REGION + ":" + LocalResources.ACCOUNT_ID
                                    + ":inference-profile/" + model),
                    new Authorization(action, foundationModelArn(model.substring(dot + 1))));
        }
        return List.of(new Authorization(action, foundationModelArn(model)));
    }

    /** A synchronous invocation of the unpublished code ({@code $LATEST}) of the function with this ARN. */
    static Authorization lambdaInvoke(String functionArn) {
        return new Authorization("lambda:InvokeFunction", functionArn);
    }

    private static String foundationModelArn(String modelId) {
        return "arn:aws:bedrock:" + LocalResources.REGION + "::foundation-model/" + modelId;
    }
}
