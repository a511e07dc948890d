package dev.bedrockjobs.core.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.domain.FieldError;
import dev.bedrockjobs.core.domain.Json;
import java.util.List;
import java.util.Map;

/** RFC 9457 problem details: every error the API returns, with a stable machine-readable {@code code}. */
public record Problem(int status, String code, String title, String detail, List<FieldError> errors) {

    public static final String CONTENT_TYPE = "application/problem+json";

    public Problem {
        errors = errors == null ? List.of() : List.copyOf(errors);
    }

    public static Problem validation(List<FieldError> errors) {
        String detail = errors.size() == 1
                ? errors.get(0).field() + " " + errors.get(0).message()
                : errors.size() + " fields are invalid";
        return new Problem(400, "validation_failed", "The request is not valid", detail, errors);
    }

    public static Problem unauthorized() {
        return new Problem(
                401,
                "unauthorized",
                "Authentication required",
                "Send a valid API key as 'Authorization: Bearer <key>'.",
                null);
    }

    public static Problem forbidden(String code, String detail) {
        return new Problem(403, code, "Forbidden", detail, null);
    }

    public static Problem notFound(String what) {
        return new Problem(404, "not_found", "Not found", what + " was not found", null);
    }

    public static Problem conflict(String code, String detail) {
        return new Problem(409, code, "Conflict", detail, null);
    }

    public static Problem internal(String requestId) {
        return new Problem(
                500,
                "internal_error",
                "Internal error",
                "The request could not be completed; it is safe to retry"
                        + (requestId == null ? "." : " (request " + requestId + ")."),
                null);
    }

    public ApiResponse toResponse() {
        ObjectNode n = Json.object();
        n.put("type", "urn:bedrock-jobs:problem:" + code);
        n.put("title", title);
        n.put("status", status);
        n.put("detail", detail);
        n.put("code", code);
        if (!errors.isEmpty()) {
            ArrayNode a = n.putArray("errors");
            errors.forEach(e -> a.addObject().put("field", e.field()).put("message", e.message()));
        }
        return new ApiResponse(status, Map.of("content-type", CONTENT_TYPE), Json.write(n));
    }
}
