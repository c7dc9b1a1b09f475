package stratus.compat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.rocketmq.client.consumer.DefaultMQPullConsumer;
import org.apache.rocketmq.client.consumer.PullResult;
import org.apache.rocketmq.client.consumer.PullStatus;
import org.apache.rocketmq.client.impl.MQAdminImpl;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

/** Helpers of the message-feature scenarios (retry, delay, timer, transactions, SQL92, batch, query). */
final class Features {
    /** Apache's default messageDelayLevel, used when the scenario is not told the broker's. */
    static final String APACHE_DELAY_LEVELS = "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h";

    private Features() {
    }

    /** messageDelayLevel text ("1s 2s 1m 2h 1d", or comma-separated) to milliseconds; index 0 is level 1. */
    static long[] delayLevels(String text) {
        String[] parts = text.trim().split("[\\s,]+");
        long[] out = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            long n = Long.parseLong(p.substring(0, p.length() - 1));
            switch (p.charAt(p.length() - 1)) {
                case 's':
                    out[i] = n * 1000L;
                    break;
                case 'm':
                    out[i] = n * 60_000L;
                    break;
                case 'h':
                    out[i] = n * 3_600_000L;
                    break;
                case 'd':
                    out[i] = n * 86_400_000L;
                    break;
                default:
                    throw new IllegalArgumentException("not a delay like 10s/1m/2h/1d: " + p);
            }
        }
        return out;
    }

    /** The delay of level `level` (1-based) in the broker's messageDelayLevel, as the scenario was told it. */
    static long levelMs(Ctx ctx, int level) {
        long[] levels = delayLevels(ctx.params.str("delayLevels", APACHE_DELAY_LEVELS));
        return levels[Math.min(level, levels.length) - 1];
    }

    static MQAdminImpl admin(DefaultMQProducer p) {
        return p.getDefaultMQProducerImpl().getMqClientFactory().getMQAdminImpl();
    }

    static DefaultMQPullConsumer pullConsumer(Ctx ctx, String instance) throws Exception {
        DefaultMQPullConsumer c = new DefaultMQPullConsumer("cg_" + instance + "_" + ctx.runId);
        c.setNamesrvAddr(ctx.namesrv);
        c.setInstanceName(ctx.runId + "-" + instance);
        c.setVipChannelEnabled(false);
        c.start();
        ctx.closeLater(c::shutdown);
        return c;
    }

    /**
     * Pulls one queue from `from` until `want` messages were read or `maxWaitMs` passed (a queue that does
     * not exist yet, or is still empty, is retried until then).
     */
    static List<MessageExt> pullQueue(Ctx ctx, DefaultMQPullConsumer c, MessageQueue mq, long from, int want,
        long maxWaitMs) {
        List<MessageExt> out = new ArrayList<>();
        long[] next = {from};
        ctx.deadline.await(() -> {
            try {
                // Pull back to back while messages are found; the await's pause is only for an empty queue.
                PullResult res = c.pull(mq, "*", next[0], 32, Clients.ADMIN_TIMEOUT_MS);
                while (res.getPullStatus() == PullStatus.FOUND) {
                    out.addAll(res.getMsgFoundList());
                    next[0] = res.getNextBeginOffset();
                    if (out.size() >= want) {
                        break;
                    }
                    res = c.pull(mq, "*", next[0], 32, Clients.ADMIN_TIMEOUT_MS);
                }
            } catch (Exception e) {
                // not routed or not created yet: try again
            }
            return out.size() >= want;
        }, maxWaitMs, 200);
        return out;
    }

    /** One delivery as a listener saw it. */
    static final class Delivery {
        final String key;
        final String consumer;
        final int reconsumeTimes;
        final long atMs;
        final long bornMs;
        final int queueId;
        final long queueOffset;
        final MessageExt msg;

        Delivery(String consumer, MessageExt m) {
            this.key = m.getKeys();
            this.consumer = consumer;
            this.reconsumeTimes = m.getReconsumeTimes();
            this.atMs = System.currentTimeMillis();
            this.bornMs = m.getBornTimestamp();
            this.queueId = m.getQueueId();
            this.queueOffset = m.getQueueOffset();
            this.msg = m;
        }
    }

    /** Deliveries by key, in arrival order. */
    static final class Deliveries {
        private final Map<String, List<Delivery>> byKey = new ConcurrentHashMap<>();

        Delivery add(String consumer, MessageExt m) {
            Delivery d = new Delivery(consumer, m);
            if (d.key != null) {
                byKey.computeIfAbsent(d.key, k -> new CopyOnWriteArrayList<>()).add(d);
            }
            return d;
        }

        List<Delivery> of(String key) {
            List<Delivery> l = byKey.get(key);
            return l == null ? List.of() : l;
        }

        int count(String key) {
            return of(key).size();
        }

        boolean allSeen(Iterable<String> keys) {
            for (String k : keys) {
                if (count(k) == 0) {
                    return false;
                }
            }
            return true;
        }
    }
}
