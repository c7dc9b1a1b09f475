package stratus.compat;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.message.MessageExt;

/** `broadcast`: two BROADCASTING push consumers of one group each receive every message. */
final class BroadcastScenario {
    private BroadcastScenario() {
    }

    static void run(Ctx ctx) throws Exception {
        int count = ctx.params.integer("count", 1000);
        int queues = ctx.params.integer("queues", 8);
        int bodySize = ctx.params.integer("bodySize", 128);
        String topic = ctx.name("topic", "compat_broadcast");
        String group = ctx.name("group", "cg_broadcast");
        ctx.result.put("topic", topic).put("group", group).put("count", count);
        DefaultMQProducer producer = Clients.startProducer(ctx, "producer");
        Clients.createTopic(ctx, producer, topic, queues);

        Tracker[] trackers = {new Tracker(bodySize), new Tracker(bodySize)};
        AtomicInteger others = new AtomicInteger();
        for (int i = 0; i < trackers.length; i++) {
            Tracker t = trackers[i];
            DefaultMQPushConsumer c = Clients.pushConsumer(ctx, group, "b" + (i + 1));
            Versioned.useBroadcasting(c);
            c.subscribe(topic, "*");
            c.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
                for (MessageExt m : msgs) {
                    if (!t.record(m)) {
                        others.incrementAndGet();
                    }
                }
                return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            });
            c.start();
            ctx.closeLater(c::shutdown);
        }
        for (int i = 0; i < count && !ctx.deadline.expired(); i++) {
            String key = Messages.key(ctx.runId, "b", i);
            trackers[0].expect(key, i);
            trackers[1].expect(key, i);
            producer.send(Messages.create(topic, "TagA", key, i, bodySize));
        }
        ctx.deadline.await(() -> trackers[0].complete() && trackers[1].complete(), Long.MAX_VALUE, 100);
        trackers[0].report(ctx.result, "consumer1");
        trackers[1].report(ctx.result, "consumer2");
        ctx.result.check("no unexpected message arrived (" + others.get() + ")", others.get() == 0);
    }
}
