package dev.bedrockjobs.status;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.bedrockjobs.core.api.ApiResponse;
import dev.bedrockjobs.core.api.Release;
import dev.bedrockjobs.core.api.StatusService;
import dev.bedrockjobs.lambda.HttpApi;
import dev.bedrockjobs.lambda.Priming;
import dev.bedrockjobs.lambda.TenantIdentity;
import org.crac.Core;
import org.crac.Resource;

import java.util.Map;

/** GET /v1/jobs/{id} (long poll), GET /v1/jobs, DELETE /v1/jobs/{id}. */
public class StatusHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>, Resource {
    private final StatusService service;
    private final TenantIdentity identity;

    public StatusHandler() {
        this(System.getenv());
    }

    public StatusHandler(Map<String, String> env) {
        this(StatusRoot.service(env), TenantIdentity.from(env));
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
