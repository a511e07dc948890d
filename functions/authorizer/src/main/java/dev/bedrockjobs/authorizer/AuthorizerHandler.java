package dev.bedrockjobs.authorizer;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.SimpleIAMPolicyResponse;
import dev.bedrockjobs.core.api.ApiKeyAuthorizer;
import dev.bedrockjobs.lambda.PrimedHandler;
import dev.bedrockjobs.lambda.Priming;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP API Lambda authorizer (payload 2.0, simple responses): an API key becomes {@code tenantId} and {@code keyId}
 * in the request context the other handlers read.
 */
public class AuthorizerHandler extends PrimedHandler
        implements RequestHandler<APIGatewayV2CustomAuthorizerEvent, SimpleIAMPolicyResponse> {
    private final ApiKeyAuthorizer authorizer;

    public AuthorizerHandler() {
        this(System.getenv());
    }

    public AuthorizerHandler(Map<String, String> env) {
        this(AuthorizerRoot.authorizer(env));
    }

    AuthorizerHandler(ApiKeyAuthorizer authorizer) {
        this.authorizer = authorizer;
    }

    @Override
    public SimpleIAMPolicyResponse handleRequest(APIGatewayV2CustomAuthorizerEvent event, Context context) {
        return authorizer
                .authorize(authorizationHeader(event.getHeaders()))
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
     * SnapStart priming: the path of a first request with an unknown key: one read, a refusal.
     */
    @Override
    protected void prime() {
        Priming.quietly("authorizer", () -> handleRequest(Priming.unknownKeyAuthorization(), null));
    }
}
