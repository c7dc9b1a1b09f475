package stratus.compat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import org.apache.rocketmq.client.consumer.DefaultMQPullConsumer;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageClientExt;
import org.apache.rocketmq.common.message.MessageClientIDSetter;
import org.apache.rocketmq.common.message.MessageDecoder;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

/**
 * `batch-limit`: a batch whose encoded body (what SEND_BATCH_MESSAGE carries) is exactly `limit` bytes (the
 * broker's maxMessageSize, 4 MiB by default) is stored with one msgId and one queue offset per message and
 * pulled back byte-exact; the same batch one byte larger is refused by the broker with MESSAGE_ILLEGAL (13)
 * and leaves the queue's max offset where it was. The producer's own maxMessageSize (the client-side check
 * in Validators.checkMessage, also 4 MiB by default) is raised to twice `limit`, so the refusal is the
 * broker's. Params: `limit` (4194304), `messages` (16), `refusedCode` (13; the Apache 5.3.3 server's encoder
 * answers SYSTEM_ERROR, 1, instead).
 */
final class BatchLimitScenario {
    static final int MESSAGE_ILLEGAL = 13;

    private BatchLimitScenario() {
    }

    static void run(Ctx ctx) throws Exception {
        int limit = ctx.params.integer("limit", 4 * 1024 * 1024);
        int count = ctx.params.integer("messages", 16);
        String topic = ctx.name("topic", "compat_batchlimit");
        Result r = ctx.result.put("topic", topic).put("limit", limit);
        DefaultMQProducer producer = Clients.startProducer(ctx, "producer");
        producer.setMaxMessageSize(2 * limit);
        MessageQueue mq = Clients.createTopic(ctx, producer, topic, 2).get(1);

        List<Message> atLimit = batchOf(ctx, topic, "at", count, limit);
        List<byte[]> bodies = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (Message m : atLimit) {
            bodies.add(m.getBody());
            keys.add(m.getKeys());
        }
        r.put("atLimitBytes", MessageDecoder.encodeMessages(atLimit).length);
        SendResult res = producer.send(atLimit, mq);
        List<String> ids = Arrays.asList(res.getMsgId().split(","));
        List<String> offsetIds = Arrays.asList(res.getOffsetMsgId().split(","));
        long first = res.getQueueOffset();
        r.put("atLimitStatus", String.valueOf(res.getSendStatus())).put("ids", ids.size())
            .put("distinctIds", new HashSet<>(ids).size()).put("distinctOffsetIds", new HashSet<>(offsetIds).size())
            .put("firstOffset", first);
        r.check("the batch of exactly " + limit + " bytes was stored (" + res.getSendStatus() + ")",
            res.getSendStatus() == SendStatus.SEND_OK);
        r.check("one distinct msgId and offset msgId per message", new HashSet<>(ids).size() == count
            && new HashSet<>(offsetIds).size() == count);
        // The ConsumeQueue is built after the append (Apache's reput lags the answer): wait for it.
        long[] seen = {-1};
        ctx.deadline.await(() -> {
            try {
                seen[0] = producer.maxOffset(mq);
            } catch (Exception e) {
                // not yet
            }
            return seen[0] == first + count;
        }, 15_000, 100);
        long maxBefore = seen[0];
        r.put("maxOffsetAfterAtLimit", maxBefore);
        r.check("the queue's max offset moved by " + count + " (" + maxBefore + ")", maxBefore == first + count);

        List<Message> over = batchOf(ctx, topic, "over", count, limit + 1);
        r.put("overLimitBytes", MessageDecoder.encodeMessages(over).length);
        int code = -1;
        String remark = null;
        try {
            SendResult o = producer.send(over, mq);
            remark = "stored: " + o.getSendStatus() + " at " + o.getQueueOffset();
        } catch (MQBrokerException e) {
            code = e.getResponseCode();
            remark = e.getErrorMessage();
        } catch (Exception e) {
            remark = e.toString();
        }
        Deadline.sleep(Math.min(1000, ctx.deadline.remainingMs()));
        long maxAfter = producer.maxOffset(mq);
        r.put("overLimitCode", code).put("overLimitRemark", remark).put("maxOffsetAfterOverLimit", maxAfter);
        int wantCode = ctx.params.integer("refusedCode", MESSAGE_ILLEGAL);
        r.check("the broker refused the batch one byte over the limit with code " + wantCode + " (" + code + ": "
            + remark + ")", code == wantCode);
        r.check("nothing of the refused batch was stored (max offset " + maxBefore + " -> " + maxAfter + ")",
            maxAfter == maxBefore);

        readBack(ctx, mq, first, keys, bodies, ids, offsetIds);
    }

