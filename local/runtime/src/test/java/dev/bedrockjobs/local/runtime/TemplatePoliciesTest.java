package dev.bedrockjobs.local.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.local.emulators.RepoRoot;
import dev.bedrockjobs.local.emulators.template.SamTemplate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The roles of template.yaml, against what each function's code can reach: every AWS operation listed here (read
 * from the adapters each function wires, and matching what the end-to-end runs check) is allowed by the same policy
 * evaluation the local stack enforces, and nothing is granted that this list does not use.
 */
class TemplatePoliciesTest {
    private static final Path ROOT = RepoRoot.require();
    private static final String TABLE = LocalResources.tableArn("JobsTable");
    private static final String BY_TENANT = TABLE + "/index/byTenant";
    private static final String BY_BATCH = TABLE + "/index/byBatch";
    private static final String ACTIVE = TABLE + "/index/active";
    private static final String JOBS_QUEUE = queueArn("JobsQueue");
    private static final String JOBS_DLQ = queueArn("JobsDeadLetterQueue");
    private static final String BULK_QUEUE = queueArn("BulkJobsQueue");
    private static final String BULK_DLQ = queueArn("BulkJobsDeadLetterQueue");
    private static final String WEBHOOKS_QUEUE = queueArn("WebhooksQueue");
    private static final String STATE_MACHINE = "arn:aws:states:us-east-1:000000000000:stateMachine:JobStateMachine";
    private static final String STREAM_FUNCTION = LocalResources.functionArn("StreamFunction");

    private static String queueArn(String name) {
        return "arn:aws:sqs:" + LocalResources.REGION + ":" + LocalResources.ACCOUNT_ID + ":" + name;
    }

    /**
     * What each function's code calls, by adapter:
     * DynamoJobStore (GetItem, PutItem, BatchWriteItem, UpdateItem; Query byBatch, active, byTenant),
     * DynamoBatchStore (PutItem, UpdateItem, GetItem; Query on the table for a batch's partition, on active),
     * DynamoApiKeys, DynamoTenants, DynamoTenantLimitOverrides (GetItem),
     * DynamoLimitCounters (UpdateItem, GetItem; Query active to recount), DynamoUsageMeter (GetItem, UpdateItem), DynamoResponseCache (GetItem; PutItem by the worker),
     * DynamoWebhookDeliveries (PutItem; UpdateItem for attempt numbers and replay counts; Query on the table),
     * DynamoLaneStats (UpdateItem by submit and worker; GetItem and Query on the table by status),
     * SqsLaneDepth (GetQueueAttributes), SqsJobQueue (SendMessage, SendMessageBatch),
     * SqsWebhookQueue (SendMessage), SqsVisibility (ChangeMessageVisibility), SqsDeadLetters (ReceiveMessage),
     * StepFunctionsModelCallPolicy (StartSyncExecution), DynamoJobOutput (PutItem) and BedrockModelStream
     * (InvokeModelWithResponseStream) in the streaming function, and the state machine's model call and its
     * invocation of the streaming function.
     */
    private static Map<String, List<IamRequests.Authorization>> reachable(
            String modelFast, String modelStandard, String modelReasoning, String prefix) {
        Map<String, List<IamRequests.Authorization>> ops = new LinkedHashMap<>();
        ops.put("AuthorizerFunction", List.of(a("dynamodb:GetItem", TABLE)));
        ops.put(
                "SubmitFunction",
                List.of(
                        a("dynamodb:PutItem", TABLE),
                        a("dynamodb:GetItem", TABLE),
                        a("dynamodb:BatchWriteItem", TABLE),
                        a("dynamodb:UpdateItem", TABLE),
                        a("dynamodb:Query", TABLE), // the batch an idempotent retry names
                        a("dynamodb:Query", BY_BATCH), // the jobs of that batch
                        a("dynamodb:Query", ACTIVE), // recounting a tenant's unfinished jobs at its cap
                        a("sqs:SendMessage", JOBS_QUEUE),
                        a("sqs:SendMessageBatch", JOBS_QUEUE),
                        a("sqs:SendMessage", BULK_QUEUE),
                        a("sqs:SendMessageBatch", BULK_QUEUE), // batch items, bulk jobs
                        a("sqs:SendMessage", WEBHOOKS_QUEUE))); // a cached answer's event
        ops.put(
                "StatusFunction",
                List.of(
                        a("dynamodb:GetItem", TABLE),
                        a("dynamodb:UpdateItem", TABLE),
                        a("dynamodb:Query", TABLE), // a batch, and a job's webhook deliveries
                        a("dynamodb:Query", BY_TENANT),
                        a("dynamodb:Query", BY_BATCH),
                        a("dynamodb:Query", ACTIVE),
                        a("sqs:GetQueueAttributes", JOBS_QUEUE),
                        a("sqs:GetQueueAttributes", BULK_QUEUE), // queue position
                        a("sqs:SendMessage", WEBHOOKS_QUEUE)));
        ops.put(
                "WorkerFunction",
                List.of(
                        a("dynamodb:GetItem", TABLE),
                        a("dynamodb:UpdateItem", TABLE),
                        a("dynamodb:PutItem", TABLE),
                        a("dynamodb:Query", TABLE), // the batch its job completes
                        a("sqs:ChangeMessageVisibility", JOBS_QUEUE),
                        a("sqs:ChangeMessageVisibility", BULK_QUEUE),
                        a("sqs:SendMessage", WEBHOOKS_QUEUE),
                        a("states:StartSyncExecution", STATE_MACHINE)));
        ops.put(
                "ReconcilerFunction",
                List.of(
                        a("dynamodb:GetItem", TABLE),
                        a("dynamodb:UpdateItem", TABLE),
                        a("dynamodb:Query", TABLE),
                        a("dynamodb:Query", ACTIVE),
                        a("dynamodb:Query", BY_BATCH),
                        a("sqs:SendMessage", JOBS_QUEUE),
                        a("sqs:SendMessageBatch", JOBS_QUEUE),
                        a("sqs:SendMessage", BULK_QUEUE),
                        a("sqs:SendMessageBatch", BULK_QUEUE),
                        a("sqs:ReceiveMessage", JOBS_DLQ),
                        a("sqs:ReceiveMessage", BULK_DLQ),
                        a("sqs:SendMessage", WEBHOOKS_QUEUE)));
        ops.put(
                "WebhookFunction",
                List.of(
                        a("dynamodb:GetItem", TABLE),
                        a("dynamodb:PutItem", TABLE),
                        a("dynamodb:UpdateItem", TABLE), // the next attempt number of an event
                        a("sqs:ChangeMessageVisibility", WEBHOOKS_QUEUE)));
        List<IamRequests.Authorization> models = new ArrayList<>();
        List<IamRequests.Authorization> streamed = new ArrayList<>(List.of(
                a("dynamodb:GetItem", TABLE), // the job's claim and cancel flag
                a("dynamodb:PutItem", TABLE))); // the answer's pieces
        for (String model : List.of(modelFast, modelStandard, modelReasoning)) {
            String id = prefix.equals("none") ? model : prefix + "." + model;
            models.addAll(IamRequests.bedrock("/model/" + id + "/invoke"));
            streamed.addAll(IamRequests.bedrock("/model/" + id + "/invoke-with-response-stream"));
        }
        ops.put("StreamFunction", streamed);
        models.add(a("lambda:InvokeFunction", STREAM_FUNCTION)); // a streamed job's task
        ops.put("JobStateMachine", models);
        return ops;
    }

