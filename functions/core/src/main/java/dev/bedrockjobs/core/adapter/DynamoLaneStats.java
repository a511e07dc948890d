package dev.bedrockjobs.core.adapter;

import dev.bedrockjobs.core.domain.Finishes;
import dev.bedrockjobs.core.domain.Lane;
import dev.bedrockjobs.core.port.LaneStats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * {@link LaneStats} in the jobs table: per lane, one item holds the last ticket ({@code pk = LANE#lane},
 * {@code sk = TICKETS}), and one item per 2-second bucket counts the jobs finished in it ({@code sk = DONE#bucket},
 * with when the work on the first of them started, and when the first and the last finished, kept an hour). A submit adds to the
 * ticket item (one write per request, however many items), a worker invocation adds to the current bucket (one write
 * per lane it finished jobs of), and a read of a queued job takes one GetItem and one Query of at most sixteen small
 * items (the last 30 s: about 1.5 KB, one read unit's worth).
 */
public final class DynamoLaneStats implements LaneStats {
    /** Long enough for a slow model's lane to show some finishes; the estimate itself favours the newest seconds. */
    static final Duration READ_BACK = Duration.ofSeconds(30);
    /** Short enough that a bucket's span is mostly busy time even in a quiet lane (one invocation or two in it). */
    private static final long BUCKET_SECONDS = 2;

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

    private static Instant millis(Map<String, AttributeValue> item, String name) {
        return Instant.ofEpochMilli(Long.parseLong(item.get(name).n()));
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
    public void finished(Lane lane, int jobs, Instant from, Instant now) {
        // The first writer's start, not the earliest: an earlier start still running shows in the bucket before.
        dynamo.updateItem(u -> u.tableName(table)
                .key(Map.of("pk", pk(lane), "sk", AttributeValue.fromS(bucket(now))))
                .updateExpression("ADD finished :n SET busyFrom = if_not_exists(busyFrom, :from), "
                        + "firstAt = if_not_exists(firstAt, :now), lastAt = :now, #ttl = :ttl")
                .expressionAttributeNames(Map.of("#ttl", "ttl"))
                .expressionAttributeValues(Map.of(
                        ":n",
                        AttributeValue.fromN(Integer.toString(jobs)),
                        ":from",
                        AttributeValue.fromN(Long.toString(from.toEpochMilli())),
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
        List<Finishes> recent = new ArrayList<>();
        for (Map<String, AttributeValue> b : dynamo.query(q -> q.tableName(table)
                        .keyConditionExpression("pk = :p AND sk BETWEEN :from AND :to")
                        .expressionAttributeValues(Map.of(
                                ":p",
                                pk(lane),
                                ":from",
                                AttributeValue.fromS(bucket(now.minus(READ_BACK))),
                                ":to",
                                AttributeValue.fromS(bucket(now)))))
                .items()) {
            if (b.containsKey("busyFrom") && b.containsKey("lastAt")) { // a bucket written before spans were kept
                recent.add(new Finishes(
                        Long.parseLong(b.get("finished").n()),
                        millis(b, "busyFrom"),
                        millis(b, "firstAt"),
                        millis(b, "lastAt")));
            }
        }
        return new Snapshot(last, recent);
    }
}
