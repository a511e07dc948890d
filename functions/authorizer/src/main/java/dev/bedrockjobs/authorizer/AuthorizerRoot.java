package dev.bedrockjobs.authorizer;

import dev.bedrockjobs.core.api.ApiKeyAuthorizer;
import dev.bedrockjobs.lambda.Components;
import java.util.Map;

/** The authorizer's composition root: a key lookup and its tenant's against the table. */
public final class AuthorizerRoot {
    private AuthorizerRoot() {}

    public static ApiKeyAuthorizer authorizer(Map<String, String> env) {
        Components c = new Components(env);
        return new ApiKeyAuthorizer(c.apiKeys(), c.tenants());
    }
}
