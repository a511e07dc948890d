package dev.bedrockjobs.submit;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.bedrockjobs.core.adapter.Wiring;
import dev.bedrockjobs.core.api.HttpApi;
import dev.bedrockjobs.core.api.SubmitService;
import dev.bedrockjobs.core.api.TenantIdentity;

import java.util.Map;

/** POST /v1/jobs: validates, stores and enqueues one prompt, answers 202 with the job view. */
public class SubmitHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final SubmitService service;
    private final TenantIdentity identity;

    public SubmitHandler() {
        this(System.getenv());
    }

    public SubmitHandler(Map<String, String> env) {
        this(Wiring.submitService(env), TenantIdentity.from(env));
    }

    SubmitHandler(SubmitService service) {
        this(service, TenantIdentity.LAMBDA_AUTHORIZER);
    }

    SubmitHandler(SubmitService service, TenantIdentity identity) {
        this.service = service;
        this.identity = identity;
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return HttpApi.handle(event, identity, service::handle);
    }
}
