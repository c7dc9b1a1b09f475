package stratus.compat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.impl.MQClientAPIImpl;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.MessageQueue;

/** Client construction and the few admin-ish reads the scenarios make, all bounded by the deadline. */
final class Clients {
    static final int SEND_TIMEOUT_MS = 10_000;
    static final long ADMIN_TIMEOUT_MS = 10_000;
    static final long ROUTE_WAIT_MS = 30_000;
    private static final int PERM_READ_WRITE = 6;
    private static final int QUERY_NOT_FOUND = 22;

    private Clients() {
    }

    static DefaultMQProducer startProducer(Ctx ctx, String instance) throws Exception {
        DefaultMQProducer p = new DefaultMQProducer("pg_" + ctx.runId + "_" + instance);
        p.setNamesrvAddr(ctx.namesrv);
        p.setInstanceName(ctx.runId + "-" + instance);
        p.setSendMsgTimeout(SEND_TIMEOUT_MS);
        p.setVipChannelEnabled(false);
        p.start();
        ctx.closeLater(p::shutdown);
        return p;
    }

    static DefaultMQPushConsumer pushConsumer(Ctx ctx, String group, String instance) {
        DefaultMQPushConsumer c = new DefaultMQPushConsumer(group);
        c.setNamesrvAddr(ctx.namesrv);
        c.setInstanceName(ctx.runId + "-" + instance);
        c.setVipChannelEnabled(false);
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.setConsumeThreadMax(4);
        c.setConsumeThreadMin(2);
        return c;
    }

    static DefaultLitePullConsumer litePullConsumer(Ctx ctx, String group, String instance) {
        DefaultLitePullConsumer c = new DefaultLitePullConsumer(group);
        c.setNamesrvAddr(ctx.namesrv);
        c.setInstanceName(ctx.runId + "-" + instance);
        c.setVipChannelEnabled(false);
        c.setAutoCommit(false);
        c.setPullBatchSize(32);
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        return c;
    }

    static MQClientAPIImpl api(DefaultMQProducer p) {
        return p.getDefaultMQProducerImpl().getMqClientFactory().getMQClientAPIImpl();
    }

    /**
     * UPDATE_AND_CREATE_TOPIC (17) on the broker (what `mqadmin updateTopic -b` sends), then waits until
     * the NameServer's route for the topic shows the queues; returns the queues sorted by id.
     */
    static List<MessageQueue> createTopic(Ctx ctx, DefaultMQProducer p, String topic, int queues)
        throws Exception {
        TopicConfig config = new TopicConfig(topic, queues, queues, PERM_READ_WRITE);
        api(p).createTopic(ctx.broker, "TBW102", config, ADMIN_TIMEOUT_MS);
        List<MessageQueue> found = new ArrayList<>();
        boolean routed = ctx.deadline.await(() -> {
            try {
                List<MessageQueue> mqs = p.fetchPublishMessageQueues(topic);
                found.clear();
                found.addAll(mqs);
                return mqs.size() == queues;
            } catch (Exception e) {
                return false;
            }
        }, ROUTE_WAIT_MS, 200);
        if (!routed) {
            throw new IllegalStateException("NameServer route for " + topic + " did not show " + queues
                + " queues within " + ROUTE_WAIT_MS + " ms (last saw " + found.size() + ")");
        }
        found.sort(Comparator.comparingInt(MessageQueue::getQueueId));
        return found;
    }

    /** GET_MAX_OFFSET (30) summed over the queues; -1 if any query fails. */
    static long maxOffsetSum(DefaultMQProducer p, List<MessageQueue> mqs) {
        long sum = 0;
        for (MessageQueue mq : mqs) {
            try {
                sum += p.maxOffset(mq);
            } catch (Exception e) {
                return -1;
            }
        }
        return sum;
    }

    static long[] maxOffsets(DefaultMQProducer p, List<MessageQueue> mqs) throws Exception {
        long[] out = new long[mqs.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = p.maxOffset(mqs.get(i));
        }
        return out;
    }

    /** QUERY_CONSUMER_OFFSET (14) per queue, 0 when the broker has none; -1 if any query fails. */
    static long committedSum(Ctx ctx, DefaultMQProducer p, String group, List<MessageQueue> mqs) {
        long sum = 0;
        for (MessageQueue mq : mqs) {
            try {
                sum += Versioned.queryConsumerOffset(api(p), ctx.broker, group, mq, ADMIN_TIMEOUT_MS);
            } catch (MQBrokerException e) {
                if (e.getResponseCode() != QUERY_NOT_FOUND) {
                    return -1;
                }
            } catch (Exception e) {
                return -1;
            }
        }
        return sum;
    }
}
