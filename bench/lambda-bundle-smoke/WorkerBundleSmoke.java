import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.bedrockjobs.worker.WorkerHandler;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.SdkAdvancedClientOption;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the worker's Lambda bundle, alone on the classpath as Lambda would, against a local stack whose own event
 * sources are off: takes the queued job's message and hands it to WorkerHandler, then reads the job back. Proves
 * the trimmed bundle has every class the worker's real path needs. Args: the stack's data folder.
 */
public class WorkerBundleSmoke {
    public static void main(String[] args) throws Exception {
        String endpoints = Files.readString(Path.of(args[0], "endpoints.json"));
        URI dynamo = URI.create(field(endpoints, "dynamodb"));
        URI sqsUri = URI.create(field(endpoints, "sqs"));
        URI sfnUri = URI.create(field(endpoints, "stepfunctions"));
        var creds = StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
        DynamoDbClient ddb = DynamoDbClient.builder().endpointOverride(dynamo).region(Region.US_EAST_1)
                .credentialsProvider(creds).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        SqsClient sqs = SqsClient.builder().endpointOverride(sqsUri).region(Region.US_EAST_1)
                .credentialsProvider(creds).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        SfnClient sfn = SfnClient.builder().endpointOverride(sfnUri).region(Region.US_EAST_1).credentialsProvider(creds)
                .overrideConfiguration(c -> c.putAdvancedOption(SdkAdvancedClientOption.DISABLE_HOST_PREFIX_INJECTION, true))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        String table = ddb.listTables().tableNames().get(0);
        List<String> queues = sqs.listQueues().queueUrls();
        String jobsQueue = queues.stream().filter(q -> q.matches("(?i).*/[^/]*jobsqueue[^/]*")).findFirst().orElseThrow();
        String webhooksQueue = queues.stream().filter(q -> q.matches("(?i).*/[^/]*webhooksqueue[^/]*")).findFirst()
                .orElseThrow();
        Map<String, String> env = new HashMap<>();
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ENDPOINT_URL_DYNAMODB", dynamo.toString());
        env.put("AWS_ENDPOINT_URL_SQS", sqsUri.toString());
        env.put("AWS_ENDPOINT_URL_SFN", sfnUri.toString());
        env.put("JOBS_TABLE", table);
        env.put("WEBHOOKS_QUEUE_URL", webhooksQueue);
        env.put("STATE_MACHINE_ARN", sfn.listStateMachines().stateMachines().get(0).stateMachineArn());
        env.put("MAX_RECEIVE_COUNT", "5");
        env.put("LEASE_SECONDS", "330");

        List<Message> messages = sqs.receiveMessage(r -> r.queueUrl(jobsQueue).waitTimeSeconds(5)
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
        SQSEvent event = new SQSEvent();
        event.setRecords(messages.stream().map(m -> {
            SQSEvent.SQSMessage r = new SQSEvent.SQSMessage();
            r.setMessageId(m.messageId());
            r.setReceiptHandle(m.receiptHandle());
            r.setBody(m.body());
            Map<String, String> attributes = new HashMap<>();
            m.attributes().forEach((k, v) -> attributes.put(k.toString(), v));
            r.setAttributes(attributes);
            r.setEventSource("aws:sqs");
            return r;
        }).toList());
        SQSBatchResponse response = new WorkerHandler(env).handleRequest(event, null);
        System.out.println("messages " + messages.size() + ", failures " + response.getBatchItemFailures().size());
        for (Message m : messages) {
            String jobId = field(m.body(), "jobId");
            Map<String, AttributeValue> item = ddb.getItem(g -> g.tableName(table)
                    .key(Map.of("pk", AttributeValue.fromS("JOB#" + jobId), "sk", AttributeValue.fromS("JOB")))).item();
            System.out.println(jobId + " " + item.get("status").s() + " tokens " + item.get("outputTokens").n());
        }
        System.exit(messages.isEmpty() || !response.getBatchItemFailures().isEmpty() ? 1 : 0);
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in " + json);
        }
        return m.group(1);
    }
}
