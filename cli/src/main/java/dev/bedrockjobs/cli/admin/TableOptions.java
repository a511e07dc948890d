package dev.bedrockjobs.cli.admin;

import dev.bedrockjobs.cli.CliContext;
import dev.bedrockjobs.cli.CliException;
import dev.bedrockjobs.core.adapter.DynamoApiKeys;
import dev.bedrockjobs.core.adapter.DynamoTenantLimitOverrides;
import dev.bedrockjobs.core.adapter.DynamoTenants;
import java.util.function.Function;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/**
 * Which table the admin commands work on: a deployed one ({@code --table}, with the default AWS credentials and
 * region, or {@code --region}), or a running local stack's ({@code --local [DATA]}, found through
 * {@code <DATA>/endpoints.json}).
 */
final class TableOptions {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    static final class Target {
        @Option(
                names = "--table",
                paramLabel = "NAME",
                description = "the deployment's jobs table (stack output JobsTableName)")
        String table;

        @Option(
                names = "--local",
                paramLabel = "DATA",
                arity = "0..1",
                fallbackValue = "",
                description = "a running local stack, by its data directory (default: .local in this or a "
                        + "parent directory)")
        String local;
    }

    @Option(
            names = "--region",
            paramLabel = "REGION",
            description = "AWS region of --table (default: $AWS_REGION, the AWS profile's)")
    String region;

    /** The table's name and a client for it; the caller closes the client. */
    record Connection(DynamoDbClient dynamo, String table) implements AutoCloseable {
        DynamoApiKeys apiKeys() {
            return new DynamoApiKeys(dynamo, table);
        }

        DynamoTenants tenants() {
            return new DynamoTenants(dynamo, table);
        }

        DynamoTenantLimitOverrides limitOverrides() {
            return new DynamoTenantLimitOverrides(dynamo, table);
        }

        @Override
        public void close() {
            dynamo.close();
        }
    }

    /** Runs {@code work} against the chosen table's tenants, turning bad input and AWS failures into one-line errors. */
    <T> T withTenants(CliContext ctx, Function<Connection, T> work) {
        try (Connection c = connect(ctx)) {
            return work.apply(c);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        } catch (ResourceNotFoundException e) {
            throw CliException.usage("no table " + (target.table != null ? target.table : "")
                    + " there: check --table and --region (the stack output JobsTableName)");
        } catch (SdkException e) {
            throw new CliException(CliException.USAGE, "DynamoDB: " + e.getMessage(), e);
        }
    }

    Connection connect(CliContext ctx) {
        if (target.local != null) {
            if (region != null) {
                throw CliException.usage("--region applies to --table, not to --local");
            }
            StackClients.Local local = StackClients.local(ctx, target.local);
            StackClients.requireEndpoint(local, "dynamodb");
            return new Connection(local.clients().dynamoDb(), local.jobsTable());
        }
        return new Connection(StackClients.deployed(ctx, region).dynamoDb(), target.table);
    }
}
