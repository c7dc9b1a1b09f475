package stratus.compat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.consumer.DefaultMQPullConsumer;
import org.apache.rocketmq.client.consumer.PullResult;
import org.apache.rocketmq.client.consumer.PullStatus;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

/**
 * `pull`: `perQueue` messages are sent to each of queues 0 and 1 through a MessageQueueSelector. A
 * lite-pull consumer assigned queue 0 reads it all, seeks back to `seekOffset` and reads exactly offsets
 * seekOffset..end again, in order; a classic pull consumer reads queue 1 from `pullOffset`, then pulls at
 * the end (NO_NEW_MSG) and past it (OFFSET_ILLEGAL, told to go back to the end).
 */
final class PullScenario {
    private PullScenario() {
    }

    static void run(Ctx ctx) throws Exception {
        int perQueue = ctx.params.integer("perQueue", 50);
        int seekOffset = ctx.params.integer("seekOffset", 20);
        int pullOffset = ctx.params.integer("pullOffset", 10);
        int bodySize = ctx.params.integer("bodySize", 128);
        String topic = ctx.name("topic", "compat_pull");
        ctx.result.put("topic", topic).put("perQueue", perQueue);
        DefaultMQProducer producer = Clients.startProducer(ctx, "producer");
        List<MessageQueue> mqs = Clients.createTopic(ctx, producer, topic, 4);
        String[][] keysByOffset = new String[2][perQueue];
        for (int q = 0; q < 2; q++) {
            for (int i = 0; i < perQueue; i++) {
                String key = Messages.key(ctx.runId, "q" + q, i);
                SendResult res = producer.send(Messages.create(topic, "TagA", key, i, bodySize),
                    (all, msg, arg) -> all.get((Integer) arg), q);
                boolean placed = res.getMessageQueue().getQueueId() == q && res.getQueueOffset() == i;
                if (!ctx.result.check("send " + key + " landed on queue " + q + " offset " + i + " (got "
                    + res.getMessageQueue().getQueueId() + "/" + res.getQueueOffset() + ")", placed)) {
                    return;
                }
                keysByOffset[q][i] = key;
            }
        }
        litePull(ctx, mqs.get(0), seekOffset, keysByOffset[0]);
        classicPull(ctx, mqs.get(1), pullOffset, keysByOffset[1]);
    }

    /**
     * Reads the whole queue first, then seeks back to `seekOffset`: only a seek that the pull requests
     * honour can deliver those offsets a second time (seeking forward from a fresh start would race the
     * consumer's first pull and could not tell a working seek from plain progress).
     */
    private static void litePull(Ctx ctx, MessageQueue mq, int seekOffset, String[] keys) throws Exception {
        DefaultLitePullConsumer c = Clients.litePullConsumer(ctx, "cg_lite_" + ctx.runId, "lite");
        c.start();
        ctx.closeLater(c::shutdown);
        List<MessageQueue> one = new ArrayList<>();
        one.add(mq);
        c.assign(one);
        Set<Long> firstPass = new TreeSet<>();
        while (firstPass.size() < keys.length && !ctx.deadline.expired()) {
            for (MessageExt m : c.poll(1000)) {
                firstPass.add(m.getQueueOffset());
            }
        }
        ctx.result.put("litePullFirstPass", firstPass.size());
        if (!ctx.result.check("lite pull read the whole queue before seeking (" + firstPass.size() + "/"
            + keys.length + ")", firstPass.size() == keys.length)) {
            return;
        }
        c.seek(mq, seekOffset);
        List<Long> offsets = new ArrayList<>();
        int wrongKey = 0;
        while (offsets.size() < keys.length - seekOffset && !ctx.deadline.expired()) {
            for (MessageExt m : c.poll(1000)) {
                offsets.add(m.getQueueOffset());
                int at = (int) m.getQueueOffset();
                boolean right = m.getQueueId() == mq.getQueueId() && at >= 0 && at < keys.length
                    && keys[at].equals(m.getKeys());
                wrongKey += right ? 0 : 1;
            }
        }
        ctx.result.put("litePullOffsets", offsets).put("litePullWrongKey", wrongKey);
        ctx.result.check("lite pull after seek(" + seekOffset + ") read offsets " + seekOffset + ".."
            + (keys.length - 1) + " in order", offsets.equals(range(seekOffset, keys.length)));
        ctx.result.check("lite pull read the messages that were sent at those offsets", wrongKey == 0);
    }

    private static void classicPull(Ctx ctx, MessageQueue mq, int from, String[] keys) throws Exception {
        DefaultMQPullConsumer c = new DefaultMQPullConsumer("cg_pull_" + ctx.runId);
        c.setNamesrvAddr(ctx.namesrv);
        c.setInstanceName(ctx.runId + "-pull");
        c.setVipChannelEnabled(false);
        c.start();
        ctx.closeLater(c::shutdown);
        List<Long> offsets = new ArrayList<>();
        int wrongKey = 0;
        long next = from;
        int pulls = 0;
        while (next < keys.length && !ctx.deadline.expired() && pulls++ < keys.length) {
            PullResult res = c.pull(mq, "*", next, 32, Clients.ADMIN_TIMEOUT_MS);
            if (res.getPullStatus() != PullStatus.FOUND) {
                ctx.result.check("pull at " + next + " found messages (got " + res.getPullStatus() + ")", false);
                break;
            }
            for (MessageExt m : res.getMsgFoundList()) {
                offsets.add(m.getQueueOffset());
                int at = (int) m.getQueueOffset();
                wrongKey += at >= 0 && at < keys.length && keys[at].equals(m.getKeys()) ? 0 : 1;
            }
            next = res.getNextBeginOffset();
        }
        ctx.result.put("pullOffsets", offsets).put("pullWrongKey", wrongKey).put("pullNextBeginOffset", next);
        ctx.result.check("pull from " + from + " read offsets " + from + ".." + (keys.length - 1) + " in order",
            offsets.equals(range(from, keys.length)));
        ctx.result.check("pull read the messages that were sent at those offsets", wrongKey == 0);

        PullResult atEnd = c.pull(mq, "*", keys.length, 32, Clients.ADMIN_TIMEOUT_MS);
        PullResult past = c.pull(mq, "*", keys.length + 10, 32, Clients.ADMIN_TIMEOUT_MS);
        ctx.result.put("pullAtEndStatus", atEnd.getPullStatus().toString())
            .put("pullAtEndNextBeginOffset", atEnd.getNextBeginOffset())
            .put("pullPastEndStatus", past.getPullStatus().toString())
            .put("pullPastEndNextBeginOffset", past.getNextBeginOffset())
            .put("pullMaxOffset", atEnd.getMaxOffset());
        ctx.result.check("pull at the end answers NO_NEW_MSG", atEnd.getPullStatus() == PullStatus.NO_NEW_MSG);
        ctx.result.check("pull past the end answers OFFSET_ILLEGAL",
            past.getPullStatus() == PullStatus.OFFSET_ILLEGAL);
        ctx.result.check("pull past the end is told to continue at the end (" + keys.length + ")",
            past.getNextBeginOffset() == keys.length);
    }

    private static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long i = from; i < to; i++) {
            out.add(i);
        }
        return out;
    }
}
