package dev.bedrockjobs.cli.admin;

import dev.bedrockjobs.cli.CliContext;
import dev.bedrockjobs.cli.CliException;
import dev.bedrockjobs.core.adapter.AwsClients;
import dev.bedrockjobs.core.adapter.DynamoJobStore;
import java.time.Duration;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Where the queues and the table are: the local stack's (from {@code <data>/endpoints.json}, queues named by their
 * template logical ids) or a deployed stack's, given as the stack's outputs ({@code JobsQueueUrl},
 * {@code JobsDeadLetterQueueUrl}, {@code BulkJobsQueueUrl}, {@code BulkJobsDeadLetterQueueUrl}, {@code WebhooksQueueUrl}, {@code WebhooksDeadLetterQueueUrl}, {@code JobsTableName})
 * with the default AWS credentials and region.
 */
public final class StackQueues {
    @Option(
            names = "--local",
            arity = "0..1",
            paramLabel = "DATA",
            fallbackValue = "",
            description = "the local stack (local/run) whose data directory is DATA (default: .local in this or a "
                    + "parent directory)")
    String local;

    @Option(names = "--jobs-queue-url", description = "deployed: the stack's JobsQueueUrl output")
    String jobsQueueUrl;

    @Option(names = "--jobs-dlq-url", description = "deployed: the stack's JobsDeadLetterQueueUrl output")
    String jobsDlqUrl;

    @Option(names = "--bulk-jobs-queue-url", description = "deployed: the stack's BulkJobsQueueUrl output")
    String bulkJobsQueueUrl;

    @Option(names = "--bulk-jobs-dlq-url", description = "deployed: the stack's BulkJobsDeadLetterQueueUrl output")
    String bulkJobsDlqUrl;

    @Option(names = "--webhooks-queue-url", description = "deployed: the stack's WebhooksQueueUrl output")
    String webhooksQueueUrl;

    @Option(names = "--webhooks-dlq-url", description = "deployed: the stack's WebhooksDeadLetterQueueUrl output")
    String webhooksDlqUrl;

    @Option(names = "--table", description = "deployed: the stack's JobsTableName output (jobs redrive reads it)")
    String table;

    @Option(names = "--region", description = "deployed: the stack's region (default: the AWS SDK's chain)")
    String region;

    /** A connection to one DLQ, its source queue and (for jobs) the table. Close it when done. */
    public record Connection(SqsClient sqs, DynamoDbClient dynamo, DeadLetterQueue queue) implements AutoCloseable {
        @Override
        public void close() {
            sqs.close();
            if (dynamo != null) {
                dynamo.close();
            }
        }
    }

    Connection connect(DeadLetterQueue.Kind kind, CliContext ctx) {
        if (local != null) {
            return connectLocal(kind, StackClients.local(ctx, local));
        }
        boolean jobs = kind.holdsJobs();
        String source = switch (kind) {
            case JOBS -> required(jobsQueueUrl, "--jobs-queue-url");
            case BULK_JOBS -> required(bulkJobsQueueUrl, "--bulk-jobs-queue-url");
            case WEBHOOKS -> required(webhooksQueueUrl, "--webhooks-queue-url");
        };
        String dlq = switch (kind) {
            case JOBS -> required(jobsDlqUrl, "--jobs-dlq-url");
            case BULK_JOBS -> required(bulkJobsDlqUrl, "--bulk-jobs-dlq-url");
            case WEBHOOKS -> required(webhooksDlqUrl, "--webhooks-dlq-url");
        };
        AwsClients clients = StackClients.deployed(ctx, region);
        SqsClient sqs = clients.sqs();
        DynamoDbClient dynamo = jobs && table != null ? clients.dynamoDb() : null;
        return new Connection(
                sqs,
                dynamo,
                new DeadLetterQueue(
                        sqs,
                        kind,
                        dlq,
                        source,
                        dynamo == null ? null : new DynamoJobStore(dynamo, table, Duration.ofDays(30))));
    }

    /** The table is only needed to redrive jobs; listing works without it. */
    static void requireTable(Connection c, DeadLetterQueue.Kind kind) {
        if (kind.holdsJobs() && c.dynamo() == null) {
            throw CliException.usage("redriving jobs reads their status: pass --table (the JobsTableName output)");
        }
    }

    private static Connection connectLocal(DeadLetterQueue.Kind kind, StackClients.Local local) {
        StackClients.requireEndpoint(local, "sqs");
        SqsClient sqs = local.clients().sqs();
        DynamoDbClient dynamo = local.clients().dynamoDb();
        String sourceName = switch (kind) {
            case JOBS -> "JobsQueue";
            case BULK_JOBS -> "BulkJobsQueue";
            case WEBHOOKS -> "WebhooksQueue";
        };
        try {
            String source = sqs.getQueueUrl(g -> g.queueName(sourceName)).queueUrl();
            String dlq = sqs.getQueueUrl(g -> g.queueName(sourceName.replace("Queue", "DeadLetterQueue")))
                    .queueUrl();
            return new Connection(
                    sqs,
                    dynamo,
                    new DeadLetterQueue(
                            sqs,
                            kind,
                            dlq,
                            source,
                            new DynamoJobStore(dynamo, local.jobsTable(), Duration.ofDays(30))));
        } catch (RuntimeException e) {
            sqs.close();
            dynamo.close();
            throw CliException.usage(
                    "the local stack in " + local.data() + " does not answer (" + e.getMessage() + ")");
        }
    }

    private static String required(String value, String flag) {
        if (value == null || value.isBlank()) {
            throw CliException.usage("pass --local for the local stack, or " + flag + " for a deployed one");
        }
        return value.strip();
    }
}
