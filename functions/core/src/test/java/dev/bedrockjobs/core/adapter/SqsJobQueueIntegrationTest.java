package dev.bedrockjobs.core.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.port.JobQueue.JobMessage;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/** The SQS adapter against embedded ElasticMQ. */
class SqsJobQueueIntegrationTest {
    private final SqsClient sqs = SharedEmulators.sqsClient();

    private List<Message> drain(String url, int expected) {
        List<Message> all = new ArrayList<>();
        for (int i = 0; i < 20 && all.size() < expected; i++) {
            all.addAll(sqs.receiveMessage(r -> r.queueUrl(url)
                            .maxNumberOfMessages(10)
                            .waitTimeSeconds(1)
                            .messageAttributeNames("All"))
                    .messages());
        }
        return all;
    }

    @Test
    void oneMessageCarriesTheJobInBodyAndAttributes() {
        String url = SharedEmulators.newQueue("jobs-single", Map.of());
        new SqsJobQueue(sqs, url).send(new JobMessage("job_1", "tenant-a"));
        Message m = drain(url, 1).get(0);
        JsonNode body = Json.parse(m.body());
        assertEquals("job_1", body.get("jobId").asText());
        assertEquals("tenant-a", body.get("tenantId").asText());
        assertEquals("job_1", m.messageAttributes().get("jobId").stringValue());
        assertEquals("tenant-a", m.messageAttributes().get("tenantId").stringValue());
    }

    @Test
    void manyMessagesGoInBatchesOfTen() {
        String url = SharedEmulators.newQueue("jobs-batch", Map.of());
        List<JobMessage> messages = IntStream.range(0, 25)
                .mapToObj(i -> new JobMessage("job_" + i, "t"))
                .toList();
        assertTrue(new SqsJobQueue(sqs, url).sendAll(messages).isEmpty());
        Set<String> ids = new HashSet<>();
        drain(url, 25).forEach(m -> ids.add(Json.parse(m.body()).get("jobId").asText()));
        assertEquals(25, ids.size());
    }
}
