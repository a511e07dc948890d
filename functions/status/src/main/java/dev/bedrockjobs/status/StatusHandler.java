package dev.bedrockjobs.status;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.bedrockjobs.core.adapter.Priming;
import dev.bedrockjobs.core.adapter.Wiring;
import dev.bedrockjobs.core.api.ApiResponse;
import dev.bedrockjobs.core.api.HttpApi;
import dev.bedrockjobs.core.api.Release;
import dev.bedrockjobs.core.api.StatusService;
import dev.bedrockjobs.core.api.TenantIdentity;

import org.crac.Core;
import org.crac.Resource;

import java.util.Map;

/**
 * GET /v1/jobs/{id} (long poll), GET /v1/jobs, DELETE /v1/jobs/{id}, the batch, webhook-delivery and usage routes,
 * GET /healthz, and the web console's static files (GET /console).
 */
public class StatusHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>, Resource {
    private final StatusService service;
    private final TenantIdentity identity;

    public StatusHandler() {
        this(System.getenv());
    }

    public StatusHandler(Map<String, String> env) {
        this(Wiring.statusService(env), TenantIdentity.from(env));
    }

    StatusHandler(StatusService service) {
        this(service, TenantIdentity.LAMBDA_AUTHORIZER);
    }

    StatusHandler(StatusService service, TenantIdentity identity) {
        this.service = service;
        this.identity = identity;
        Core.getGlobalContext().register(this);
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        if ("/healthz".equals(event.getRawPath())) {
            return HttpApi.toEvent(ApiResponse.json(200, Map.of("status", "ok", "version", Release.version())));
        }
        if (ConsolePage.isConsolePath(event.getRawPath())) {
            return HttpApi.toEvent(ConsolePage.serve(event.getRawPath()));
        }
        return HttpApi.handle(event, identity, service::handle);
    }

    /**
     * SnapStart: before the snapshot, the path of a first request with a job that does not exist: one read, a 404.
     */
    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        Priming.jobJsonAndItems();
        Priming.quietly("status", () -> handleRequest(Priming.missingJobRequest(), null));
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        // nothing was made at snapshot time that must differ per environment
    }
}
