package dev.bedrockjobs.local.emulators.sfn;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.bedrockjobs.local.emulators.Json;
import dev.bedrockjobs.local.emulators.sfn.engine.ExecutionResult;
import dev.bedrockjobs.local.emulators.sfn.engine.ExecutionStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The AWS JSON 1.0 protocol of Step Functions: {@code POST /}, operation in {@code X-Amz-Target:
 * AWSStepFunctions.<Operation>}, JSON bodies, timestamps as epoch seconds, errors as {@code {"__type", "message"}}
 * with status 400.
 */
final class SfnApiHandler implements HttpHandler {

    private static final String TARGET_PREFIX = "AWSStepFunctions.";
    private static final String CONTENT_TYPE = "application/x-amz-json-1.0";
    private static final System.Logger LOG = System.getLogger(SfnApiHandler.class.getName());

    private final StepFunctionsService service;

    SfnApiHandler(StepFunctionsService service) {
        this.service = service;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] request = exchange.getRequestBody().readAllBytes();
            try {
                send(exchange, 200, dispatch(exchange, request));
            } catch (SfnApiException e) {
                send(exchange, 400, Json.object().put("__type", e.code()).put("message", e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "Step Functions request failed", e);
                send(
                        exchange,
                        500,
                        Json.object().put("__type", "InternalFailure").put("message", e.toString()));
            }
        }
    }

    private JsonNode dispatch(HttpExchange exchange, byte[] requestBytes) throws InterruptedException {
        String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        if (!"POST".equals(exchange.getRequestMethod())
                || !"/".equals(exchange.getRequestURI().getPath())
                || target == null
                || !target.startsWith(TARGET_PREFIX)) {
            throw new SfnApiException(
                    "UnknownOperationException", "Expected POST / with X-Amz-Target: AWSStepFunctions.<Operation>");
        }
        JsonNode request = parse(requestBytes);
        String operation = target.substring(TARGET_PREFIX.length());
        switch (operation) {
            case "CreateStateMachine":
                return created(service.createStateMachine(
                        required(request, "name"),
                        required(request, "definition"),
                        optional(request, "roleArn"),
                        type(request)));
            case "DescribeStateMachine":
                return described(service.describeStateMachine(required(request, "stateMachineArn")));
            case "ListStateMachines":
                return listed(service.listStateMachines(), request);
            case "DeleteStateMachine":
                service.deleteStateMachine(required(request, "stateMachineArn"));
                return Json.object();
            case "StartExecution":
                return started(service.startExecution(
                        required(request, "stateMachineArn"), optional(request, "name"), optional(request, "input")));
            case "StartSyncExecution":
                return syncResult(service.startSyncExecution(
                        required(request, "stateMachineArn"), optional(request, "name"), optional(request, "input")));
            case "DescribeExecution":
                return describedExecution(service.describeExecution(required(request, "executionArn")));
            default:
                throw new SfnApiException(
                        "UnknownOperationException", "The local Step Functions server does not implement " + operation);
        }
    }

    private static JsonNode parse(byte[] bytes) {
        try {
            JsonNode node = Json.parse(new String(bytes, StandardCharsets.UTF_8));
            if (node == null || !node.isObject()) {
                throw new SfnApiException("SerializationException", "The request body must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new SfnApiException("SerializationException", "Malformed request body: " + e.getOriginalMessage());
        }
    }

    private static String required(JsonNode request, String field) {
        String value = optional(request, field);
        if (value == null) {
            throw new SfnApiException(
                    "ValidationException",
                    "1 validation error detected: Value null at '" + field
                            + "' failed to satisfy constraint: Member must not be null");
        }
        return value;
    }

    private static String optional(JsonNode request, String field) {
        JsonNode value = request.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static StateMachineType type(JsonNode request) {
        String type = optional(request, "type");
        try {
            return type == null ? StateMachineType.STANDARD : StateMachineType.valueOf(type);
        } catch (IllegalArgumentException e) {
            throw new SfnApiException("ValidationException", "Unknown state machine type " + type);
        }
    }

    private static ObjectNode created(StateMachine machine) {
        ObjectNode response = Json.object().put("stateMachineArn", machine.arn());
        response.set("creationDate", epochSeconds(machine.creationDate()));
        return response;
    }

    private static ObjectNode described(StateMachine machine) {
        ObjectNode response = Json.object()
                .put("stateMachineArn", machine.arn())
                .put("name", machine.name())
                .put("status", "ACTIVE")
                .put("definition", machine.definitionText())
                .put("roleArn", machine.roleArn())
                .put("type", machine.type().name());
        response.set("creationDate", epochSeconds(machine.creationDate()));
        return response;
    }

    private static ObjectNode listed(List<StateMachine> machines, JsonNode request) {
        int first = 0;
        String nextToken = optional(request, "nextToken");
        if (nextToken != null) {
            try {
                first = Integer.parseInt(nextToken);
            } catch (NumberFormatException e) {
                throw new SfnApiException("InvalidToken", "Invalid Token: '" + nextToken + "'");
            }
        }
        int pageSize =
                request.hasNonNull("maxResults") && request.get("maxResults").asInt() > 0
                        ? request.get("maxResults").asInt()
                        : 100;
        ObjectNode response = Json.object();
        ArrayNode items = response.putArray("stateMachines");
        int end = Math.min(machines.size(), first + pageSize);
        for (StateMachine machine : machines.subList(Math.min(first, end), end)) {
            ObjectNode item = items.addObject()
                    .put("stateMachineArn", machine.arn())
                    .put("name", machine.name())
                    .put("type", machine.type().name());
            item.set("creationDate", epochSeconds(machine.creationDate()));
        }
        if (end < machines.size()) {
            response.put("nextToken", Integer.toString(end));
        }
        return response;
    }

    private static ObjectNode started(ExecutionRecord record) {
        ObjectNode response = Json.object().put("executionArn", record.executionArn());
        response.set("startDate", epochSeconds(record.startDate()));
        return response;
    }

    private static ObjectNode describedExecution(ExecutionRecord record) {
        ObjectNode response = Json.object()
                .put("executionArn", record.executionArn())
                .put("stateMachineArn", record.stateMachine().arn())
                .put("name", record.name())
                .put("status", record.status().name())
                .put("input", record.input());
        response.putObject("inputDetails").put("included", true);
        response.set("startDate", epochSeconds(record.startDate()));
        addOutcome(response, record);
        return response;
    }

    private static ObjectNode syncResult(ExecutionRecord record) {
        ObjectNode response = describedExecution(record);
        ExecutionResult result = record.result();
        long billedMillis = Math.max(100, (result.duration().toMillis() + 99) / 100 * 100);
        response.putObject("billingDetails")
                .put("billedMemoryUsedInMB", 64)
                .put("billedDurationInMilliseconds", billedMillis);
        return response;
    }

    private static void addOutcome(ObjectNode response, ExecutionRecord record) {
        ExecutionResult result = record.result();
        if (result == null) {
            return;
        }
        response.set("stopDate", epochSeconds(result.stopDate()));
        if (result.status() == ExecutionStatus.SUCCEEDED) {
            response.put("output", Json.write(result.output()));
            response.putObject("outputDetails").put("included", true);
        } else {
            if (result.error() != null) {
                response.put("error", result.error());
            }
            if (result.cause() != null) {
                response.put("cause", result.cause());
            }
        }
    }

    private static DecimalNode epochSeconds(Instant instant) {
        return DecimalNode.valueOf(BigDecimal.valueOf(instant.toEpochMilli()).movePointLeft(3));
    }

    private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
        exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
