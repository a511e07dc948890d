package dev.bedrockjobs.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.bedrockjobs.core.api.Routes;

/**
 * A function that serves HTTP API routes: each event becomes a request of the tenant the authorizer named and goes
 * to the operation its route key names in the function's route table.
 */
public abstract class ApiHandler extends PrimedHandler
        implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final Routes routes;
    private final TenantIdentity identity;

    protected ApiHandler(Routes routes, TenantIdentity identity) {
        this.routes = routes;
        this.identity = identity;
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return HttpApi.handle(event, identity, routes);
    }
}
