package dev.bedrockjobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiConfigTest {

    private static CliContext ctx(Map<String, String> env, Path dir, Path home) {
        return new CliContext(env, dir, false, home, millis -> {});
    }

    @Test
    void flagsWinOverTheEnvironment(@TempDir Path tmp) {
        CliContext c = ctx(Map.of(ApiConfig.URL_ENV, "http://env:1", ApiConfig.KEY_ENV, "env-key"), tmp, null);
        ApiConfig config = ApiConfig.resolve("https://flag.example/prod/", "flag-key", c);
        assertEquals(URI.create("https://flag.example/prod"), config.baseUrl());
        assertEquals("flag-key", config.apiKey());
        assertEquals("--api-key", config.keySource());
    }

    @Test
    void theEnvironmentWinsOverTheDefault(@TempDir Path tmp) {
        ApiConfig config = ApiConfig.resolve(
                null, null, ctx(Map.of(ApiConfig.URL_ENV, "http://env:1", ApiConfig.KEY_ENV, " env-key\n"), tmp, null));
        assertEquals(URI.create("http://env:1"), config.baseUrl());
        assertEquals("env-key", config.apiKey());
        assertEquals(ApiConfig.KEY_ENV, config.keySource());
    }

    @Test
    void theLocalDevKeyIsReadFromTheGitRootForALocalApi(@TempDir Path tmp) {
        GitRepo.init(tmp).write(".local/dev-api-key", "dev-key\n").write("sub/dir/x.txt", "x");
        ApiConfig config = ApiConfig.resolve(null, null, ctx(Map.of(), tmp.resolve("sub/dir"), null));
        assertEquals(URI.create(ApiConfig.DEFAULT_URL), config.baseUrl());
        assertEquals("dev-key", config.apiKey());
        assertTrue(config.keySource().endsWith(".local/dev-api-key"));
    }

    @Test
    void theLauncherCheckoutIsTheLastPlaceForTheDevKey(@TempDir Path tmp) {
        Path checkout = tmp.resolve("checkout");
        Path elsewhere = tmp.resolve("elsewhere");
        GitRepo.init(checkout).write(".local/dev-api-key", "home-key\n");
        GitRepo.init(elsewhere);
        assertEquals(
                "home-key",
                ApiConfig.resolve(null, null, ctx(Map.of(), elsewhere, checkout))
                        .apiKey());
    }

    @Test
    void theDevKeyIsNeverSentToARemoteApi(@TempDir Path tmp) {
        GitRepo.init(tmp).write(".local/dev-api-key", "dev-key\n");
        CliException e = assertThrows(
                CliException.class, () -> ApiConfig.resolve("https://api.example.com", null, ctx(Map.of(), tmp, null)));
        assertEquals(CliException.USAGE, e.exitCode());
        assertEquals("no API key: set BEDROCK_JOBS_API_KEY or pass --api-key", e.getMessage());
    }

    @Test
    void badUrlsAreUsageErrors(@TempDir Path tmp) {
        for (String bad : new String[] {"ftp://x", "127.0.0.1:8080", "http://", "http://x/?a=b"}) {
            CliException e =
                    assertThrows(CliException.class, () -> ApiConfig.resolve(bad, "k", ctx(Map.of(), tmp, null)), bad);
            assertEquals(CliException.USAGE, e.exitCode());
        }
    }

    @Test
    void loopbackHosts() {
        assertTrue(ApiConfig.isLoopback(URI.create("http://127.0.0.1:8080")));
        assertTrue(ApiConfig.isLoopback(URI.create("http://localhost:8080")));
        assertTrue(ApiConfig.isLoopback(URI.create("http://[::1]:8080")));
        assertFalse(ApiConfig.isLoopback(URI.create("http://10.0.0.1:8080")));
        assertFalse(ApiConfig.isLoopback(URI.create("https://api.example.com")));
    }
}
