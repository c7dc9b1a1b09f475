package stratus.compat;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.message.MessageExt;

/**
 * `tags`: messages tagged TagA, TagB and TagC are interleaved; a group subscribed to `TagA || TagB`
 * receives exactly the A and B ones, and a second group subscribed to `TagC` exactly the C ones.
 */
final class TagScenario {
    static final long LINGER_MS = 3_000;
    private static final String[] TAGS = {"TagA", "TagB", "TagC"};

    private TagScenario() {
    }

    static void run(Ctx ctx) throws Exception {
        int perTag = ctx.params.integer("perTag", 300);
        int queues = ctx.params.integer("queues", 8);
        int bodySize = ctx.params.integer("bodySize", 128);
        String topic = ctx.name("topic", "compat_tags");
        String group = ctx.name("group", "cg_tags");
        ctx.result.put("topic", topic).put("group", group).put("perTag", perTag);
        DefaultMQProducer producer = Clients.startProducer(ctx, "producer");
        Clients.createTopic(ctx, producer, topic, queues);

        Tracker ab = new Tracker(bodySize);
        Tracker c = new Tracker(bodySize);
        Map<String, AtomicInteger> abTags = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> cTags = new ConcurrentHashMap<>();
        start(ctx, group, "ab", topic, "TagA || TagB", ab, abTags);
        start(ctx, group + "_c", "c", topic, "TagC", c, cTags);
        for (int i = 0; i < perTag * TAGS.length && !ctx.deadline.expired(); i++) {
            String tag = TAGS[i % TAGS.length];
            String key = Messages.key(ctx.runId, tag, i);
            (tag.equals("TagC") ? c : ab).expect(key, i);
            producer.send(Messages.create(topic, tag, key, i, bodySize));
        }
        ctx.deadline.await(() -> ab.complete() && c.complete(), Long.MAX_VALUE, 100);
        Deadline.sleep(Math.min(LINGER_MS, ctx.deadline.remainingMs()));
        Result r = ctx.result;
        r.put("tagsSeenByAB", counts(abTags)).put("tagsSeenByC", counts(cTags));
        ab.report(r, "subscriberAB");
        c.report(r, "subscriberC");
        r.check("`TagA || TagB` received no TagC message", !abTags.containsKey("TagC"));
        r.check("`TagC` received no TagA/TagB message", cTags.keySet().stream().allMatch("TagC"::equals));
    }

    private static void start(Ctx ctx, String group, String instance, String topic, String expression,
        Tracker tracker, Map<String, AtomicInteger> tags) throws Exception {
        DefaultMQPushConsumer consumer = Clients.pushConsumer(ctx, group, instance);
        consumer.subscribe(topic, expression);
        consumer.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
            for (MessageExt m : msgs) {
                tags.computeIfAbsent(String.valueOf(m.getTags()), k -> new AtomicInteger()).incrementAndGet();
                tracker.record(m);
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        consumer.start();
        ctx.closeLater(consumer::shutdown);
    }

    private static Map<String, Integer> counts(Map<String, AtomicInteger> tags) {
        Map<String, Integer> out = new TreeMap<>();
        tags.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }
}
