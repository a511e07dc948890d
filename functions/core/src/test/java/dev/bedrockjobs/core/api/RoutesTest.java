package dev.bedrockjobs.core.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bedrockjobs.core.domain.Json;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoutesTest {
    private final Routes routes = Routes.builder()
            .route("GET /v1/things/{id}", r -> ApiResponse.json(200, Map.of("got", r.pathParameter("id"))))
            .route("DELETE /v1/things/{id}", r -> ApiResponse.json(202, Map.of("deleted", r.pathParameter("id"))))
            .route("GET /v1/things", r -> ApiResponse.json(200, Map.of("listed", true)))
            .build();

    private static ApiRequest request(String routeKey) {
        return new ApiRequest(routeKey, Map.of("id", "t1"), null, null, null, "tenant-a", "req");
    }

    @Test
    void aRequestGoesToTheOperationOfItsRouteKeyWhateverItsPathLooksLike() {
        assertEquals(
                "{\"got\":\"t1\"}", routes.apply(request("GET /v1/things/{id}")).body());
        assertEquals(202, routes.apply(request("DELETE /v1/things/{id}")).status());
        assertEquals(
                "{\"listed\":true}",
                routes.apply(request("GET /v1/things")).body(),
                "a path parameter does not make it the route with one");
        assertEquals(Set.of("GET /v1/things/{id}", "DELETE /v1/things/{id}", "GET /v1/things"), routes.keys());
    }

    @Test
    void aRouteKeyNotServedIsA404AndAServedPathWithAnotherMethodA405() {
        ApiResponse unknown = routes.apply(request("GET /v1/other"));
        assertEquals(404, unknown.status());
        assertEquals(Problem.CONTENT_TYPE, unknown.headers().get("content-type"));
        assertEquals("not_found", Json.parse(unknown.body()).get("code").asText());
        assertEquals(404, routes.apply(request("$default")).status());
        assertEquals(404, routes.apply(request(null)).status(), "an event without a route key");

        ApiResponse wrongMethod = routes.apply(request("PATCH /v1/things/{id}"));
        assertEquals(405, wrongMethod.status());
        assertEquals(
                "method_not_allowed", Json.parse(wrongMethod.body()).get("code").asText());
        assertEquals(
                404,
                routes.apply(request("POST /v1/things/{name}")).status(),
                "another path variable is another route");
    }

    @Test
    void aRouteKeyThatApiGatewayCouldNotSendOrOneServedTwiceIsRefusedWhenTheTableIsBuilt() {
        assertThrows(IllegalArgumentException.class, () -> Routes.builder().route("/v1/things", r -> null));
        assertThrows(IllegalArgumentException.class, () -> Routes.builder().route("get /v1/things", r -> null));
        assertThrows(IllegalArgumentException.class, () -> Routes.builder().route("GET  /v1/things", r -> null));
        assertThrows(
                IllegalArgumentException.class,
                () -> Routes.builder().route("GET /v1/things", r -> null).route("GET /v1/things", r -> null));
        Routes.builder()
                .route("ANY /v1/{proxy+}", r -> null)
                .route("$default", r -> null)
                .build();
    }
}
