package dev.bedrockjobs.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where the API is and which key to send, from the flags, else the environment, else (key only, and only for an API on
 * this machine) the {@code .local/dev-api-key} file the local stack writes at the root of its git repository.
 *
 * @param baseUrl   the API's base URL without a trailing slash, e.g. {@code http://127.0.0.1:8080}
 * @param apiKey    the bearer key
 * @param keySource where the key came from, for messages
 */
public record ApiConfig(URI baseUrl, String apiKey, String keySource) {
    public static final String URL_ENV = "BEDROCK_JOBS_URL";
    public static final String KEY_ENV = "BEDROCK_JOBS_API_KEY";
    public static final String DEFAULT_URL = "http://127.0.0.1:8080";
    static final String DEV_KEY_FILE = ".local/dev-api-key";

    public static ApiConfig resolve(String urlFlag, String keyFlag, CliContext ctx) {
        URI url = parseUrl(
                urlFlag != null
                        ? urlFlag
                        : Optional.ofNullable(ctx.env(URL_ENV)).orElse(DEFAULT_URL));
        if (keyFlag != null && !keyFlag.isBlank()) {
            return new ApiConfig(url, keyFlag.strip(), "--api-key");
        }
        String envKey = ctx.env(KEY_ENV);
        if (envKey != null) {
            return new ApiConfig(url, envKey, KEY_ENV);
        }
        if (isLoopback(url)) {
            for (Path root : devKeyRoots(ctx)) {
                Path file = root.resolve(DEV_KEY_FILE);
                Optional<String> key = readKey(file);
                if (key.isPresent()) {
                    return new ApiConfig(url, key.get(), file.toString());
                }
            }
        }
        throw CliException.usage("no API key: set " + KEY_ENV + " or pass --api-key"
                + (isLoopback(url) ? " (the local stack, local/run, writes its key to " + DEV_KEY_FILE + ")" : ""));
    }

    static URI parseUrl(String text) {
        String s = text.strip();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        try {
            URI u = new URI(s);
            if (u.getScheme() == null
                    || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
                    || u.getHost() == null) {
                throw CliException.usage("the API URL must be http(s)://host[:port], not '" + text + "'");
            }
            if (u.getQuery() != null || u.getFragment() != null) {
                throw CliException.usage("the API URL must not have a query or fragment: '" + text + "'");
            }
            return u;
        } catch (URISyntaxException e) {
            throw CliException.usage("the API URL is not valid: '" + text + "'");
        }
    }

    /** The dev key is a local credential: it is only ever sent to an API on this machine. */
    static boolean isLoopback(URI url) {
        String host = url.getHost();
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (!host.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            return false; // a name: never resolved just to decide this
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The git repository around the working directory, then the checkout the launcher runs from. */
    static List<Path> devKeyRoots(CliContext ctx) {
        List<Path> roots = new ArrayList<>();
        Git.topLevel(ctx.workingDirectory()).ifPresent(roots::add);
        if (ctx.home() != null && !roots.contains(ctx.home())) {
            roots.add(ctx.home());
        }
        return roots;
    }

    private static Optional<String> readKey(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            String key = Files.readString(file, StandardCharsets.UTF_8).strip();
            return key.isEmpty() ? Optional.empty() : Optional.of(key);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
