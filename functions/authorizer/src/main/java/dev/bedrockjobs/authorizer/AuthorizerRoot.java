package dev.bedrockjobs.authorizer;

import dev.bedrockjobs.core.api.ApiKeyAuthorizer;
import dev.bedrockjobs.lambda.Components;

import java.util.Map;

/** The authorizer's composition root: one key lookup against the table. */
public final class AuthorizerRoot {
    private AuthorizerRoot() {
    }

    public static ApiKeyAuthorizer authorizer(Map<String, String> env) {
        return new ApiKeyAuthorizer(new Components(env).tenantStore());
    }
}
