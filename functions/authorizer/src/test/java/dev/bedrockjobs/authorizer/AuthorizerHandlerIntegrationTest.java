package dev.bedrockjobs.authorizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.SimpleIAMPolicyResponse;
import com.amazonaws.services.lambda.runtime.tests.annotations.Event;
import dev.bedrockjobs.core.adapter.DynamoApiKeys;
import dev.bedrockjobs.core.adapter.DynamoTenants;
import dev.bedrockjobs.core.domain.ApiKey;
import dev.bedrockjobs.core.domain.Tenant;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;

/** AuthorizerHandler with a real-shaped payload 2.0 event, against keys and tenants in dynalite. */
class AuthorizerHandlerIntegrationTest {
    private DynamoTenants tenants;
    private DynamoApiKeys keys;
    private AuthorizerHandler handler;
    private String goodKey;

    @BeforeEach
    void tenantWithKey() {
        String table = SharedEmulators.newJobsTable("authorizer");
        tenants = new DynamoTenants(SharedEmulators.dynamoClient(), table);
        keys = new DynamoApiKeys(SharedEmulators.dynamoClient(), table);
        handler = new AuthorizerHandler(SharedEmulators.functionEnvironment(table, null));
        Instant now = Instant.now();
        tenants.createTenant(new Tenant("tenant-a", "Team A", ApiKey.newWebhookSecret(), false, now));
        goodKey = ApiKey.newSecret();
        keys.putKey(new ApiKey(ApiKey.hash(goodKey), "key_a1", "tenant-a", "ci", false, now));
    }

    private SimpleIAMPolicyResponse call(APIGatewayV2CustomAuthorizerEvent event, String header) {
        Map<String, String> headers = new HashMap<>(event.getHeaders());
        if (header == null) {
            headers.remove("authorization");
        } else {
            headers.put("authorization", header);
        }
        event.setHeaders(headers);
        return handler.handleRequest(event, null);
    }

    @ParameterizedTest
    @Event(value = "events/authorizer-request.json", type = APIGatewayV2CustomAuthorizerEvent.class)
    void aGoodKeyResolvesToItsTenant(APIGatewayV2CustomAuthorizerEvent event) {
        SimpleIAMPolicyResponse r = call(event, "Bearer " + goodKey);
        assertTrue(r.getIsAuthorized());
        assertEquals(Map.of("tenantId", "tenant-a", "keyId", "key_a1"), r.getContext());
        assertTrue(call(event, "bearer " + goodKey).getIsAuthorized(), "the scheme is case-insensitive");
    }

    @ParameterizedTest
    @Event(value = "events/authorizer-request.json", type = APIGatewayV2CustomAuthorizerEvent.class)
    void unknownMalformedAndMissingKeysAreDenied(APIGatewayV2CustomAuthorizerEvent event) {
        for (String header : new String[] {
            null,
            "",
            "Bearer",
            "Bearer " + ApiKey.newSecret(),
            "Basic " + goodKey,
            goodKey,
            "Bearer " + goodKey + "x",
            "Bearer " + goodKey.substring(4),
            "Bearer ' OR 1=1 --"
        }) {
            SimpleIAMPolicyResponse r = call(event, header);
            assertFalse(r.getIsAuthorized(), String.valueOf(header));
            assertTrue(r.getContext().isEmpty());
        }
    }

    @ParameterizedTest
    @Event(value = "events/authorizer-request.json", type = APIGatewayV2CustomAuthorizerEvent.class)
    void disabledKeysAndTenantsAreDenied(APIGatewayV2CustomAuthorizerEvent event) {
        Instant now = Instant.now();
        keys.putKey(new ApiKey(ApiKey.hash(goodKey), "key_a1", "tenant-a", "ci", true, now));
        assertFalse(call(event, "Bearer " + goodKey).getIsAuthorized());

        tenants.createTenant(new Tenant("tenant-off", "Gone", ApiKey.newWebhookSecret(), true, now));
        String key = ApiKey.newSecret();
        keys.putKey(new ApiKey(ApiKey.hash(key), "key_off", "tenant-off", null, false, now));
        assertFalse(call(event, "Bearer " + key).getIsAuthorized());
    }
}
