package dev.bedrockjobs.core.api;

import dev.bedrockjobs.core.domain.ValidationException;

/** The query parameters the read routes share, checked the same way on each: a bad one is a 400 naming it. */
final class QueryParameters {
    private QueryParameters() {}

    /** {@code ?cursor=}, as a page's {@code nextCursor} gave it; null for the first page. */
    static String cursor(ApiRequest request) {
        String cursor = request.queryParameter("cursor");
        if (cursor != null && (cursor.isEmpty() || cursor.length() > 1024)) {
            throw ValidationException.of("cursor", "is not a valid cursor");
        }
        return cursor;
    }

    static int integer(ApiRequest request, String name, int fallback, int min, int max) {
        String v = request.queryParameter(name);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ValidationException.of(name, "must be an integer from " + min + " to " + max);
    }
}
