package stratus.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.message.MessageQueue;

/** What every phase shares: addresses, sizes, and one started producer (thread-safe, used by all threads). */
final class Ctx {
    static final int SEND_TIMEOUT_MS = 10_000;
    private static final int PERM_READ_WRITE = 6;
    private static final long ROUTE_WAIT_MS = 30_000;

    final String namesrv;
    final String broker;
    final String runId;
    final int threads;
    final int bodyBytes;
    final int queues;
    final DefaultMQProducer producer;

    Ctx(String namesrv, String broker, String runId, int threads, int bodyBytes, int queues) throws Exception {
        this.namesrv = namesrv;
        this.broker = broker;
        this.runId = runId;
        this.threads = threads;
        this.bodyBytes = bodyBytes;
        this.queues = queues;
        producer = new DefaultMQProducer("bench_pg_" + runId);
        producer.setNamesrvAddr(namesrv);
        producer.setInstanceName("bench-" + runId);
        producer.setSendMsgTimeout(SEND_TIMEOUT_MS);
        producer.setVipChannelEnabled(false);
        producer.start();
    }

    /** UPDATE_AND_CREATE_TOPIC on the broker, then waits for the NameServer route to list every queue. */
    List<MessageQueue> createTopic(String topic) throws Exception {
        TopicConfig config = new TopicConfig(topic, queues, queues, PERM_READ_WRITE);
        producer.getDefaultMQProducerImpl().getMqClientFactory().getMQClientAPIImpl()
            .createTopic(broker, "TBW102", config, SEND_TIMEOUT_MS);
        long deadline = System.currentTimeMillis() + ROUTE_WAIT_MS;
        while (true) {
            try {
                List<MessageQueue> mqs = new ArrayList<>(producer.fetchPublishMessageQueues(topic));
                if (mqs.size() == queues) {
                    mqs.sort(Comparator.comparingInt(MessageQueue::getQueueId));
                    return mqs;
                }
            } catch (Exception e) {
                if (System.currentTimeMillis() > deadline) {
                    throw e;
                }
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("route for " + topic + " never showed " + queues + " queues");
            }
            Thread.sleep(200);
        }
    }

    /** The topic's queues sorted by id, creating the topic when it does not have `queues` queues yet. */
    List<MessageQueue> queuesOf(String topic) throws Exception {
        try {
            List<MessageQueue> mqs = new ArrayList<>(producer.fetchPublishMessageQueues(topic));
            if (mqs.size() == queues) {
                mqs.sort(Comparator.comparingInt(MessageQueue::getQueueId));
                return mqs;
            }
        } catch (Exception e) {
            // no route yet: create it below
        }
        return createTopic(topic);
    }

    void shutdown() {
        producer.shutdown();
    }
}
