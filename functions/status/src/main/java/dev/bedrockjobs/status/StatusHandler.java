package dev.bedrockjobs.status;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.bedrockjobs.core.adapter.Wiring;
import dev.bedrockjobs.core.api.ApiResponse;
import dev.bedrockjobs.core.api.HttpApi;
import dev.bedrockjobs.core.api.StatusService;
import dev.bedrockjobs.core.api.TenantIdentity;

import java.util.Map;

/** GET /v1/jobs/{id} (long poll), GET /v1/jobs, DELETE /v1/jobs/{id}. */
public class StatusHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
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
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        if ("/healthz".equals(event.getRawPath())) {
            return HttpApi.toEvent(ApiResponse.json(200, Map.of("status", "ok")));
        }
        return HttpApi.handle(event, identity, service::handle);
    }
}
