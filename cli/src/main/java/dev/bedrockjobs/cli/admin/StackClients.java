package dev.bedrockjobs.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bedrockjobs.cli.CliContext;
import dev.bedrockjobs.cli.CliException;
import dev.bedrockjobs.core.adapter.AwsClients;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

/**
 * The AWS clients of the admin commands, one way for all of them: a deployed stack's, with the operator's credentials
 * and region, or a running local stack's, whose emulator endpoints and table name are in {@code <data>/endpoints.json}.
 */
final class StackClients {
    /** The local stack's data directory when {@code --local} names none: {@code .local} here or in a parent. */
    static final String LOCAL_DATA = ".local";
    /** What a local stack's table is named when its endpoints.json predates the jobsTable entry. */
    static final String LOCAL_TABLE = "JobsTable";

    private StackClients() {}

    /** A running local stack: clients pointed at its emulators, and its table's name. */
    record Local(Path data, AwsClients clients, String jobsTable) {}

    /** The operator's credentials; the region from {@code region}, else the environment, else the AWS profile. */
    static AwsClients deployed(CliContext ctx, String region) {
        Map<String, String> env = new HashMap<>(ctx.env());
        if (region != null) {
            env.put("AWS_REGION", region);
        } else if (blank(env.get("AWS_REGION")) && blank(env.get("AWS_DEFAULT_REGION"))) {
            try {
                env.put(
                        "AWS_REGION",
                        new DefaultAwsRegionProviderChain().getRegion().id());
            } catch (SdkClientException noneConfigured) {
                // AwsClients falls back to its default region
            }
        }
        return new AwsClients(env);
    }

    /** @param local what {@code --local} was given: a data directory, or empty to look for {@code .local} */
    static Local local(CliContext ctx, String local) {
        Path data =
                local.isEmpty() ? findLocalData(ctx) : ctx.workingDirectory().resolve(local);
        Path file = data.resolve("endpoints.json");
        JsonNode endpoints;
        try {
            endpoints = new ObjectMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            throw CliException.usage("cannot read " + file + " (is a local stack running with that data "
                    + "directory? start it with local/run): " + e.getMessage());
        }
        Map<String, String> env = new HashMap<>(Map.of("AWS_REGION", "us-east-1"));
        endpoint(endpoints, "dynamodb").ifPresent(e -> env.put("AWS_ENDPOINT_URL_DYNAMODB", e));
        endpoint(endpoints, "sqs").ifPresent(e -> env.put("AWS_ENDPOINT_URL_SQS", e));
        return new Local(data, new AwsClients(env), endpoints.path("jobsTable").asText(LOCAL_TABLE));
    }

    /** @throws CliException if the local stack's endpoints.json does not name {@code service}'s endpoint */
    static void requireEndpoint(Local local, String service) {
        if (local.clients().endpointFor(service.toUpperCase(Locale.ROOT)).isEmpty()) {
            throw CliException.usage(local.data().resolve("endpoints.json") + " names no " + service + " endpoint");
        }
    }

    private static Optional<String> endpoint(JsonNode endpoints, String service) {
        String e = endpoints.path(service).asText(null);
        return Optional.ofNullable(blank(e) ? null : e);
    }

    private static Path findLocalData(CliContext ctx) {
        for (Path dir = ctx.workingDirectory(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve(LOCAL_DATA).resolve("endpoints.json"))) {
                return dir.resolve(LOCAL_DATA);
            }
        }
        throw CliException.usage("no " + LOCAL_DATA + "/endpoints.json here or above: pass --local DATA");
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