    /** An API operation on a resource, as the local check authorizes it (SendMessageBatch as sqs:SendMessage...). */
    private static IamRequests.Authorization a(String operation, String resource) {
        if (operation.startsWith("sqs:")) {
            String url = "http://127.0.0.1/000000000000/" + resource.substring(resource.lastIndexOf(':') + 1);
            return IamRequests.sqs(operation.substring("sqs:".length()), Json.parse("{\"QueueUrl\": \"" + url + "\"}"))
                    .get(0);
        }
        return new IamRequests.Authorization(operation, resource);
    }

    /** The resources as the local stack creates and names them, without starting anything. */
    private static Map<String, TemplatePolicies.Principal> principals(Map<String, String> parameters) {
        return principals(ROOT.resolve("template.yaml"), parameters);
    }

    private static Map<String, TemplatePolicies.Principal> principals(Path template, Map<String, String> parameters) {
        LocalResources resources = new LocalResources(SamTemplate.load(template, parameters));
        resources.putRef("JobsTable", "JobsTable");
        resources.putAttribute("JobsTable", "Arn", TABLE);
        for (String queue : resources.template().resourcesOfType("AWS::SQS::Queue")) {
            resources.putRef(queue, "http://127.0.0.1/000000000000/" + queue);
            resources.putAttribute(queue, "Arn", queueArn(queue));
            resources.putAttribute(queue, "QueueName", queue);
        }
        resources.putRef("JobStateMachine", STATE_MACHINE);
        resources.putAttribute("JobStateMachine", "Arn", STATE_MACHINE);
        TemplateFunctions.register(resources);
        Map<String, TemplatePolicies.Principal> byName = new LinkedHashMap<>();
        TemplatePolicies.read(resources).values().forEach(p -> byName.put(p.name(), p));
        return byName;
    }

    private static Map<String, String> defaults() {
        Map<String, String> p = new LinkedHashMap<>();
        SamTemplate.load(ROOT.resolve("template.yaml")).parameters().forEach(p::put);
        return p;
    }

