package dev.bedrockjobs.local.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Policy evaluation as IAM does it, on the shapes the template writes. */
class IamPolicyTest {
    private static final String TABLE = "arn:aws:dynamodb:us-east-1:000000000000:table/JobsTable";

    private static IamPolicy policy(Map<?, ?>... statements) {
        return new IamPolicy(java.util.Arrays.stream(statements)
                .map(s -> IamPolicy.statement(s, "test"))
                .toList());
    }

    private static Map<String, Object> allow(Object action, Object resource) {
        return Map.of("Effect", "Allow", "Action", action, "Resource", resource);
    }

    @Test
    void aTableGrantDoesNotReachItsIndexesNorAnIndexGrantTheTable() {
        IamPolicy p =
                policy(allow(List.of("dynamodb:Query"), TABLE + "/index/active"), allow("dynamodb:GetItem", TABLE));
        assertTrue(p.allows("dynamodb:Query", TABLE + "/index/active"));
        assertFalse(p.allows("dynamodb:Query", TABLE), "the table itself is another resource");
        assertFalse(p.allows("dynamodb:Query", TABLE + "/index/byTenant"));
        assertFalse(p.allows("dynamodb:GetItem", TABLE + "/index/active"));
        assertFalse(p.allows("dynamodb:PutItem", TABLE), "nothing is allowed that no statement names");
    }

    @Test
    void actionsMatchWithoutCaseAndWithWildcards() {
        IamPolicy p = policy(allow(List.of("DynamoDB:get*", "sqs:SendMessag?"), "*"));
        assertTrue(p.allows("dynamodb:GetItem", TABLE));
        assertTrue(p.allows("sqs:SendMessage", "arn:aws:sqs:us-east-1:000000000000:JobsQueue"));
        assertFalse(p.allows("dynamodb:PutItem", TABLE));
        assertFalse(
                p.allows("sqs:SendMessageBatch", "arn:aws:sqs:us-east-1:000000000000:JobsQueue"), "? is one character");
    }

    @Test
    void aResourceWildcardStaysInItsSegmentUnlessItEndsIt() {
        IamPolicy models = policy(allow("bedrock:InvokeModel", "arn:aws:bedrock:*::foundation-model/anthropic.*"));
        assertTrue(
                models.allows(
                        "bedrock:InvokeModel",
                        "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0"),
                "a trailing * runs past the model id's colon");
        assertFalse(models.allows("bedrock:InvokeModel", "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova"));
        IamPolicy inSegment = policy(allow("dynamodb:Query", "arn:aws:dynamodb:us-*-1:000000000000:table/JobsTable"));
        assertTrue(inSegment.allows("dynamodb:Query", TABLE));
        assertFalse(inSegment.allows("dynamodb:Query", "arn:aws:dynamodb:us-east-1:x:000000000000:table/JobsTable"));
        IamPolicy allIndexes = policy(allow("dynamodb:Query", TABLE + "/index/*"));
        assertTrue(allIndexes.allows("dynamodb:Query", TABLE + "/index/byBatch"));
        assertFalse(allIndexes.allows("dynamodb:Query", TABLE));
        assertFalse(
                policy(allow("dynamodb:Query", TABLE))
                        .allows("dynamodb:Query", "arn:aws:dynamodb:us-east-1:000000000000:table/jobstable"),
                "resources are case-sensitive");
    }

    @Test
    void anExplicitDenyWinsOverAnyAllow() {
        IamPolicy p =
                policy(allow("sqs:*", "*"), Map.of("Effect", "Deny", "Action", "sqs:DeleteMessage", "Resource", "*"));
        assertEquals(IamPolicy.Decision.ALLOWED, p.decide("sqs:ReceiveMessage", "arn:aws:sqs:us-east-1:1:q"));
        assertEquals(IamPolicy.Decision.EXPLICITLY_DENIED, p.decide("sqs:DeleteMessage", "arn:aws:sqs:us-east-1:1:q"));
        assertEquals(IamPolicy.Decision.IMPLICITLY_DENIED, policy().decide("sqs:ReceiveMessage", "*"));
    }

    @Test
    void whatIsNotEvaluatedLocallyIsRefusedNotIgnored() {
        assertThrows(
                IllegalArgumentException.class,
                () -> IamPolicy.statement(
                        Map.of("Effect", "Allow", "Action", "dynamodb:Query", "Resource", TABLE, "Condition", Map.of()),
                        "f"));
        assertThrows(
                IllegalArgumentException.class,
                () -> IamPolicy.statement(
                        Map.of("Effect", "Allow", "NotAction", "dynamodb:Query", "Resource", TABLE), "f"));
        assertThrows(
                IllegalArgumentException.class,
                () -> IamPolicy.statement(Map.of("Effect", "Allow", "Action", List.of(), "Resource", TABLE), "f"));
    }
}
