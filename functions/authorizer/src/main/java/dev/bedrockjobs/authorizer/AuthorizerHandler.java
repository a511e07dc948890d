package dev.bedrockjobs.authorizer;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.SimpleIAMPolicyResponse;
import dev.bedrockjobs.core.api.ApiKeyAuthorizer;
import dev.bedrockjobs.lambda.Priming;
import org.crac.Core;
import org.crac.Resource;

import java.util.Locale;
import java.util.Map;

/**
 * HTTP API Lambda authorizer (payload 2.0, simple responses): an API key becomes {@code tenantId} and {@code keyId}
 * in the request context the other handlers read.
 */
public class AuthorizerHandler
        implements RequestHandler<APIGatewayV2CustomAuthorizerEvent, SimpleIAMPolicyResponse>, Resource {
    private final ApiKeyAuthorizer authorizer;

    public AuthorizerHandler() {
        this(System.getenv());
    }

    public AuthorizerHandler(Map<String, String> env) {
        this(AuthorizerRoot.authorizer(env));
    }

    AuthorizerHandler(ApiKeyAuthorizer authorizer) {
        this.authorizer = authorizer;
        Core.getGlobalContext().register(this);
    }

    @Override
    public SimpleIAMPolicyResponse handleRequest(APIGatewayV2CustomAuthorizerEvent event, Context context) {
        return authorizer.authorize(authorizationHeader(event.getHeaders()))
                .map(p -> new SimpleIAMPolicyResponse(true, Map.of("tenantId", p.tenantId(), "keyId", p.keyId())))
                .orElseGet(() -> new SimpleIAMPolicyResponse(false, Map.of()));
    }

    private static String authorizationHeader(Map<String, String> headers) {
        if (headers == null) {
            return null;
        }
        for (var e : headers.entrySet()) {
            if (e.getKey().toLowerCase(Locale.ROOT).equals("authorization")) {
                return e.getValue();
            }
        }
        return null;
    }

    /**
     * SnapStart: before the snapshot, the path of a first request with an unknown key: one read, a refusal.
     */
    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        Priming.jobJsonAndItems();
        Priming.quietly("authorizer", () -> handleRequest(Priming.unknownKeyAuthorization(), null));
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        // nothing was made at snapshot time that must differ per environment
    }
}
