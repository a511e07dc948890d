package dev.bedrockjobs.core.api;

import dev.bedrockjobs.core.domain.LimitExceeded;
import dev.bedrockjobs.core.domain.ValidationException;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every failure of a service as a problem response: a client mistake is a 4xx with its fields or limit, anything
 * else a 500 that names the request and leaks no stack trace. Whatever carries requests in (API Gateway's events,
 * the local front) serves them through here.
 */
public final class ProblemMapping {
    private static final Logger LOG = Logger.getLogger(ProblemMapping.class.getName());

    private ProblemMapping() {}

    /** Runs a service on a request, refusing unauthenticated requests and mapping exceptions to problems. */
    public static ApiResponse serve(ApiRequest request, Function<ApiRequest, ApiResponse> service) {
        if (request.tenantId() == null || request.tenantId().isBlank()) {
            return Problem.unauthorized().toResponse();
        }
        try {
            return service.apply(request);
        } catch (RuntimeException e) {
            return problem(request, e);
        }
    }

    /** What a service's exception tells the client: a 4xx for its mistakes, else a 500 naming the request. */
    public static ApiResponse problem(ApiRequest request, RuntimeException failure) {
        if (failure instanceof ValidationException e) {
            return Problem.validation(e.errors()).toResponse();
        }
        if (failure instanceof LimitExceeded e) {
            return new Problem(429, e.code(), e.title(), e.getMessage(), null)
                    .toResponse()
                    .withHeader("retry-after", Long.toString(e.retryAfterSeconds()));
        }
        LOG.log(
                Level.SEVERE,
                "request " + request.requestId() + " failed: "
                        + failure.getClass().getName(),
                failure);
        return Problem.internal(request.requestId()).toResponse();
    }
}
