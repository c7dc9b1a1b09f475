package stratus.compat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.rocketmq.client.consumer.AllocateMessageQueueStrategy;
import org.apache.rocketmq.client.consumer.rebalance.AllocateMessageQueueAveragely;
import org.apache.rocketmq.common.message.MessageQueue;

/** The default averaging allocation, remembering per topic what this consumer got and among how many. */
final class RecordingAllocation implements AllocateMessageQueueStrategy {
    private final AllocateMessageQueueAveragely delegate = new AllocateMessageQueueAveragely();
    private final Map<String, List<MessageQueue>> lastByTopic = new ConcurrentHashMap<>();
    private final Map<String, Integer> consumersByTopic = new ConcurrentHashMap<>();

    @Override
    public List<MessageQueue> allocate(String group, String currentCid, List<MessageQueue> mqAll,
        List<String> cidAll) {
        List<MessageQueue> out = delegate.allocate(group, currentCid, mqAll, cidAll);
        if (!mqAll.isEmpty()) {
            String topic = mqAll.get(0).getTopic();
            lastByTopic.put(topic, new ArrayList<>(out));
            consumersByTopic.put(topic, cidAll.size());
        }
        return out;
    }

    @Override
    public String getName() {
        return delegate.getName();
    }

    int queues(String topic) {
        List<MessageQueue> l = lastByTopic.get(topic);
        return l == null ? 0 : l.size();
    }

    int consumers(String topic) {
        return consumersByTopic.getOrDefault(topic, 0);
    }
}
