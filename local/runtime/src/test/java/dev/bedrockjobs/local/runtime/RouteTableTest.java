package dev.bedrockjobs.local.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bedrockjobs.local.emulators.RepoRoot;
import dev.bedrockjobs.local.emulators.template.SamTemplate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteTableTest {

    private static RouteTable fromTemplate() {
        LocalResources resources =
                new LocalResources(SamTemplate.load(RepoRoot.require().resolve("template.yaml")));
        return RouteTable.fromTemplate(resources, "HttpApi", "ApiKeyAuthorizer");
    }

    @Test
    void theTemplatesRoutesReachTheirFunctionsWithPathParameters() {
        RouteTable routes = fromTemplate();
        RouteTable.Match submit = routes.match("POST", "/v1/jobs").orElseThrow();
        assertEquals("SubmitFunction", submit.route().function());
        assertEquals("POST /v1/jobs", submit.route().routeKey());
        assertEquals("ApiKeyAuthorizer", submit.route().authorizer());

        RouteTable.Match get = routes.match("GET", "/v1/jobs/job_01ABC").orElseThrow();
        assertEquals("StatusFunction", get.route().function());
        assertEquals("GET /v1/jobs/{id}", get.route().routeKey());
        assertEquals(Map.of("id", "job_01ABC"), get.pathParameters());

        assertNull(routes.match("GET", "/healthz").orElseThrow().route().authorizer(), "Auth.Authorizer: NONE");
    }

    @Test
    void anUnknownPathOrMethodMatchesNothing() {
        RouteTable routes = fromTemplate();
        assertTrue(routes.match("PUT", "/v1/jobs").isEmpty());
        assertTrue(routes.match("GET", "/v1/jobs/a/b").isEmpty());
        assertTrue(routes.match("GET", "/v1/jobs/").isEmpty(), "an empty segment binds no variable");
        assertTrue(routes.match("GET", "/v2/jobs").isEmpty());
    }

    @Test
    void theMostSpecificRouteWinsAsInApiGateway() {
        RouteTable routes = new RouteTable(List.of(
                new RouteTable.Route("ANY", null, "Fallback", null),
                new RouteTable.Route("ANY", "/files/{path+}", "Greedy", null),
                new RouteTable.Route("GET", "/files/{name}", "Variable", null),
                new RouteTable.Route("ANY", "/files/readme", "AnyLiteral", null),
                new RouteTable.Route("GET", "/files/readme", "GetLiteral", null)));

        assertEquals(
                "GetLiteral",
                routes.match("GET", "/files/readme").orElseThrow().route().function());
        assertEquals(
                "AnyLiteral",
                routes.match("POST", "/files/readme").orElseThrow().route().function());
        assertEquals(
                "Variable",
                routes.match("GET", "/files/notes").orElseThrow().route().function());
        RouteTable.Match greedy = routes.match("GET", "/files/a/b%20c").orElseThrow();
        assertEquals("Greedy", greedy.route().function());
        assertEquals(Map.of("path", "a/b c"), greedy.pathParameters());
        RouteTable.Match fallback = routes.match("DELETE", "/elsewhere").orElseThrow();
        assertEquals("$default", fallback.route().routeKey());
    }
}
