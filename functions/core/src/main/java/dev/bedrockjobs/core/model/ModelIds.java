package dev.bedrockjobs.core.model;

import java.util.Set;
import java.util.regex.Pattern;

/** Takes apart Bedrock model identifiers: ARNs, inference-profile prefixes and version suffixes. */
final class ModelIds {

    private static final String GLOBAL_PREFIX = "global";
    private static final Set<String> PROFILE_PREFIXES =
            Set.of("us", "us-gov", "eu", "apac", "jp", "au", "ca", GLOBAL_PREFIX);
    // "-v1:0", "-v0:2", "-v2:0", "-v1" and context variants such as "-v1:0:200k"
    private static final Pattern VERSION_SUFFIX = Pattern.compile("-v\\d+(?::[0-9a-z]+)*$");

    private ModelIds() {}

    /** The foundation-model id an id, profile id or ARN refers to, e.g. {@code anthropic.claude-sonnet-4-5-20250929-v1:0}. */
    static String foundationModelId(String modelId) {
        String id = resourceName(modelId);
        int dot = id.indexOf('.');
        if (dot > 0 && PROFILE_PREFIXES.contains(id.substring(0, dot))) {
            return id.substring(dot + 1);
        }
        return id;
    }

    /** The foundation-model id without its version suffix: the key prices are stored under. */
    static String unversioned(String modelId) {
        return VERSION_SUFFIX.matcher(foundationModelId(modelId)).replaceFirst("");
    }

    static boolean isGlobalProfile(String modelId) {
        return resourceName(modelId).startsWith(GLOBAL_PREFIX + ".");
    }

    private static String resourceName(String modelId) {
        // arn:aws:bedrock:us-east-1::foundation-model/<id> and .../inference-profile/<id>
        return modelId.startsWith("arn:") ? modelId.substring(modelId.lastIndexOf('/') + 1) : modelId;
    }
}
