package dev.bedrockjobs.local.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The roles SAM would create for the template, read into {@link IamPolicy}s: one per function and one per state
 * machine, each from its {@code Policies} with the intrinsics resolved for this deployment's parameters and resources
 * (so {@code Fn::If} on {@code UseCustomerKey} or {@code UseInferenceProfile} gives what CloudFormation would).
 *
 * <p>The template writes every policy as inline statements. SAM policy templates ({@code DynamoDBCrudPolicy: ...}),
 * managed policy names and a function's own {@code Role} are refused here, loudly: evaluating them would need their
 * documents, and a guess would make the local check say something AWS does not. What SAM adds on its own is
 * included where it reaches the services checked locally: a function with an SQS event gets the managed policy
 * {@code AWSLambdaSQSQueueExecutionRole}, which allows receiving, deleting and reading attributes on every queue
 * (<a href="https://docs.aws.amazon.com/lambda/latest/dg/security-iam-awsmanpol.html">Lambda's managed policies</a>).
 * The other roles SAM attaches (CloudWatch Logs, X-Ray) grant nothing on DynamoDB, SQS, Step Functions or Bedrock.
 */
final class TemplatePolicies {
    static final String FUNCTION = "AWS::Serverless::Function";
    static final String STATE_MACHINE = "AWS::Serverless::StateMachine";

    /** The part of AWSLambdaSQSQueueExecutionRole that acts on SQS (its other statements are CloudWatch Logs). */
    static final IamPolicy.Statement SQS_QUEUE_EXECUTION_ROLE = new IamPolicy.Statement(
            IamPolicy.Effect.ALLOW,
            List.of("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"),
            List.of("*"));

    /**
     * Who signs a call and what their role allows.
     *
     * @param accessKeyId what the principal signs its calls with locally: a function's logical id (see
     *                    {@link TemplateFunctions}), or the name of a state machine's role (see
     *                    {@link LocalStepFunctions})
     * @param name        the function or state machine, for log lines
     * @param arn         the assumed-role session AWS names in its refusals
     */
    record Principal(String accessKeyId, String name, String arn, IamPolicy policy) {}

    private TemplatePolicies() {}

    /** Every function's and state machine's role, by the access key id its calls are signed with. */
    static Map<String, Principal> read(LocalResources resources) {
        Map<String, Principal> principals = new LinkedHashMap<>();
        for (String id : resources.template().resourcesOfType(FUNCTION)) {
            Map<String, Object> props = resources.template().functionProperties(id);
            List<IamPolicy.Statement> statements = statements(id, props, resources);
            if (hasSqsEvent(props)) {
                statements.add(SQS_QUEUE_EXECUTION_ROLE);
            }
            // Lambda names the role session after the function
            principals.put(
                    id,
                    new Principal(
                            id,
                            id,
                            LocalResources.assumedRoleArn(LocalResources.roleName(id), id),
                            new IamPolicy(statements)));
        }
        for (String id : resources.template().resourcesOfType(STATE_MACHINE)) {
            Map<String, Object> props = resources.template().properties(id);
            String role = LocalResources.roleName(id);
            principals.put(
                    role,
                    new Principal(
                            role,
                            id,
                            LocalResources.assumedRoleArn(role, id),
                            new IamPolicy(statements(id, props, resources))));
        }
        return principals;
    }

    private static List<IamPolicy.Statement> statements(
            String id, Map<String, Object> props, LocalResources resources) {
        if (props.containsKey("Role")) {
            throw new IllegalArgumentException(
                    id + " names its own Role, whose policies are not in the template; " + "run with --iam off");
        }
        List<IamPolicy.Statement> out = new ArrayList<>();
        Object policies = resources.resolve(props.get("Policies"));
        List<?> items = policies == null ? List.of() : policies instanceof List<?> l ? l : List.of(policies);
        for (Object item : items) {
            if (item instanceof Map<?, ?> document && document.containsKey("Statement")) {
                Object s = document.get("Statement");
                for (Object statement : s instanceof List<?> list ? list : List.of(s)) {
                    out.add(IamPolicy.statement((Map<?, ?>) statement, id));
                }
            } else if (item instanceof Map<?, ?> samTemplate) {
                throw new IllegalArgumentException(id + ": the SAM policy template " + samTemplate.keySet()
                        + " is not evaluated locally; write its statements inline, or run with --iam off");
            } else {
                throw new IllegalArgumentException(id + ": the managed policy " + item + " is not evaluated "
                        + "locally; write its statements inline, or run with --iam off");
            }
        }
        return out;
    }

    private static boolean hasSqsEvent(Map<String, Object> props) {
        return props.get("Events") instanceof Map<?, ?> events
                && events.values().stream().anyMatch(e -> e instanceof Map<?, ?> m && "SQS".equals(m.get("Type")));
    }
}