    /**
     * `count` messages whose encoded batch is exactly `bytes` long: UNIQ_KEY is set here (the client sets it
     * only when absent), so the size measured is the size sent; the bodies share what the headers leave.
     */
    private static List<Message> batchOf(Ctx ctx, String topic, String phase, int count, int bytes) {
        List<Message> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Message m = Messages.create(topic, "TagL", Messages.key(ctx.runId, phase, i), i, 1);
            MessageClientIDSetter.setUniqID(m);
            out.add(m);
        }
        int spare = bytes - MessageDecoder.encodeMessages(out).length;
        if (spare < 0) {
            throw new IllegalArgumentException(count + " messages do not fit in " + bytes + " bytes");
        }
        for (int i = 0; i < count; i++) {
            Message m = out.get(i);
            int size = 1 + spare / count + (i == count - 1 ? spare % count : 0);
            m.setBody(Messages.body(m.getKeys(), size));
        }
        return out;
    }

    private static void readBack(Ctx ctx, MessageQueue mq, long from, List<String> keys, List<byte[]> bodies,
        List<String> ids, List<String> offsetIds) throws Exception {
        DefaultMQPullConsumer pull = Features.pullConsumer(ctx, "batchlimitpull");
        List<MessageExt> found = Features.pullQueue(ctx, pull, mq, from, keys.size(), 60_000);
        List<String> wrong = new ArrayList<>();
        List<String> wrongIds = new ArrayList<>();
        for (int i = 0; i < found.size() && i < keys.size(); i++) {
            MessageExt m = found.get(i);
            String offsetId = m instanceof MessageClientExt ? ((MessageClientExt) m).getOffsetMsgId() : null;
            if (m.getQueueOffset() != from + i || !keys.get(i).equals(m.getKeys())
                || !offsetIds.get(i).equalsIgnoreCase(String.valueOf(offsetId))
                || !Arrays.equals(m.getBody(), bodies.get(i))) {
                wrong.add("offset " + m.getQueueOffset() + " key " + m.getKeys() + " body " + m.getBody().length
                    + " bytes, offset id " + offsetId);
            }
            if (!ids.get(i).equals(m.getMsgId())) {
                wrongIds.add("offset " + m.getQueueOffset() + " id " + m.getMsgId() + " (want " + ids.get(i) + ")");
            }
        }
        Result r = ctx.result;
        r.put("pulledBack", found.size()).put("pulledIdMismatches", wrongIds.size());
        r.check("pulled back all " + keys.size() + " messages (" + found.size() + ")", found.size() == keys.size());
        r.check("offset i holds the i-th message, byte-exact, at the offset id its send returned "
            + wrong.subList(0, Math.min(3, wrong.size())), wrong.isEmpty());
        // As in `batch`: Apache 5.x brokers give every message of a batch the batch's own UNIQ_KEY.
        if (ctx.params.str("pulledIds", "match").equals("match")) {
            r.check("each pulled message has the msgId its send returned "
                + wrongIds.subList(0, Math.min(3, wrongIds.size())), wrongIds.isEmpty());
        }
    }
}
