package dev.bedrockjobs.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bedrockjobs.cli.CliContext;
import dev.bedrockjobs.cli.CliException;
import dev.bedrockjobs.core.adapter.AwsClients;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Which table the admin commands work on: a deployed one ({@code --table}, with the default AWS credentials and
 * region, or {@code --region}), or a running local stack's ({@code --local [DATA]}, found through
 * {@code <DATA>/endpoints.json}).
 */
final class TableOptions {
    /** What a local stack's table is named when its endpoints.json predates the jobsTable entry. */
    static final String LOCAL_TABLE = "JobsTable";

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    static final class Target {
        @Option(names = "--table", paramLabel = "NAME",
                description = "the deployment's jobs table (stack output JobsTableName)")
        String table;

        @Option(names = "--local", paramLabel = "DATA", arity = "0..1", fallbackValue = ".local",
                description = "a running local stack, by its data directory (default .local)")
        Path local;
    }

    @Option(names = "--region", paramLabel = "REGION",
            description = "AWS region of --table (default: $AWS_REGION, the AWS profile's)")
    String region;

    /** The table's name and a client for it; the caller closes the client. */
    record Connection(DynamoDbClient dynamo, String table) implements AutoCloseable {
        @Override
        public void close() {
            dynamo.close();
        }
    }

    Connection connect(CliContext ctx) {
        if (target.local != null) {
            if (region != null) {
                throw CliException.usage("--region applies to --table, not to --local");
            }
            return local(ctx.workingDirectory().resolve(target.local));
        }
        Map<String, String> env = new HashMap<>(ctx.env());
        if (region != null) {
            env.put("AWS_REGION", region);
        }
        return new Connection(new AwsClients(env).dynamoDb(), target.table);
    }

    private static Connection local(Path data) {
        Path file = data.resolve("endpoints.json");
        JsonNode endpoints;
        try {
            endpoints = new ObjectMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            throw CliException.usage("cannot read " + file + " (is a local stack running with that data "
                    + "directory? start it with local/run): " + e.getMessage());
        }
        String dynamodb = endpoints.path("dynamodb").asText(null);
        if (dynamodb == null) {
            throw CliException.usage(file + " names no dynamodb endpoint");
        }
        String table = endpoints.path("jobsTable").asText(LOCAL_TABLE);
        Map<String, String> env = Map.of("AWS_ENDPOINT_URL_DYNAMODB", dynamodb, "AWS_REGION", "us-east-1");
        return new Connection(new AwsClients(env).dynamoDb(), table);
    }
}
