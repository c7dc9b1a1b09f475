package stratus.compat;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeOrderlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerOrderly;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.message.MessageExt;

/**
 * `orderly`: messages of `orders` order ids are sent through a MessageQueueSelector (order id modulo the
 * queue count); a MessageListenerOrderly consumer must see every queue in offset order, one message of a
 * queue at a time, and every order's messages in send order.
 */
final class OrderlyScenario {
    private OrderlyScenario() {
    }

    static void run(Ctx ctx) throws Exception {
        int count = ctx.params.integer("count", 1000);
        int orders = ctx.params.integer("orders", 16);
        int queues = ctx.params.integer("queues", 8);
        int bodySize = ctx.params.integer("bodySize", 128);
        String topic = ctx.name("topic", "compat_orderly");
        String group = ctx.name("group", "cg_orderly");
        Result r = ctx.result.put("topic", topic).put("group", group).put("count", count);
        DefaultMQProducer producer = Clients.startProducer(ctx, "producer");
        Clients.createTopic(ctx, producer, topic, queues);

        Tracker tracker = new Tracker(bodySize);
        Map<Integer, AtomicLong> lastOffsetByQueue = new ConcurrentHashMap<>();
        Map<Integer, AtomicInteger> busyByQueue = new ConcurrentHashMap<>();
        Map<Integer, AtomicInteger> lastSeqByOrder = new ConcurrentHashMap<>();
        AtomicInteger offsetOrderViolations = new AtomicInteger();
        AtomicInteger gaps = new AtomicInteger();
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger orderViolations = new AtomicInteger();
        DefaultMQPushConsumer consumer = Clients.pushConsumer(ctx, group, "orderly");
        consumer.subscribe(topic, "*");
        consumer.registerMessageListener((MessageListenerOrderly) (msgs, context) -> {
            for (MessageExt m : msgs) {
                AtomicInteger busy = busyByQueue.computeIfAbsent(m.getQueueId(), k -> new AtomicInteger());
                if (busy.incrementAndGet() != 1) {
                    concurrent.incrementAndGet();
                }
                long prev = lastOffsetByQueue.computeIfAbsent(m.getQueueId(), k -> new AtomicLong(-1))
                    .getAndSet(m.getQueueOffset());
                offsetOrderViolations.addAndGet(m.getQueueOffset() <= prev ? 1 : 0);
                gaps.addAndGet(m.getQueueOffset() > prev + 1 ? 1 : 0);
                int seq = Integer.parseInt(m.getUserProperty(Messages.SEQ));
                int order = seq % orders;
                int prevSeq = lastSeqByOrder.computeIfAbsent(order, k -> new AtomicInteger(-1)).getAndSet(seq);
                orderViolations.addAndGet(seq <= prevSeq ? 1 : 0);
                tracker.record(m);
                Thread.yield();
                busy.decrementAndGet();
            }
            return ConsumeOrderlyStatus.SUCCESS;
        });
        consumer.start();
        ctx.closeLater(consumer::shutdown);

        int misplaced = 0;
        for (int i = 0; i < count && !ctx.deadline.expired(); i++) {
            String key = Messages.key(ctx.runId, "o", i);
            tracker.expect(key, i);
            int order = i % orders;
            SendResult res = producer.send(Messages.create(topic, "TagA", key, i, bodySize),
                (all, msg, arg) -> all.get((Integer) arg % all.size()), order);
            misplaced += res.getMessageQueue().getQueueId() == order % queues ? 0 : 1;
        }
        ctx.deadline.await(tracker::complete, Long.MAX_VALUE, 100);
        tracker.report(r, "orderly");
        r.put("queuesSeen", lastOffsetByQueue.size()).put("misplacedSends", misplaced);
        r.put("offsetOrderViolations", offsetOrderViolations.get()).put("offsetGaps", gaps.get());
        r.put("concurrentInQueue", concurrent.get()).put("orderViolations", orderViolations.get());
        r.check("the selector placed every order on queue orderId % queues", misplaced == 0);
        r.check("every queue was consumed in offset order", offsetOrderViolations.get() == 0);
        r.check("no queue offset was skipped", gaps.get() == 0);
        r.check("no two messages of one queue were consumed at once", concurrent.get() == 0);
        r.check("every order's messages arrived in send order", orderViolations.get() == 0);
    }
}