    private static void everyReachableOperationIsAllowedAndEveryGrantIsUsed(Map<String, String> parameters) {
        Map<String, String> p = new LinkedHashMap<>(defaults());
        p.putAll(parameters);
        Map<String, TemplatePolicies.Principal> principals = principals(parameters);
        Map<String, List<IamRequests.Authorization>> reachable = reachable(
                p.get("ModelFast"), p.get("ModelStandard"), p.get("ModelReasoning"), p.get("InferenceProfilePrefix"));
        assertEquals(reachable.keySet(), principals.keySet(), "a list of operations for every role");

        List<String> refused = new ArrayList<>();
        List<String> unused = new ArrayList<>();
        reachable.forEach((name, operations) -> {
            IamPolicy policy = principals.get(name).policy();
            operations.stream()
                    .filter(o -> !policy.allows(o.action(), o.resource()))
                    .forEach(o -> refused.add(name + ": " + o));
            for (IamPolicy.Statement s : policy.statements()) {
                if (s.equals(TemplatePolicies.SQS_QUEUE_EXECUTION_ROLE)) {
                    continue; // SAM's, for the event source mapping: not the template's to narrow
                }
                for (String action : s.actions()) {
                    if (!checkedLocally(action)) {
                        continue;
                    }
                    for (String resource : s.resources()) {
                        IamPolicy single = new IamPolicy(List.of(
                                new IamPolicy.Statement(IamPolicy.Effect.ALLOW, List.of(action), List.of(resource))));
                        if (operations.stream().noneMatch(o -> single.allows(o.action(), o.resource()))) {
                            unused.add(name + ": " + action + " on " + resource);
                        }
                    }
                }
            }
        });
        assertEquals(List.of(), refused, "operations the code makes that the template does not allow");
        assertEquals(List.of(), unused, "grants no operation uses (least privilege)");
    }

    /** KMS, CloudWatch Logs and X-Ray are not called locally; their statements are checked apart. */
    private static boolean checkedLocally(String action) {
        return IamRequests.SERVICES.containsValue(action.substring(0, action.indexOf(':')));
    }

    @Test
    void eachRoleAllowsWhatItsCodeCallsAndNothingElse() {
        everyReachableOperationIsAllowedAndEveryGrantIsUsed(Map.of());
    }

    @Test
    void withoutInferenceProfilesTheStateMachineMayCallTheFoundationModelsOnly() {
        everyReachableOperationIsAllowedAndEveryGrantIsUsed(Map.of("InferenceProfilePrefix", "none"));
        IamPolicy machine = principals(Map.of("InferenceProfilePrefix", "none"))
                .get("JobStateMachine")
                .policy();
        assertTrue(
                !machine.allows(
                        "bedrock:InvokeModel",
                        "arn:aws:bedrock:us-east-1:000000000000:inference-profile/" + "us."
                                + defaults().get("ModelFast")),
                "no profile is granted when none is used");
    }

    @Test
    void otherModelsAndProfilesAreGrantedExactlyAsConfigured() {
        everyReachableOperationIsAllowedAndEveryGrantIsUsed(
                Map.of("ModelFast", "amazon.nova-lite-v1:0", "InferenceProfilePrefix", "eu"));
    }

    @Test
    void withACustomerKeyEveryFunctionUsingTheTableMayUseTheKeyAndOnlyThatKey() {
        String key = "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        Map<String, TemplatePolicies.Principal> principals = principals(Map.of("KmsKeyArn", key));
        for (TemplatePolicies.Principal p : principals.values()) {
            boolean usesTable =
                    p.policy().statements().stream().anyMatch(s -> s.resources().contains(TABLE));
            for (String action : List.of("kms:Decrypt", "kms:GenerateDataKey")) {
                assertEquals(usesTable, p.policy().allows(action, key), p.name() + " " + action);
                assertTrue(!p.policy().allows(action, key.replace("1234abcd", "9999abcd")), p.name());
            }
        }
        assertTrue(
                principals(Map.of()).values().stream()
                        .noneMatch(p -> p.policy().statements().stream()
                                .anyMatch(s -> s.actions().stream().anyMatch(x -> x.startsWith("kms:")))),
                "no key, no KMS grant");
    }

    @Test
    void policyFormsTheLocalCheckCannotEvaluateAreRefusedAtStart() throws Exception {
        String template = Files.readString(ROOT.resolve("template.yaml"));
        Map<String, String> forms = Map.of(
                "        - SQSPollerPolicy:\n            QueueName: jobs\n",
                "the SAM policy template [SQSPollerPolicy]",
                "        - AmazonDynamoDBReadOnlyAccess\n",
                "the managed policy AmazonDynamoDBReadOnlyAccess");
        for (Map.Entry<String, String> form : forms.entrySet()) {
            Path file = Files.createTempFile("template", ".yaml");
            try {
                Files.writeString(file, template.replaceFirst("(?m)^(      Policies:\n)", "$1" + form.getKey()));
                IllegalArgumentException e =
                        assertThrows(IllegalArgumentException.class, () -> principals(file, Map.of()));
                assertTrue(e.getMessage().contains(form.getValue()), e.getMessage());
            } finally {
                Files.delete(file);
            }
        }
    }

    @Test
    void functionsWithAQueueEventGetWhatSamAddsForItsPoller() {
        Set<String> withPoller = new TreeSet<>();
        principals(Map.of()).values().forEach(p -> {
            if (p.policy().statements().contains(TemplatePolicies.SQS_QUEUE_EXECUTION_ROLE)) {
                withPoller.add(p.name());
            }
        });
        assertEquals(Set.of("WebhookFunction", "WorkerFunction"), withPoller);
    }
}
