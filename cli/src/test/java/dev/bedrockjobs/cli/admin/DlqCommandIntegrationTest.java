package dev.bedrockjobs.cli.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bedrockjobs.cli.CliContext;
import dev.bedrockjobs.cli.Main;
import dev.bedrockjobs.core.adapter.DynamoJobStore;
import dev.bedrockjobs.core.domain.Ids;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import dev.bedrockjobs.local.emulators.template.TemplateTables;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * {@code admin dlq list|redrive} against ElasticMQ and dynalite laid out as the local stack lays them out (queues
 * named by their logical ids, an {@code endpoints.json} in the data directory).
 */
class DlqCommandIntegrationTest {
    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

    @TempDir
    static Path data;

    private static SqsClient sqs;
    private static DynamoJobStore jobs;
    private static String jobsQueue;
    private static String jobsDlq;
    private static String webhooksQueue;
    private static String webhooksDlq;

    @BeforeAll
    static void stack() throws Exception {
        sqs = SharedEmulators.sqsClient();
        DynamoDbClient dynamo = SharedEmulators.dynamoClient();
        TemplateTables.create(dynamo, SharedEmulators.template(), "JobsTable", "JobsTable");
        jobs = new DynamoJobStore(dynamo, "JobsTable", Duration.ofDays(30));
        jobsQueue = sqs.createQueue(c -> c.queueName("JobsQueue")).queueUrl();
        jobsDlq = sqs.createQueue(c -> c.queueName("JobsDeadLetterQueue")).queueUrl();
        webhooksQueue = sqs.createQueue(c -> c.queueName("WebhooksQueue")).queueUrl();
        webhooksDlq =
                sqs.createQueue(c -> c.queueName("WebhooksDeadLetterQueue")).queueUrl();
        Files.writeString(
                data.resolve("endpoints.json"),
                "{\"sqs\": \"" + SharedEmulators.elasticMq().endpoint() + "\", \"dynamodb\": \""
                        + SharedEmulators.dynalite().endpoint() + "\"}");
    }

    private record Run(int exit, String out, String err) {}

    private static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = Main.commandLine(new CliContext(Map.of(), data, false, null, millis -> {}));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static Job job(JobStatus status) {
        Job j = Job.builder()
                .id(Ids.newJobId(T0))
                .tenantId("t")
                .request(rq -> rq.tier("fast").modelId("m").prompt("p").maxTokens(10))
                .progress(pr -> pr.createdAt(T0))
                .build();
        jobs.create(j);
        if (status == JobStatus.SUCCEEDED) {
            Job claimed = jobs.claim(j.id(), "tok", T0, T0.plusSeconds(60)).orElseThrow();
            jobs.finish(claimed.toBuilder()
                    .progress(pr -> pr.status(JobStatus.SUCCEEDED).finishedAt(T0.plusSeconds(1)))
                    .build());
        } else if (status == JobStatus.FAILED) {
            jobs.failUndeliverable(j.id(), new Job.Error("dead_lettered", "to the DLQ"), T0.plusSeconds(1));
        }
        return j;
    }

    private static void deadLetter(String dlq, String body) {
        sqs.sendMessage(s -> s.queueUrl(dlq).messageBody(body));
    }

    private static long visible(String url) {
        return Long.parseLong(sqs.getQueueAttributes(
                        g -> g.queueUrl(url).attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                .attributes()
                .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
    }

    private static List<String> drain(String url) {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            var page = sqs.receiveMessage(
                            r -> r.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(0))
                    .messages();
            if (page.isEmpty()) {
                break;
            }
            page.forEach(m -> {
                bodies.add(m.body());
                sqs.deleteMessage(d -> d.queueUrl(url).receiptHandle(m.receiptHandle()));
            });
        }
        return bodies;
    }

    @Test
    void listShowsTheJobsDlqWithoutConsumingItAndRedriveMovesOnlyUnfinishedJobs() {
        Job stuck = job(JobStatus.QUEUED);
        Job deadLettered = job(JobStatus.FAILED);
        Job done = job(JobStatus.SUCCEEDED);
        for (Job j : List.of(stuck, deadLettered, done)) {
            deadLetter(jobsDlq, "{\"jobId\":\"" + j.id() + "\",\"tenantId\":\"t\"}");
        }
        deadLetter(jobsDlq, "not json");

        Run list = cli("admin", "dlq", "list", "--local", data.toString());
        assertEquals(0, list.exit(), list.err());
        assertTrue(list.out().contains("jobs DLQ: 4 messages visible"), list.out());
        for (Job j : List.of(stuck, deadLettered, done)) {
            assertTrue(list.out().contains(j.id() + "  receives=1"), list.out());
        }
        assertEquals(4, visible(jobsDlq), "listing consumed nothing and left every message visible");

        Run redrive = cli("admin", "dlq", "redrive", "--local", data.toString(), "--queue", "jobs");
        assertEquals(1, redrive.exit(), redrive.out() + redrive.err());
        assertTrue(redrive.out().contains("moved 1, left 3"), redrive.out());
        assertTrue(
                redrive.out().contains(deadLettered.id() + ": job is already failed (dead_lettered)"), redrive.out());
        assertEquals(List.of("{\"jobId\":\"" + stuck.id() + "\",\"tenantId\":\"t\"}"), drain(jobsQueue));
        assertEquals(3, visible(jobsDlq), "the finished jobs' messages stay, visible again");
        assertEquals(
                JobStatus.FAILED,
                jobs.get(deadLettered.id()).orElseThrow().progress().status(),
                "a dead-lettered job is never moved back to queued");
        drain(jobsDlq);
    }

    @Test
    void redriveMovesEveryWebhookEventBackUpToTheLimit() {
        for (int i = 0; i < 3; i++) {
            deadLetter(webhooksDlq, "{\"id\":\"evt_" + i + "\",\"type\":\"job.succeeded\"}");
        }
        Run first = cli("admin", "dlq", "redrive", "--local", data.toString(), "--queue", "webhooks", "--max", "2");
        assertEquals(0, first.exit(), first.out() + first.err());
        assertTrue(first.out().contains("moved 2, left 0"), first.out());
        assertEquals(1, visible(webhooksDlq));
        Run rest = cli("admin", "dlq", "redrive", "--local", data.toString(), "--queue", "webhooks");
        assertTrue(rest.out().contains("moved 1, left 0"), rest.out());
        assertEquals(3, drain(webhooksQueue).size());
        assertEquals(0, visible(webhooksDlq));
    }

    @Test
    void aDeployedStackNeedsItsQueueUrlsAndAnUnknownQueueIsAUsageError() {
        Run noUrls = cli("admin", "dlq", "list");
        assertEquals(2, noUrls.exit());
        assertTrue(noUrls.err().contains("--jobs-queue-url"), noUrls.err());
        Run unknown = cli("admin", "dlq", "list", "--local", data.toString(), "--queue", "mail");
        assertEquals(2, unknown.exit());
        assertTrue(unknown.err().contains("jobs or webhooks"), unknown.err());
    }
}
