package dev.bedrockjobs.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.tests.annotations.Event;
import dev.bedrockjobs.lambda.HttpApi;
import dev.bedrockjobs.lambda.TenantIdentity;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Where the tenant comes from, read from real-shaped payload 2.0 events: the Lambda authorizer's context by default,
 * the configured claim of a validated JWT when the template sets JWT_TENANT_CLAIM.
 */
class TenantIdentityTest {
    private static final TenantIdentity COGNITO =
            TenantIdentity.from(Map.of(TenantIdentity.JWT_TENANT_CLAIM, "custom:tenant_id"));

    @ParameterizedTest
    @Event(value = "events/get-job.json", type = APIGatewayV2HTTPEvent.class)
    void byDefaultTheTenantIsTheLambdaAuthorizersContext(APIGatewayV2HTTPEvent event) {
        assertEquals(
                "tenant-a",
                HttpApi.toRequest(event, TenantIdentity.from(Map.of())).tenantId());
        assertEquals(
                "tenant-a",
                HttpApi.toRequest(event, TenantIdentity.from(Map.of(TenantIdentity.JWT_TENANT_CLAIM, "")))
                        .tenantId(),
                "empty = API keys");
        assertNull(HttpApi.toRequest(event, COGNITO).tenantId(), "in JWT mode a Lambda context is not trusted");
    }

    @ParameterizedTest
    @Event(value = "events/get-job-jwt.json", type = APIGatewayV2HTTPEvent.class)
    void inJwtModeTheTenantIsTheConfiguredClaim(APIGatewayV2HTTPEvent event) {
        assertEquals("tenant-a", HttpApi.toRequest(event, COGNITO).tenantId());
        assertEquals(
                "alice",
                HttpApi.toRequest(
                                event, TenantIdentity.from(Map.of(TenantIdentity.JWT_TENANT_CLAIM, "cognito:username")))
                        .tenantId());
        assertNull(
                HttpApi.toRequest(event, TenantIdentity.LAMBDA_AUTHORIZER).tenantId(),
                "in API-key mode JWT claims are not trusted");
        assertNull(HttpApi.toRequest(event, TenantIdentity.jwtClaim("tenant")).tenantId(), "claim absent");
    }

    @ParameterizedTest
    @Event(value = "events/get-job-jwt.json", type = APIGatewayV2HTTPEvent.class)
    void aClaimThatIsNotATenantIdIsNoTenant(APIGatewayV2HTTPEvent event) {
        for (String bad : new String[] {"", " ", "a#b", "tenant a", "-leading-dash", "x".repeat(129), "é"}) {
            Map<String, String> claims = new HashMap<>(
                    event.getRequestContext().getAuthorizer().getJwt().getClaims());
            claims.put("custom:tenant_id", bad);
            event.getRequestContext().getAuthorizer().getJwt().setClaims(claims);
            assertNull(HttpApi.toRequest(event, COGNITO).tenantId(), "'" + bad + "'");
        }
    }

    @ParameterizedTest
    @Event(value = "events/get-job-jwt.json", type = APIGatewayV2HTTPEvent.class)
    void aJwtRequestWithoutTheClaimIsRefusedWith401(APIGatewayV2HTTPEvent event) {
        var response = HttpApi.handle(event, TenantIdentity.jwtClaim("tenant"), r -> {
            throw new AssertionError("the service must not run without a tenant");
        });
        assertEquals(401, response.getStatusCode());
        assertEquals("application/problem+json", response.getHeaders().get("content-type"));
    }
}
