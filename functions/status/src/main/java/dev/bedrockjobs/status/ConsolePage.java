package dev.bedrockjobs.status;

import dev.bedrockjobs.core.api.ApiResponse;
import dev.bedrockjobs.core.api.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@code GET /console} and its script and style sheet: the web console, a static page that holds no data of its own.
 * The routes are public so that a browser can load the page; everything it shows comes from the {@code /v1} routes,
 * called by its script with the key the user pastes, so it sees exactly what that key's tenant sees.
 *
 * <p>The policy lets the page load only its own files from its own origin and send requests only there: no inline
 * script, nothing from elsewhere, no framing.
 */
final class ConsolePage {
    static final String PATH = "/console";
    static final String CONTENT_SECURITY_POLICY =
            "default-src 'self'; base-uri 'none'; form-action 'none'; " + "frame-ancestors 'none'; object-src 'none'";

    private record Asset(String contentType, String body) {}

    /**
     * By request path: the page, and the files it links to (relative to it, so a base path carries over). Read once,
     * on the first request for one of them (a holder class, so the API's own requests never wait for it): a few
     * kilobytes, the same for the function's whole life.
     */
    private static final class Assets {
        static final Map<String, Asset> BY_PATH = Map.of(
                PATH,
                load("index.html", "text/html; charset=utf-8"),
                PATH + "/console.js",
                load("console.js", "text/javascript; charset=utf-8"),
                PATH + "/console.css",
                load("console.css", "text/css; charset=utf-8"));
    }

    private ConsolePage() {}

    static ApiResponse serve(String path) {
        Asset asset = Assets.BY_PATH.get(path);
        if (asset == null) {
            return Problem.notFound("console file " + path).toResponse();
        }
        return new ApiResponse(
                200,
                Map.of(
                        "content-type", asset.contentType(),
                        "content-security-policy", CONTENT_SECURITY_POLICY,
                        "x-content-type-options", "nosniff",
                        "referrer-policy", "no-referrer",
                        // small files: the browser asks again each time, so a new release shows at once
                        "cache-control", "no-cache"),
                asset.body());
    }

    private static Asset load(String file, String contentType) {
        String resource = "console/" + file;
        try (InputStream in = ConsolePage.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the function's bundle");
            }
            return new Asset(contentType, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
