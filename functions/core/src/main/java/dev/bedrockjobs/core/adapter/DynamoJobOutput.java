package dev.bedrockjobs.core.adapter;

import static dev.bedrockjobs.core.adapter.JobItems.PK;
import static dev.bedrockjobs.core.adapter.JobItems.SK;

import dev.bedrockjobs.core.domain.OutputChunk;
import dev.bedrockjobs.core.port.JobOutput;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

/**
 * {@link JobOutput} in the jobs table, beside the job item: one item per piece, {@code pk = JOB#id},
 * {@code sk = OUT#} and its start offset zero-padded, holding the text, the writer's fencing token, when it was written
 * and the job's retention. A piece is one conditional PutItem (at most 2,048 code points, so at most 8 KB of text, 1 to 9 write
 * units); a read is one Query that starts a piece's greatest length before the offset, so that it finds the piece
 * the offset falls in without a second request.
 */
public final class DynamoJobOutput implements JobOutput {
    private static final String PREFIX = "OUT#";
    /** After every digit: the Query's upper bound. */
    private static final String PAST_LAST = PREFIX + "~";

    private final DynamoDbClient dynamo;
    private final String table;
    private final Duration retention;
    private final Clock clock;

    /** @param retention how long a piece is kept: as long as its job */
    public DynamoJobOutput(DynamoDbClient dynamo, String table, Duration retention, Clock clock) {
        this.dynamo = dynamo;
        this.table = table;
        this.retention = retention;
        this.clock = clock;
    }

    private static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    private static String sk(long offset) {
        return String.format("%s%012d", PREFIX, offset);
    }

    @Override
    public void append(String jobId, OutputChunk chunk) {
        Instant now = clock.instant();
        long ttl = now.plus(retention).getEpochSecond();
        try {
            dynamo.putItem(p -> p.tableName(table)
                    .item(Map.of(
                            PK,
                            s(JobItems.jobPk(jobId)),
                            SK,
                            s(sk(chunk.offset())),
                            "text",
                            s(chunk.text()),
                            "writer",
                            s(chunk.writer()),
                            // when it was written, in epoch milliseconds: how soon readers see a piece can be measured
                            "at",
                            AttributeValue.fromN(Long.toString(now.toEpochMilli())),
                            "ttl",
                            AttributeValue.fromN(Long.toString(ttl))))
                    .conditionExpression("attribute_not_exists(sk) OR (#writer = :writer AND #text = :text)")
                    .expressionAttributeNames(Map.of("#writer", "writer", "#text", "text"))
                    .expressionAttributeValues(Map.of(":writer", s(chunk.writer()), ":text", s(chunk.text()))));
        } catch (ConditionalCheckFailedException taken) {
            throw new OutputTaken(jobId, chunk.offset());
        }
    }

    @Override
    public Slice readFrom(String jobId, long offset, int maxCodePoints) {
        long searchFrom = Math.max(0, offset - OutputChunk.MAX_CODE_POINTS + 1);
        QueryRequest query = QueryRequest.builder()
                .tableName(table)
                .keyConditionExpression("pk = :pk AND sk BETWEEN :from AND :to")
                .expressionAttributeValues(
                        Map.of(":pk", s(JobItems.jobPk(jobId)), ":from", s(sk(searchFrom)), ":to", s(PAST_LAST)))
                .build();
        StringBuilder text = new StringBuilder();
        long next = offset;
        Iterator<Map<String, AttributeValue>> items =
                DynamoPages.items(dynamo, query).iterator();
        while (items.hasNext()) {
            Map<String, AttributeValue> item = items.next();
            OutputChunk piece = new OutputChunk(
                    Long.parseLong(item.get(SK).s().substring(PREFIX.length())),
                    item.get("text").s(),
                    item.get("writer").s());
            if (piece.end() <= next) {
                continue; // wholly before the offset
            }
            if (piece.offset() > next) {
                break; // a gap: a piece not stored yet (the reader comes back for it)
            }
            text.append(piece.textFrom(next));
            next = piece.end();
            if (next - offset >= maxCodePoints) {
                break;
            }
        }
        return new Slice(text.toString(), next);
    }
}
