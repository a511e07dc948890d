package dev.bedrockjobs.status;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.bedrockjobs.core.api.ApiResponse;
import dev.bedrockjobs.core.api.EventsService;
import dev.bedrockjobs.core.api.Release;
import dev.bedrockjobs.core.api.ResponseStream;
import dev.bedrockjobs.lambda.ApiHandler;
import dev.bedrockjobs.lambda.HttpApi;
import dev.bedrockjobs.lambda.Priming;
import dev.bedrockjobs.lambda.StreamingRoutes;
import dev.bedrockjobs.lambda.TenantIdentity;
import java.io.IOException;
import java.util.Map;
import java.util.Set;

/**
 * Every route of the API but the two submits: jobs (read, list, long poll, cancel), batches (read, results, cancel),
 * webhook deliveries (list, replay) and usage, each sent to its service by the route table in {@link StatusRoot};
 * and, answered here without a tenant, {@code GET /healthz} and the web console's static files.
 */
public class StatusHandler extends ApiHandler implements StreamingRoutes {
    /**
     * A job's answer as server-sent events: through API Gateway one long poll's events per response, where the front
     * can stream (locally) one response until the job is done.
     */
    static final String EVENTS = "GET /v1/jobs/{id}/events";

    private static final String HEALTH = "GET /healthz";
    private static final String CONSOLE = "GET /console";
    private static final String CONSOLE_FILE = "GET /console/{file}";
    /** The routes this handler answers itself, outside {@link StatusRoot}'s table: no tenant, no service. */
    public static final Set<String> OWN_ROUTES = Set.of(HEALTH, CONSOLE, CONSOLE_FILE);

    public StatusHandler() {
        this(System.getenv());
    }

    private final EventsService events;
    private final TenantIdentity identity;

    public StatusHandler(Map<String, String> env) {
        this(StatusRoot.of(env), TenantIdentity.from(env));
    }

    StatusHandler(StatusRoot root) {
        this(root, TenantIdentity.LAMBDA_AUTHORIZER);
    }

    private StatusHandler(StatusRoot root, TenantIdentity identity) {
        super(root.routes(), identity);
        this.events = root.events();
        this.identity = identity;
    }

    @Override
    public boolean streams(String routeKey) {
        return EVENTS.equals(routeKey);
    }

    @Override
    public void stream(APIGatewayV2HTTPEvent event, ResponseStream out) throws IOException {
        HttpApi.stream(event, identity, out, events::stream);
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        if (HEALTH.equals(event.getRouteKey())) {
            return HttpApi.toEvent(ApiResponse.json(200, Map.of("status", "ok", "version", Release.version())));
        }
        if (CONSOLE.equals(event.getRouteKey()) || CONSOLE_FILE.equals(event.getRouteKey())) {
            return HttpApi.toEvent(ConsolePage.serve(event.getRawPath()));
        }
        return super.handleRequest(event, context);
    }

    /**
     * SnapStart priming: the path of a first request with a job that does not exist: one read, a 404.
     */
    @Override
    protected void prime() {
        Priming.quietly("status", () -> handleRequest(Priming.missingJobRequest(), null));
    }
}
