package dev.bedrockjobs.submit.bench;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import dev.bedrockjobs.core.adapter.AwsClients;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import dev.bedrockjobs.submit.SubmitHandler;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * CPU time the submit handler spends per request, and how much of it is the two AWS calls (PutItem + SendMessage
 * with the same payload sizes, through the same SDK clients), both answered by the local emulators. Thread CPU time
 * leaves out the time spent waiting on the emulators. Run:
 * {@code mvn -q -f functions/submit/pom.xml exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.bedrockjobs.submit.bench.SubmitHandlerCpuBench}
 */
public final class SubmitHandlerCpuBench {
    private static final int WARMUP = 3000;
    private static final int MEASURED = 3000;

    public static void main(String[] args) throws Exception {
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        String table = SharedEmulators.newJobsTable("bench");
        String queue = SharedEmulators.newQueue("bench", Map.of());
        Map<String, String> env = SharedEmulators.functionEnvironment(table, queue);
        SubmitHandler handler = new SubmitHandler(env);
        APIGatewayV2HTTPEvent event = loadEvent();

        long[] handlerCpu = new long[MEASURED];
        for (int i = 0; i < WARMUP + MEASURED; i++) {
            long before = cpu.getCurrentThreadCpuTime();
            int status = handler.handleRequest(event, null).getStatusCode();
            long spent = cpu.getCurrentThreadCpuTime() - before;
            if (status != 202) {
                throw new IllegalStateException("unexpected status " + status);
            }
            if (i >= WARMUP) {
                handlerCpu[i - WARMUP] = spent;
            }
        }

        AwsClients aws = new AwsClients(env);
        DynamoDbClient dynamo = aws.dynamoDb();
        SqsClient sqs = aws.sqs();
        String prompt = Json.parse(event.getBody()).get("prompt").asText();
        long[] callsCpu = new long[MEASURED];
        for (int i = 0; i < WARMUP + MEASURED; i++) {
            Map<String, AttributeValue> item = jobLikeItem(prompt);
            long before = cpu.getCurrentThreadCpuTime();
            dynamo.putItem(r -> r.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
            sqs.sendMessage(r -> r.queueUrl(queue)
                    .messageBody("{\"jobId\":\"job_01JDQ8Z6V3N4T5R6S7P8Q9W0XY\"," + "\"tenantId\":\"tenant-a\"}"));
            long spent = cpu.getCurrentThreadCpuTime() - before;
            if (i >= WARMUP) {
                callsCpu[i - WARMUP] = spent;
            }
        }
        double handlerMedian = median(handlerCpu) / 1e6;
        double callsMedian = median(callsCpu) / 1e6;
        System.out.printf(
                "submit handler CPU per request: median %.3f ms, mean %.3f ms%n",
                handlerMedian, mean(handlerCpu) / 1e6);
        System.out.printf(
                "the two AWS calls alone:        median %.3f ms, mean %.3f ms%n", callsMedian, mean(callsCpu) / 1e6);
        System.out.printf("handler code beyond the calls:  median %.3f ms%n", handlerMedian - callsMedian);
        System.exit(0);
    }

    private static Map<String, AttributeValue> jobLikeItem(String prompt) {
        String id = "job_" + UUID.randomUUID();
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("pk", AttributeValue.fromS("JOB#" + id));
        item.put("sk", AttributeValue.fromS("JOB"));
        item.put("gsi1pk", AttributeValue.fromS("TENANT#tenant-a"));
        item.put("gsi1sk", AttributeValue.fromS("2026-11-27T10:00:00Z#" + id));
        item.put("prompt", AttributeValue.fromS(prompt));
        for (String k : new String[] {"id", "tenantId", "status", "tier", "modelId", "createdAt", "requestHash"}) {
            item.put(k, AttributeValue.fromS(k + "-value-of-realistic-length-0123456789"));
        }
        item.put("maxTokens", AttributeValue.fromN("512"));
        item.put("attempts", AttributeValue.fromN("0"));
        item.put("ttl", AttributeValue.fromN("1798366530"));
        item.put(
                "metadata",
                AttributeValue.fromM(
                        Map.of("repo", AttributeValue.fromS("payments"), "pr", AttributeValue.fromS("1842"))));
        return item;
    }

    private static APIGatewayV2HTTPEvent loadEvent() throws Exception {
        try (InputStream in = SubmitHandlerCpuBench.class.getResourceAsStream("/events/submit-job.json")) {
            return LambdaEventSerializers.serializerFor(
                            APIGatewayV2HTTPEvent.class, SubmitHandlerCpuBench.class.getClassLoader())
                    .fromJson(in);
        }
    }

    private static double median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static double mean(long[] v) {
        return Arrays.stream(v).average().orElse(0);
    }
}
