package dev.bedrockjobs.local.runtime;

import dev.bedrockjobs.local.emulators.sqs.ElasticMq;
import dev.bedrockjobs.local.emulators.template.SamTemplate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the template's intrinsics resolve to in this local deployment: the answer CloudFormation would give for
 * {@code !Ref X} and {@code !GetAtt X.Attr} once each resource exists. Resources register themselves as they are
 * created (queues, table, state machine, functions), so a value that names something not created locally fails
 * loudly instead of resolving to a guess.
 */
final class LocalResources {
    static final String REGION = ElasticMq.REGION;
    static final String ACCOUNT_ID = ElasticMq.ACCOUNT_ID;
    static final String STACK_NAME = "bedrock-jobs-local";

    private final SamTemplate template;
    private final Map<String, String> refs = new ConcurrentHashMap<>();
    private final Map<String, String> attributes = new ConcurrentHashMap<>();

    LocalResources(SamTemplate template) {
        this.template = template;
        refs.put("AWS::Region", REGION);
        refs.put("AWS::AccountId", ACCOUNT_ID);
        refs.put("AWS::Partition", "aws");
        refs.put("AWS::URLSuffix", "amazonaws.com");
        refs.put("AWS::StackName", STACK_NAME);
    }

    SamTemplate template() {
        return template;
    }

    void putRef(String logicalId, String value) {
        refs.put(logicalId, value);
    }

    void putAttribute(String logicalId, String attribute, String value) {
        attributes.put(logicalId + "." + attribute, value);
    }

    /** A function is named by its logical id; SAM's {@code X.Alias} (AutoPublishAlias) resolves to the same name. */
    void putFunction(String logicalId) {
        putRef(logicalId, logicalId);
        putRef(logicalId + ".Alias", logicalId);
        putAttribute(logicalId, "Arn", functionArn(logicalId));
    }

    static String functionArn(String name) {
        return "arn:aws:lambda:" + REGION + ":" + ACCOUNT_ID + ":function:" + name;
    }

    static String tableArn(String name) {
        return "arn:aws:dynamodb:" + REGION + ":" + ACCOUNT_ID + ":table/" + name;
    }

    /**
     * The role SAM creates for a function or state machine with {@code Policies}: logical id plus "Role" (deployed,
     * CloudFormation adds the stack name in front and a random suffix).
     */
    static String roleName(String logicalId) {
        return logicalId + "Role";
    }

    static String roleArn(String roleName) {
        return "arn:aws:iam::" + ACCOUNT_ID + ":role/" + roleName;
    }

    /** Who a call made with a role is refused as: {@code arn:aws:sts::<account>:assumed-role/<role>/<session>}. */
    static String assumedRoleArn(String roleName, String session) {
        return "arn:aws:sts::" + ACCOUNT_ID + ":assumed-role/" + roleName + "/" + session;
    }

    /** Evaluates intrinsics in a template value against the resources created so far. */
    Object resolve(Object value) {
        return template.resolve(value, refs::get, attributes::get);
    }

    String resolveString(Object value) {
        Object v = resolve(value);
        return v == null ? null : String.valueOf(v);
    }

    String ref(String logicalId) {
        String v = refs.get(logicalId);
        if (v == null) {
            throw new IllegalStateException("Ref " + logicalId + " is not created locally");
        }
        return v;
    }
}
