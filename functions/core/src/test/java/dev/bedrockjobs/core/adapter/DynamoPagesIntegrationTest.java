package dev.bedrockjobs.core.adapter;

import static dev.bedrockjobs.core.adapter.JobItems.PK;
import static dev.bedrockjobs.core.adapter.JobItems.SK;
import static dev.bedrockjobs.core.adapter.JobItems.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

/**
 * Queries and scans read past one response against dynalite. A small {@code Limit} per request stands in for the
 * 1 MB a real response stops at: both end a response with a key to go on from.
 */
class DynamoPagesIntegrationTest {
    private static final int ITEMS = 7;
    private static final List<String> ALL =
            IntStream.range(0, ITEMS).mapToObj(i -> "item#" + i).toList();

    private static DynamoDbClient dynamo;
    private static String table;
    private static final AtomicInteger REQUESTS = new AtomicInteger();

    @BeforeAll
    static void oneLongPartition() {
        ExecutionInterceptor counting = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                REQUESTS.incrementAndGet();
            }
        };
        dynamo = DynamoDbClient.builder()
                .endpointOverride(SharedEmulators.dynalite().endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(c -> c.addExecutionInterceptor(counting))
                .build();
        table = SharedEmulators.newJobsTable("pages");
        for (String sk : ALL) {
            dynamo.putItem(p -> p.tableName(table)
                    .item(Map.of(
                            PK,
                            s("LIST"),
                            SK,
                            s(sk),
                            "odd",
                            AttributeValue.fromBool(sk.charAt(sk.length() - 1) % 2 == 1))));
        }
    }

    @BeforeEach
    void countFromHere() {
        REQUESTS.set(0);
    }

    /** The whole partition, {@code perRequest} items a response. */
    private static QueryRequest.Builder list(int perRequest) {
        return QueryRequest.builder()
                .tableName(table)
                .keyConditionExpression("pk = :p")
                .expressionAttributeValues(Map.of(":p", s("LIST")))
                .limit(perRequest);
    }

    private static List<String> sortKeys(List<Map<String, AttributeValue>> items) {
        return items.stream().map(i -> i.get(SK).s()).toList();
    }

    @Test
    void aQueryOverMoreItemsThanOneResponseIsReadToTheEnd() {
        assertEquals(ALL, sortKeys(DynamoPages.items(dynamo, list(3).build()).toList()));
        assertEquals(3, REQUESTS.get(), "three items, three items, one item");
    }

    @Test
    void aLimitAcrossAResponseBoundaryAsksForNoFurtherResponse() {
        assertEquals(
                ALL.subList(0, 4),
                sortKeys(DynamoPages.items(dynamo, list(3).build()).limit(4).toList()));
        assertEquals(2, REQUESTS.get(), "the third response is never asked for");
    }

    @Test
    void aScanIsReadToTheEndToo() {
        List<String> scanned = sortKeys(DynamoPages.items(
                        dynamo, ScanRequest.builder().tableName(table).limit(2).build())
                .toList());
        assertEquals(ALL, scanned.stream().sorted().toList());
    }

    @Test
    void aClientReadsEveryItemOnceByPassingTheCursorBack() {
        List<String> seen = new ArrayList<>();
        Map<String, AttributeValue> cursor = null;
        int pages = 0;
        do {
            DynamoPages.ItemPage page =
                    DynamoPages.page(dynamo, list(3).exclusiveStartKey(cursor).build(), 3, 1);
            seen.addAll(sortKeys(page.items()));
            cursor = page.resumeAfter() == null ? null : keyOf(page.resumeAfter());
            pages++;
        } while (cursor != null);
        assertEquals(ALL, seen);
        assertEquals(3, pages, "the last page, one item short, says there is no more");
    }

    @Test
    void aPageFullBeforeItsResponseEndsResumesAfterTheLastItemHandedOut() {
        DynamoPages.ItemPage first = DynamoPages.page(dynamo, list(5).build(), 2, 10);
        assertEquals(ALL.subList(0, 2), sortKeys(first.items()));
        assertEquals(ALL.get(1), first.resumeAfter().get(SK).s(), "not the fifth item, which the response ended on");
        DynamoPages.ItemPage next = DynamoPages.page(
                dynamo, list(5).exclusiveStartKey(keyOf(first.resumeAfter())).build(), 2, 10);
        assertEquals(ALL.subList(2, 4), sortKeys(next.items()));
    }

    @Test
    void aPageFilledAcrossResponsesTakesOnlyWhatItNeedsFromTheLast() {
        // two responses of three: the page takes all of the first and one of the second
        DynamoPages.ItemPage page = DynamoPages.page(dynamo, list(3).build(), 4, 10);
        assertEquals(ALL.subList(0, 4), sortKeys(page.items()));
        assertEquals(ALL.get(3), page.resumeAfter().get(SK).s());
        assertEquals(2, REQUESTS.get());
    }

    @Test
    void aFilteredPageCutShortByItsRequestBoundStillSaysWhereToGoOn() {
        QueryRequest.Builder odd = list(2).filterExpression("odd = :t")
                .expressionAttributeValues(Map.of(":p", s("LIST"), ":t", AttributeValue.fromBool(true)));
        DynamoPages.ItemPage page = DynamoPages.page(dynamo, odd.build(), 3, 2);
        assertEquals(List.of("item#1", "item#3"), sortKeys(page.items()), "four items read, two kept");
        assertEquals(2, REQUESTS.get());
        assertNotNull(page.resumeAfter());
        assertEquals("item#3", page.resumeAfter().get(SK).s(), "where the second response ended");
        DynamoPages.ItemPage rest = DynamoPages.page(
                dynamo, odd.exclusiveStartKey(keyOf(page.resumeAfter())).build(), 3, 10);
        assertEquals(List.of("item#5"), sortKeys(rest.items()));
        assertNull(rest.resumeAfter());
    }

    private static Map<String, AttributeValue> keyOf(Map<String, AttributeValue> item) {
        return Map.of(PK, item.get(PK), SK, item.get(SK));
    }
}
