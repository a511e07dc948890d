package dev.bedrockjobs.core.adapter;

import dev.bedrockjobs.core.domain.Lane;
import dev.bedrockjobs.core.port.LaneStats;
import java.util.Map;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** {@link LaneStats.Depth} from each lane queue's approximate counts: one GetQueueAttributes per read. */
public final class SqsLaneDepth implements LaneStats.Depth {
    private final SqsClient sqs;
    private final Map<Lane, String> queueUrls;

    public SqsLaneDepth(SqsClient sqs, Map<Lane, String> queueUrls) {
        this.sqs = sqs;
        this.queueUrls = Map.copyOf(queueUrls);
    }

    @Override
    public Counts of(Lane lane) {
        Map<QueueAttributeName, String> a = sqs.getQueueAttributes(g -> g.queueUrl(queueUrls.get(lane))
                        .attributeNames(
                                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                .attributes();
        return new Counts(
                Long.parseLong(a.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "0")),
                Long.parseLong(a.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE, "0")));
    }
}
