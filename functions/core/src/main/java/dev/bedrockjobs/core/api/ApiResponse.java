package dev.bedrockjobs.core.api;

import dev.bedrockjobs.core.domain.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a service answers: status, headers and a body that is already serialized. */
public record ApiResponse(int status, Map<String, String> headers, String body) {

    public static ApiResponse json(int status, Object body) {
        return new ApiResponse(status, Map.of("content-type", "application/json"), Json.write(body));
    }

    public ApiResponse withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new ApiResponse(status, Map.copyOf(h), body);
    }
}
