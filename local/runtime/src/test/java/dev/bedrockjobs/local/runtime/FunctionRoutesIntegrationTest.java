package dev.bedrockjobs.local.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bedrockjobs.local.emulators.RepoRoot;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import dev.bedrockjobs.local.emulators.template.SamTemplate;
import dev.bedrockjobs.status.StatusHandler;
import dev.bedrockjobs.status.StatusRoot;
import dev.bedrockjobs.submit.SubmitRoot;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The functions dispatch on the route key API Gateway sends, so each function's route table must hold exactly the
 * keys of the routes the template gives it: one it lacks would answer 404 behind a route that exists.
 */
class FunctionRoutesIntegrationTest {

    private static Set<String> templateRoutesOf(String function) {
        LocalResources resources =
                new LocalResources(SamTemplate.load(RepoRoot.require().resolve("template.yaml")));
        return RouteTable.fromTemplate(resources, "HttpApi", "ApiKeyAuthorizer").routes().stream()
                .filter(r -> r.function().equals(function))
                .map(RouteTable.Route::routeKey)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Map<String, String> environment() {
        String table = SharedEmulators.newJobsTable("function-routes");
        return SharedEmulators.functionEnvironment(table, SharedEmulators.newQueue("function-routes", Map.of()));
    }

    @Test
    void theSubmitFunctionServesEveryRouteTheTemplateGivesIt() {
        assertEquals(
                templateRoutesOf("SubmitFunction"),
                new TreeSet<>(SubmitRoot.routes(environment()).keys()));
    }

    @Test
    void theStatusFunctionServesEveryRouteTheTemplateGivesItAndItsHandlerAnswersHealthAndTheConsole() {
        Set<String> served = new TreeSet<>(StatusRoot.of(environment()).routes().keys());
        served.addAll(StatusHandler.OWN_ROUTES);
        assertEquals(templateRoutesOf("StatusFunction"), served);
    }
}
