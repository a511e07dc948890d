package dev.bedrockjobs.local.emulators.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bedrockjobs.local.emulators.RepoRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/** The copies cfn-lint reads: template.yaml resolved as AWS::LanguageExtensions would, per parameter values. */
class LanguageExtensionsTest {
    private static final Path TEMPLATE = RepoRoot.require().resolve("template.yaml");
    private static final Map<String, String> JWT =
            Map.of("AuthMode", "jwt", "JwtIssuer", "https://issuer.example.com", "JwtAudience", "client-1,client-2");
    private static final Map<String, String> CORS =
            Map.of("CorsAllowedOrigins", "https://app.example.com", "CorsAllowCredentials", "true");
    private static final String KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    private static Map<String, Object> copyFor(Map<String, String> values) {
        return LanguageExtensions.resolve(TEMPLATE, values).document();
    }

    private static Map<?, ?> at(Map<?, ?> document, String... path) {
        Object v = document;
        for (String p : path) {
            v = ((Map<?, ?>) v).get(p);
        }
        return (Map<?, ?>) v;
    }

    /** Every place in the document that still holds an {@code Fn::If} or a {@code Ref} to {@code AWS::NoValue}. */
    private static List<String> leftovers(Object v, String where) {
        List<String> found = new ArrayList<>();
        if (v instanceof Map<?, ?> map) {
            if (map.containsKey("Fn::If") || "AWS::NoValue".equals(map.get("Ref"))) {
                found.add(where);
            }
            map.forEach((k, x) -> found.addAll(leftovers(x, where + "." + k)));
        } else if (v instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                found.addAll(leftovers(list.get(i), where + "[" + i + "]"));
            }
        }
        return found;
    }

    @Test
    void noFnIfAndNoNoValueIsLeftInAnyCombination() {
        for (Map<String, String> values : List.of(
                Map.<String, String>of(),
                JWT,
                CORS,
                Map.of("KmsKeyArn", KEY),
                Map.of("InferenceProfilePrefix", "none"))) {
            assertEquals(List.of(), leftovers(copyFor(values), "template"), "" + values);
        }
        assertFalse(
                leftovers(SamTemplate.load(TEMPLATE).document(), "template").isEmpty(),
                "the template itself has Fn::If to resolve, or this test proves nothing");
    }

    @Test
    void theJwtAuthorizerIsThereOnlyInJwtMode() {
        Map<?, ?> apiKeys = at(copyFor(Map.of()), "Resources", "HttpApi", "Properties", "Auth");
        assertEquals("ApiKeyAuthorizer", apiKeys.get("DefaultAuthorizer"));
        assertEquals(Set.of("ApiKeyAuthorizer"), ((Map<?, ?>) apiKeys.get("Authorizers")).keySet());

        Map<?, ?> jwt = at(copyFor(JWT), "Resources", "HttpApi", "Properties", "Auth");
        assertEquals("JwtAuthorizer", jwt.get("DefaultAuthorizer"));
        assertEquals(Set.of("JwtAuthorizer"), ((Map<?, ?>) jwt.get("Authorizers")).keySet());
        assertEquals(
                Map.of("Ref", "JwtIssuer"),
                at(jwt, "Authorizers", "JwtAuthorizer", "JwtConfiguration").get("issuer"),
                "parameters stay references: the copy is still a template");
    }

    @Test
    void aPropertyOrListEntryWhoseBranchIsNoValueVanishes() {
        Map<?, ?> defaults = at(copyFor(Map.of()), "Resources", "HttpApi", "Properties");
        assertFalse(defaults.containsKey("CorsConfiguration"), "no CORS configuration at all by default");
        Map<?, ?> cors = at(copyFor(CORS), "Resources", "HttpApi", "Properties", "CorsConfiguration");
        assertEquals(true, cors.get("AllowCredentials"));

        List<?> withoutKey = (List<?>) at(copyFor(Map.of()), "Resources", "AuthorizerFunction", "Properties")
                .get("Policies");
        List<?> withKey =
                (List<?>) at(copyFor(Map.of("KmsKeyArn", KEY)), "Resources", "AuthorizerFunction", "Properties")
                        .get("Policies");
        assertFalse(String.valueOf(withoutKey).contains("kms:"), String.valueOf(withoutKey));
        assertEquals(withoutKey.size() + 1, withKey.size(), "the key's statement is one more entry, not a hole");
    }

    @Test
    void onlyTheServerlessTransformStays() {
        assertEquals(
                List.of("AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"),
                SamTemplate.load(TEMPLATE).document().get("Transform"));
        assertEquals(List.of("AWS::Serverless-2016-10-31"), copyFor(Map.of()).get("Transform"));
    }

    @Test
    void chosenValuesBecomeDefaultsAndOnlyWhatTheyCreateIsLeft() {
        Map<?, ?> defaults = copyFor(Map.of());
        assertFalse(((Map<?, ?>) defaults.get("Resources")).containsKey("MonthlyCostBudget"), "no budget by default");
        assertFalse(defaults.containsKey("Conditions"), "no condition is named any more");

        Map<?, ?> copy = LanguageExtensions.resolve(
                        TEMPLATE,
                        Map.of(
                                "AuthMode",
                                "jwt",
                                "JwtIssuer",
                                "https://issuer.example.com",
                                "JwtAudience",
                                "a,b",
                                "MonthlyBudgetUsd",
                                "500",
                                "BudgetAlertEmail",
                                "ops@example.com"))
                .document();
        assertEquals("jwt", at(copy, "Parameters", "AuthMode").get("Default"));
        assertEquals(500L, at(copy, "Parameters", "MonthlyBudgetUsd").get("Default"), "a Number stays a number");
        Map<?, ?> budget = at(copy, "Resources", "MonthlyCostBudget");
        assertEquals("AWS::Budgets::Budget", budget.get("Type"));
        assertFalse(budget.containsKey("Condition"), "created for these values, unconditionally");
        assertEquals(SamTemplate.load(TEMPLATE).section("Rules").keySet(), ((Map<?, ?>) copy.get("Rules")).keySet());
    }

    @Test
    void aCopyIsForTheRegionsTheRulesAllowItsValues() {
        List<String> us = LanguageExtensions.resolve(TEMPLATE, Map.of()).regions();
        assertTrue(us.contains("us-east-1") && us.stream().allMatch(r -> r.startsWith("us-")), "" + us);
        List<String> eu = LanguageExtensions.resolve(TEMPLATE, Map.of("InferenceProfilePrefix", "eu"))
                .regions();
        assertTrue(eu.contains("eu-west-1") && eu.stream().allMatch(r -> r.startsWith("eu-")), "" + eu);
        List<String> anyProfile = LanguageExtensions.resolve(TEMPLATE, Map.of("InferenceProfilePrefix", "none"))
                .regions();
        assertTrue(
                anyProfile.containsAll(us) && anyProfile.containsAll(eu) && anyProfile.contains("sa-east-1"),
                "no profile: every Region the stack deploys in: " + anyProfile);
        List<String> budgetEu = LanguageExtensions.resolve(
                        TEMPLATE,
                        Map.of(
                                "InferenceProfilePrefix",
                                "eu",
                                "MonthlyBudgetUsd",
                                "500",
                                "BudgetAlertEmail",
                                "ops@example.com"))
                .regions();
        assertTrue(
                eu.containsAll(budgetEu) && !budgetEu.contains("eu-north-1") && budgetEu.contains("eu-west-1"),
                "the Regions of both rules: " + budgetEu);
    }

    @Test
    void aResourceIsKeptWhereItsConditionHoldsAndItsBranchesAreChosen(@TempDir Path dir) throws Exception {
        Path small = dir.resolve("small.yaml");
        Files.writeString(small, """
                Transform: AWS::LanguageExtensions
                Parameters:
                  Mode: {Type: String, Default: a}
                Conditions:
                  IsA: !Equals [!Ref Mode, a]
                  IsAToo: !Condition IsA
                  IsB: !Equals [!Ref Mode, b]
                Resources:
                  Topic:
                    Type: AWS::SNS::Topic
                    Condition: IsAToo
                    Properties:
                      TopicName: !If [IsB, b, !Ref AWS::NoValue]
                      Tags:
                        - !If [IsA, {Key: mode, Value: a}, !Ref AWS::NoValue]
                        - !If [IsB, {Key: mode, Value: b}, !Ref AWS::NoValue]
                """);
        LanguageExtensions.Copy resolved = LanguageExtensions.resolve(small, Map.of());
        assertEquals(List.of("us-east-1"), resolved.regions(), "no rule names Regions: the default Region alone");
        Map<?, ?> copy = resolved.document();
        assertFalse(copy.containsKey("Transform"), "nothing left to transform");
        assertFalse(copy.containsKey("Conditions"));
        assertEquals(
                Map.of(
                        "Type",
                        "AWS::SNS::Topic",
                        "Properties",
                        Map.of("Tags", List.of(Map.of("Key", "mode", "Value", "a")))),
                at(copy, "Resources", "Topic"),
                "a condition true through another one keeps the resource");
        assertEquals(
                Map.of(),
                at(LanguageExtensions.resolve(small, Map.of("Mode", "b")).document(), "Resources"),
                "its condition false, the resource is not there");
    }

    @Test
    void valuesTheRulesRefuseOrUnknownParametersAreRefused() {
        IllegalArgumentException refused = assertThrows(
                IllegalArgumentException.class, () -> LanguageExtensions.resolve(TEMPLATE, Map.of("AuthMode", "jwt")));
        assertTrue(refused.getMessage().contains("JwtModeNeedsIssuerAndAudience"), refused.getMessage());
        IllegalArgumentException unknown = assertThrows(
                IllegalArgumentException.class, () -> LanguageExtensions.resolve(TEMPLATE, Map.of("AuthMod", "jwt")));
        assertTrue(unknown.getMessage().contains("AuthMod"), unknown.getMessage());
    }

    @Test
    void theWrittenCopyReadsBackAsTheResolvedDocument() {
        Map<String, Object> copy = copyFor(JWT);
        String yaml = LanguageExtensions.toYaml(copy);
        assertFalse(yaml.contains("&id") || yaml.contains("*id"), "no YAML anchors or aliases");
        assertEquals(copy, new Yaml().load(yaml));
    }
}
