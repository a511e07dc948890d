package dev.bedrockjobs.core.adapter;

import dev.bedrockjobs.core.domain.Lane;
import dev.bedrockjobs.core.port.LaneStats;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * {@link LaneStats} in the jobs table: per lane, one item holds the last ticket ({@code pk = LANE#lane},
 * {@code sk = TICKETS}), and one item per 10-second bucket counts the jobs finished in it ({@code sk = DONE#bucket},
 * with the time of its first finish, kept an hour). A submit adds to the ticket item (one write per request, however
 * many items), a worker invocation adds to the current bucket (one write per lane it finished jobs of), and a read
 * of a queued job takes one GetItem and one Query of at most seven small items.
 */
public final class DynamoLaneStats implements LaneStats {
    static final Duration WINDOW = Duration.ofSeconds(60);
    private static final long BUCKET_SECONDS = 10;

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoLaneStats(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    private static AttributeValue pk(Lane lane) {
        return AttributeValue.fromS("LANE#" + lane.wire());
    }

    private static String bucket(Instant t) {
        return String.format("DONE#%012d", t.getEpochSecond() / BUCKET_SECONDS);
    }

    @Override
    public long takeTickets(Lane lane, int n) {
        Map<String, AttributeValue> after = dynamo.updateItem(u -> u.tableName(table)
                        .key(Map.of("pk", pk(lane), "sk", AttributeValue.fromS("TICKETS")))
                        .updateExpression("ADD lastTicket :n")
                        .expressionAttributeValues(Map.of(":n", AttributeValue.fromN(Integer.toString(n))))
                        .returnValues(ReturnValue.UPDATED_NEW))
                .attributes();
        return Long.parseLong(after.get("lastTicket").n()) - n + 1;
    }

    @Override
    public void finished(Lane lane, int jobs, Instant now) {
        dynamo.updateItem(u -> u.tableName(table)
                .key(Map.of("pk", pk(lane), "sk", AttributeValue.fromS(bucket(now))))
                .updateExpression("ADD finished :n SET firstAt = if_not_exists(firstAt, :now), #ttl = :ttl")
                .expressionAttributeNames(Map.of("#ttl", "ttl"))
                .expressionAttributeValues(Map.of(
                        ":n",
                        AttributeValue.fromN(Integer.toString(jobs)),
                        ":now",
                        AttributeValue.fromN(Long.toString(now.toEpochMilli())),
                        ":ttl",
                        AttributeValue.fromN(
                                Long.toString(now.plus(Duration.ofHours(1)).getEpochSecond())))));
    }

    @Override
    public Snapshot read(Lane lane, Instant now) {
        Map<String, AttributeValue> tickets = dynamo.getItem(
                        g -> g.tableName(table).key(Map.of("pk", pk(lane), "sk", AttributeValue.fromS("TICKETS"))))
                .item();
        long last = tickets == null || !tickets.containsKey("lastTicket")
                ? 0
                : Long.parseLong(tickets.get("lastTicket").n());
        long finished = 0;
        long first = Long.MAX_VALUE;
        for (Map<String, AttributeValue> b : dynamo.query(q -> q.tableName(table)
                        .keyConditionExpression("pk = :p AND sk BETWEEN :from AND :to")
                        .expressionAttributeValues(Map.of(
                                ":p",
                                pk(lane),
                                ":from",
                                AttributeValue.fromS(bucket(now.minus(WINDOW))),
                                ":to",
                                AttributeValue.fromS(bucket(now)))))
                .items()) {
            finished += Long.parseLong(b.get("finished").n());
            first = Math.min(first, Long.parseLong(b.get("firstAt").n()));
        }
        Duration over = finished == 0 ? Duration.ZERO : Duration.ofMillis(Math.max(0, now.toEpochMilli() - first));
        return new Snapshot(last, finished, over);
    }
}
