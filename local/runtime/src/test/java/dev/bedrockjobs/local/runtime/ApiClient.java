package dev.bedrockjobs.local.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** A client of the local API over real HTTP, holding one API key. */
final class ApiClient {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Set<String> TERMINAL = Set.of("succeeded", "failed", "canceled");
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final URI base;
    private final String apiKey;

    ApiClient(URI base, String apiKey) {
        this.base = base;
        this.apiKey = apiKey;
    }

    ApiClient withKey(String key) {
        return new ApiClient(base, key);
    }

    HttpResponse<String> send(HttpRequest.Builder request) {
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(base.resolve(pathAndQuery));
    }

    HttpResponse<String> get(String pathAndQuery) {
        return send(request(pathAndQuery).GET());
    }

    /** A GET whose body is read line by line as it arrives (server-sent events); close the stream to hang up. */
    HttpResponse<Stream<String>> getLines(String pathAndQuery, String... headers) {
        HttpRequest.Builder b = request(pathAndQuery).GET();
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofLines());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> delete(String path) {
        return send(request(path).DELETE());
    }

    HttpResponse<String> postJson(String path, String json, String... headers) {
        HttpRequest.Builder b = request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b);
    }

    /** Submits a prompt and returns the 202's job view. */
    JsonNode submit(String prompt) {
        HttpResponse<String> r = postJson("/v1/jobs", "{\"prompt\": " + quote(prompt) + ", \"model\": \"fast\"}");
        assertEquals(202, r.statusCode(), r.body());
        return json(r);
    }

    /** Polls with the API's long poll until the job is terminal. */
    JsonNode awaitTerminal(String jobId, Duration limit) {
        Instant end = Instant.now().plus(limit);
        JsonNode job = null;
        while (Instant.now().isBefore(end)) {
            HttpResponse<String> r = get("/v1/jobs/" + jobId + "?wait=5");
            assertEquals(200, r.statusCode(), r.body());
            job = json(r);
            if (TERMINAL.contains(job.path("status").asText())) {
                return job;
            }
        }
        fail("job " + jobId + " did not finish within " + limit + "; last seen " + job);
        return job;
    }

    List<JsonNode> awaitAll(List<String> jobIds, Duration limit) {
        return jobIds.stream().map(id -> awaitTerminal(id, limit)).toList();
    }

    static JsonNode json(HttpResponse<String> r) {
        return parse(r.body());
    }

    static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    static String quote(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
