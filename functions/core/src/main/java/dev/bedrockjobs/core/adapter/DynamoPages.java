package dev.bedrockjobs.core.adapter;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import software.amazon.awssdk.core.pagination.sync.SdkIterable;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * Reading a Query or a Scan past its first response. DynamoDB stops a response at the request's {@code Limit} or at
 * 1 MB read, whichever comes first, and hands back a {@code LastEvaluatedKey} to start the next one from (no key, or
 * an empty one, on the last); a filter applies after that, so a response may hold fewer items than asked for, even
 * none, and still not be the last
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.Pagination.html).
 *
 * <p>The SDK's paginators ({@code queryPaginator}, {@code scanPaginator}) do exactly that chaining and ask for a
 * response only when the one before is used up, so a stream cut short ({@code limit}, {@code findFirst}) stops the
 * requests too. What they do not do is hand a page to a client with a cursor to come back with: {@link #page} does.
 */
public final class DynamoPages {
    private DynamoPages() {}

    /** Every response of the query, each asked for when the iteration reaches it. */
    public static SdkIterable<QueryResponse> pages(DynamoDbClient dynamo, QueryRequest query) {
        return dynamo.queryPaginator(query);
    }

    /** Every response of the scan, each asked for when the iteration reaches it. */
    public static SdkIterable<ScanResponse> pages(DynamoDbClient dynamo, ScanRequest scan) {
        return dynamo.scanPaginator(scan);
    }

    /** Every item the query returns, in order, read as far as the stream is consumed. */
    public static Stream<Map<String, AttributeValue>> items(DynamoDbClient dynamo, QueryRequest query) {
        return dynamo.queryPaginator(query).items().stream();
    }

    /** Every item the scan returns, read as far as the stream is consumed. */
    public static Stream<Map<String, AttributeValue>> items(DynamoDbClient dynamo, ScanRequest scan) {
        return dynamo.scanPaginator(scan).items().stream();
    }

    /**
     * One page of a listing a client reads on with a cursor.
     *
     * @param resumeAfter the key to pass back as {@code ExclusiveStartKey} for the next page (the whole last item
     *                    handed out, or the response's {@code LastEvaluatedKey}; the caller keeps the key attributes it
     *                    needs), or null when the listing has nothing more
     */
    public record ItemPage(List<Map<String, AttributeValue>> items, Map<String, AttributeValue> resumeAfter) {
        public ItemPage {
            items = List.copyOf(items);
        }
    }

    /**
     * Up to {@code limit} items of the query, starting after its {@code ExclusiveStartKey}, in at most
     * {@code maxRequests} requests: a filter can leave responses nearly empty, and a client's page must not turn into a
     * scan of the whole partition. A page cut short by that bound still says where to go on from.
     */
    public static ItemPage page(DynamoDbClient dynamo, QueryRequest query, int limit, int maxRequests) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> lastEvaluated = null;
        Iterator<QueryResponse> responses = dynamo.queryPaginator(query).iterator();
        for (int request = 0; request < maxRequests && items.size() < limit && responses.hasNext(); request++) {
            QueryResponse response = responses.next();
            response.items().stream().limit(limit - items.size()).forEach(items::add);
            lastEvaluated = response.hasLastEvaluatedKey()
                            && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey()
                    : null;
        }
        // Resume after the last item handed out, not after the last one read: a response may go on past the limit.
        if (items.size() == limit && !items.isEmpty()) {
            return new ItemPage(items, items.get(items.size() - 1));
        }
        return new ItemPage(items, lastEvaluated);
    }
}
