package stratus.compat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import org.apache.rocketmq.client.consumer.DefaultMQPullConsumer;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageClientExt;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

/**
 * `batch`: `batches` batches of `batchSize` messages go to one queue with producer.send(List, queue)
 * (SEND_BATCH_MESSAGE). Each answer must carry one message id and one offset id per message; the batches
 * take consecutive queue offsets; pulled back, offset i holds the i-th message sent with the id the send
 * returned for it (unless pulledIds=report); a push consumer receives every message.
 */
final class BatchScenario {
    private BatchScenario() {
    }

    static void run(Ctx ctx) throws Exception {
        int batches = ctx.params.integer("batches", 3);
        int batchSize = ctx.params.integer("batchSize", 16);
        int bodySize = ctx.params.integer("bodySize", 256);
        String topic = ctx.name("topic", "compat_batch");
        Result r = ctx.result.put("topic", topic);
        DefaultMQProducer producer = Clients.startProducer(ctx, "producer");
        MessageQueue mq = Clients.createTopic(ctx, producer, topic, 2).get(1);

        Tracker pushed = new Tracker(bodySize);
        DefaultMQPushConsumer c = Clients.pushConsumer(ctx, ctx.name("group", "cg_batch"), "batch");
        c.subscribe(topic, "*");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
            for (MessageExt m : msgs) {
                pushed.record(m);
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        ctx.closeLater(c::shutdown);

        List<String> keys = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        List<String> offsetIds = new ArrayList<>();
        List<Long> firstOffsets = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            List<Message> batch = new ArrayList<>();
            for (int i = 0; i < batchSize; i++) {
                int seq = b * batchSize + i;
                String key = Messages.key(ctx.runId, "b", seq);
                keys.add(key);
                pushed.expect(key, seq);
                batch.add(Messages.create(topic, "TagB", key, seq, bodySize));
            }
            SendResult res = producer.send(batch, mq);
            List<String> got = Arrays.asList(res.getMsgId().split(","));
            List<String> gotOffsets = Arrays.asList(res.getOffsetMsgId().split(","));
            if (res.getSendStatus() != SendStatus.SEND_OK || got.size() != batchSize
                || gotOffsets.size() != batchSize) {
                problems.add("batch " + b + ": " + res.getSendStatus() + ", " + got.size() + " ids, "
                    + gotOffsets.size() + " offset ids");
            }
            ids.addAll(got);
            offsetIds.addAll(gotOffsets);
            firstOffsets.add(res.getQueueOffset());
        }
        r.put("firstOffsets", firstOffsets).put("ids", ids.size()).put("distinctIds", new HashSet<>(ids).size())
            .put("distinctOffsetIds", new HashSet<>(offsetIds).size());
        r.check("every batch was stored with one id per message " + problems, problems.isEmpty());
        r.check("every message id is distinct", new HashSet<>(ids).size() == batches * batchSize);
        r.check("every offset message id is distinct", new HashSet<>(offsetIds).size() == batches * batchSize);
        boolean consecutive = true;
        for (int b = 0; b < batches; b++) {
            consecutive &= firstOffsets.get(b) == firstOffsets.get(0) + (long) b * batchSize;
        }
        r.check("the batches took consecutive queue offsets " + firstOffsets, consecutive);

        readBack(ctx, mq, firstOffsets.get(0), keys, ids, offsetIds, bodySize);
        ctx.deadline.await(pushed::complete, 60_000, 100);
        pushed.report(r, "pushed");
    }

    private static void readBack(Ctx ctx, MessageQueue mq, long from, List<String> keys, List<String> ids,
        List<String> offsetIds, int bodySize) throws Exception {
        DefaultMQPullConsumer pull = Features.pullConsumer(ctx, "batchpull");
        List<MessageExt> found = Features.pullQueue(ctx, pull, mq, from, keys.size(), 30_000);
        List<String> wrong = new ArrayList<>();
        List<String> wrongIds = new ArrayList<>();
        for (int i = 0; i < found.size() && i < keys.size(); i++) {
            MessageExt m = found.get(i);
            String at = "offset " + m.getQueueOffset() + " key " + m.getKeys();
            if (m.getQueueOffset() != from + i || !keys.get(i).equals(m.getKeys())
                || !offsetIds.get(i).equalsIgnoreCase(String.valueOf(offsetIdOf(m)))
                || !Arrays.equals(m.getBody(), Messages.body(keys.get(i), bodySize))) {
                wrong.add(at + " offset id " + offsetIdOf(m) + " (want " + keys.get(i) + " " + offsetIds.get(i)
                    + ")");
            }
            if (!ids.get(i).equals(m.getMsgId())) {
                wrongIds.add(at + " id " + m.getMsgId() + " (want " + ids.get(i) + ")");
            }
        }
        Result r = ctx.result;
        r.put("pulledBack", found.size()).put("pulledIdMismatches", wrongIds.size());
        r.check("pulled back all " + keys.size() + " messages (" + found.size() + ")", found.size() == keys.size());
        r.check("offset i holds the i-th message sent, intact, at the offset id its send returned "
            + wrong.subList(0, Math.min(3, wrong.size())), wrong.isEmpty());
        // Apache 5.x brokers append the batch's own UNIQ_KEY to every message of the batch, so its pulled
        // messages all show that one id; pulledIds=report records the mismatches instead of failing on them.
        if (ctx.params.str("pulledIds", "match").equals("match")) {
            r.check("each pulled message has the message id its send returned "
                + wrongIds.subList(0, Math.min(3, wrongIds.size())), wrongIds.isEmpty());
        } else if (!wrongIds.isEmpty()) {
            r.put("pulledIdMismatchSample", wrongIds.get(0));
        }
    }

    private static String offsetIdOf(MessageExt m) {
        return m instanceof MessageClientExt ? ((MessageClientExt) m).getOffsetMsgId() : null;
    }
}
