package dev.bedrockjobs.local.emulators.sqs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

class ElasticMqIntegrationTest {

    private static ElasticMq elasticMq;
    private static SqsClient sqs;

    @BeforeAll
    static void start() {
        elasticMq = new ElasticMq().start();
        sqs = SqsClient.builder()
                .endpointOverride(elasticMq.endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    @AfterAll
    static void stop() {
        sqs.close();
        elasticMq.close();
    }

    @Test
    void sendsAndReceivesOverTheSdkJsonProtocol() {
        String queueUrl = sqs.createQueue(b -> b.queueName("jobs-send-receive")).queueUrl();
        assertEquals(elasticMq.endpoint() + "/" + ElasticMq.ACCOUNT_ID + "/jobs-send-receive", queueUrl);

        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody("{\"jobId\":\"j-1\"}"));
        List<Message> received =
                sqs.receiveMessage(b -> b.queueUrl(queueUrl).waitTimeSeconds(1)).messages();

        assertEquals(1, received.size());
        assertEquals("{\"jobId\":\"j-1\"}", received.get(0).body());
        sqs.deleteMessage(
                b -> b.queueUrl(queueUrl).receiptHandle(received.get(0).receiptHandle()));
    }

    @Test
    void redrivePolicyMovesAMessagePastMaxReceiveCountToTheDeadLetterQueue() {
        String dlqUrl = sqs.createQueue(b -> b.queueName("jobs-redrive-dlq")).queueUrl();
        String dlqArn = sqs.getQueueAttributes(b -> b.queueUrl(dlqUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes()
                .get(QueueAttributeName.QUEUE_ARN);
        String queueUrl = sqs.createQueue(b -> b.queueName("jobs-redrive")
                        .attributes(Map.of(
                                QueueAttributeName.REDRIVE_POLICY,
                                "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"2\"}")))
                .queueUrl();

        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody("poison"));
        for (int receive = 1; receive <= 2; receive++) {
            List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(queueUrl)
                            .visibilityTimeout(0)
                            .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)
                            .waitTimeSeconds(1))
                    .messages();
            assertEquals(1, messages.size(), "receive #" + receive);
            assertEquals(
                    Integer.toString(receive),
                    messages.get(0).attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT));
        }

        assertTrue(
                sqs.receiveMessage(b -> b.queueUrl(queueUrl).waitTimeSeconds(1))
                        .messages()
                        .isEmpty(),
                "a third receive must find the message gone from the source queue");
        List<Message> deadLettered =
                sqs.receiveMessage(b -> b.queueUrl(dlqUrl).waitTimeSeconds(1)).messages();
        assertEquals(1, deadLettered.size());
        assertEquals("poison", deadLettered.get(0).body());
    }
}
