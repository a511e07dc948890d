package dev.bedrockjobs.lambda;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import dev.bedrockjobs.core.domain.Tenant;
import java.util.Map;

/**
 * Where a request's tenant comes from. With API keys (the default) it is {@code tenantId} in the Lambda authorizer's
 * context ({@code requestContext.authorizer.lambda}); in JWT mode the template sets {@code JWT_TENANT_CLAIM} and it
 * is that claim of the token API Gateway has already validated ({@code requestContext.authorizer.jwt.claims}). A
 * value that is not a valid tenant id counts as no tenant: the request is refused with 401.
 */
public final class TenantIdentity {
    public static final String JWT_TENANT_CLAIM = "JWT_TENANT_CLAIM";
    public static final TenantIdentity LAMBDA_AUTHORIZER = new TenantIdentity(null);

    private final String jwtClaim;

    private TenantIdentity(String jwtClaim) {
        this.jwtClaim = jwtClaim;
    }

    public static TenantIdentity from(Map<String, String> env) {
        String claim = env.get(JWT_TENANT_CLAIM);
        return claim == null || claim.isBlank() ? LAMBDA_AUTHORIZER : jwtClaim(claim.strip());
    }

    public static TenantIdentity jwtClaim(String claim) {
        return new TenantIdentity(claim);
    }

    /** @return the tenant id, or null when the request carries none that is valid */
    public String tenantOf(APIGatewayV2HTTPEvent.RequestContext ctx) {
        if (ctx == null || ctx.getAuthorizer() == null) {
            return null;
        }
        Object value;
        if (jwtClaim == null) {
            Map<String, Object> lambda = ctx.getAuthorizer().getLambda();
            value = lambda == null ? null : lambda.get("tenantId");
        } else {
            var jwt = ctx.getAuthorizer().getJwt();
            Map<String, String> claims = jwt == null ? null : jwt.getClaims();
            value = claims == null ? null : claims.get(jwtClaim);
        }
        return value instanceof String s && Tenant.isValidId(s) ? s : null;
    }
}
