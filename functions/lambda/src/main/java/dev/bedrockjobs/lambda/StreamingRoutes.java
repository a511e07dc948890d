package dev.bedrockjobs.lambda;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import dev.bedrockjobs.core.api.ResponseStream;
import java.io.IOException;

/**
 * A function some of whose routes can also answer as a stream, the body sent as it is produced, when whatever carries
 * the request can stream it: the local front does; API Gateway's HTTP API does not, and invokes the function's
 * ordinary handler, which answers the same route with complete responses.
 */
public interface StreamingRoutes {
    /** Whether this route key has a streamed answer. */
    boolean streams(String routeKey);

    /** Answers the request on {@code out}; a refused request as a whole response. */
    void stream(APIGatewayV2HTTPEvent event, ResponseStream out) throws IOException;
}
