package dev.bedrockjobs.local.emulators.template;

import dev.bedrockjobs.local.emulators.RepoRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The copies cfn-lint reads: template.yaml resolved as AWS::LanguageExtensions would, per parameter values. */
class LanguageExtensionsTest {
    private static final Path TEMPLATE = RepoRoot.require().resolve("template.yaml");
    private static final Map<String, String> JWT = Map.of("AuthMode", "jwt",
            "JwtIssuer", "https://issuer.example.com", "JwtAudience", "client-1,client-2");
    private static final Map<String, String> CORS = Map.of(
            "CorsAllowedOrigins", "https://app.example.com", "CorsAllowCredentials", "true");
    private static final String KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

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
        for (Map<String, String> values : List.of(Map.<String, String>of(), JWT, CORS, Map.of("KmsKeyArn", KEY),
                Map.of("InferenceProfilePrefix", "none"))) {
            assertEquals(List.of(), leftovers(LanguageExtensions.resolve(TEMPLATE, values), "template"), "" + values);
        }
        assertTrue(!leftovers(SamTemplate.load(TEMPLATE).document(), "template").isEmpty(),
                "the template itself has Fn::If to resolve, or this test proves nothing");
    }

    @Test
    void theJwtAuthorizerIsThereOnlyInJwtMode() {
        Map<?, ?> apiKeys = at(LanguageExtensions.resolve(TEMPLATE, Map.of()), "Resources", "HttpApi", "Properties",
                "Auth");
        assertEquals("ApiKeyAuthorizer", apiKeys.get("DefaultAuthorizer"));
        assertEquals(Set.of("ApiKeyAuthorizer"), ((Map<?, ?>) apiKeys.get("Authorizers")).keySet());

        Map<?, ?> jwt = at(LanguageExtensions.resolve(TEMPLATE, JWT), "Resources", "HttpApi", "Properties", "Auth");
        assertEquals("JwtAuthorizer", jwt.get("DefaultAuthorizer"));
        assertEquals(Set.of("JwtAuthorizer"), ((Map<?, ?>) jwt.get("Authorizers")).keySet());
        assertEquals(Map.of("Ref", "JwtIssuer"),
                at(jwt, "Authorizers", "JwtAuthorizer", "JwtConfiguration").get("issuer"),
                "parameters stay references: the copy is still a template");
    }

    @Test
    void aPropertyOrListEntryWhoseBranchIsNoValueVanishes() {
        Map<?, ?> defaults = at(LanguageExtensions.resolve(TEMPLATE, Map.of()), "Resources", "HttpApi", "Properties");
        assertFalse(defaults.containsKey("CorsConfiguration"), "no CORS configuration at all by default");
        Map<?, ?> cors = at(LanguageExtensions.resolve(TEMPLATE, CORS), "Resources", "HttpApi", "Properties",
                "CorsConfiguration");
        assertEquals(true, cors.get("AllowCredentials"));

        List<?> withoutKey = (List<?>) at(LanguageExtensions.resolve(TEMPLATE, Map.of()), "Resources",
                "AuthorizerFunction", "Properties").get("Policies");
        List<?> withKey = (List<?>) at(LanguageExtensions.resolve(TEMPLATE, Map.of("KmsKeyArn", KEY)), "Resources",
                "AuthorizerFunction", "Properties").get("Policies");
        assertFalse(String.valueOf(withoutKey).contains("kms:"), String.valueOf(withoutKey));
        assertEquals(withoutKey.size() + 1, withKey.size(), "the key's statement is one more entry, not a hole");
    }

    @Test
    void onlyTheServerlessTransformStays() {
        assertEquals(List.of("AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"),
                SamTemplate.load(TEMPLATE).document().get("Transform"));
        assertEquals(List.of("AWS::Serverless-2016-10-31"),
                LanguageExtensions.resolve(TEMPLATE, Map.of()).get("Transform"));
    }

    @Test
    void chosenValuesBecomeDefaultsAndConditionsNoLongerNamedGo() {
        Map<?, ?> copy = LanguageExtensions.resolve(TEMPLATE,
                Map.of("AuthMode", "jwt", "JwtIssuer", "https://issuer.example.com", "JwtAudience", "a,b",
                        "MonthlyBudgetUsd", "500", "BudgetAlertEmail", "ops@example.com"));
        assertEquals("jwt", at(copy, "Parameters", "AuthMode").get("Default"));
        assertEquals(500L, at(copy, "Parameters", "MonthlyBudgetUsd").get("Default"), "a Number stays a number");
        Set<?> conditions = ((Map<?, ?>) copy.get("Conditions")).keySet();
        assertTrue(conditions.contains("CreateBudget"), "a resource still names it: " + conditions);
        assertFalse(conditions.contains("UseJwtAuth"), "only Fn::If named it: " + conditions);
        assertEquals(SamTemplate.load(TEMPLATE).section("Rules").keySet(), ((Map<?, ?>) copy.get("Rules")).keySet());
    }

    @Test
    void aConditionOnlyAnotherKeptConditionUsesIsKept(@TempDir Path dir) throws Exception {
        Path small = dir.resolve("small.yaml");
        Files.writeString(small, """
                Transform: AWS::LanguageExtensions
                Parameters:
                  Mode: {Type: String, Default: a}
                Conditions:
                  IsA: !Equals [!Ref Mode, a]
                  IsAToo: !Condition IsA
                  OnlyForIf: !Equals [!Ref Mode, b]
                Resources:
                  Topic:
                    Type: AWS::SNS::Topic
                    Condition: IsAToo
                    Properties:
                      TopicName: !If [OnlyForIf, b, !Ref AWS::NoValue]
                      Tags:
                        - !If [IsA, {Key: mode, Value: a}, !Ref AWS::NoValue]
                        - !If [OnlyForIf, {Key: mode, Value: b}, !Ref AWS::NoValue]
                """);
        Map<?, ?> copy = LanguageExtensions.resolve(small, Map.of());
        assertEquals(Set.of("IsA", "IsAToo"), ((Map<?, ?>) copy.get("Conditions")).keySet());
        assertFalse(copy.containsKey("Transform"), "nothing left to transform");
        assertEquals(Map.of("Tags", List.of(Map.of("Key", "mode", "Value", "a"))),
                at(copy, "Resources", "Topic", "Properties"));
    }

    @Test
    void valuesTheRulesRefuseOrUnknownParametersAreRefused() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> LanguageExtensions.resolve(TEMPLATE, Map.of("AuthMode", "jwt")));
        assertTrue(refused.getMessage().contains("JwtModeNeedsIssuerAndAudience"), refused.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> LanguageExtensions.resolve(TEMPLATE, Map.of("AuthMod", "jwt")));
        assertTrue(unknown.getMessage().contains("AuthMod"), unknown.getMessage());
    }

    @Test
    void theWrittenCopyReadsBackAsTheResolvedDocument() {
        Map<String, Object> copy = LanguageExtensions.resolve(TEMPLATE, JWT);
        String yaml = LanguageExtensions.toYaml(copy);
        assertFalse(yaml.contains("&id") || yaml.contains("*id"), "no YAML anchors or aliases");
        assertEquals(copy, new Yaml().load(yaml));
    }
}
