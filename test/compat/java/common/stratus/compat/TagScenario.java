package stratus.compat;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.client.consumer.DefaultMQPullConsumer;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.PullResult;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

/**
 * `tags`: messages tagged TagA, TagB and TagC are interleaved; a group subscribed to `TagA || TagB`
 * receives exactly the A and B ones, and a second group subscribed to `TagC` exactly the C ones.
 */
final class TagScenario {
    static final long LINGER_MS = 3_000;
    static final int PULL_BATCH = 32;
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

        Map<String, AtomicInteger> tagsInQueue0 = new ConcurrentHashMap<>();
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
            SendResult res = producer.send(Messages.create(topic, tag, key, i, bodySize));
            if (res.getMessageQueue().getQueueId() == 0) {
                tagsInQueue0.computeIfAbsent(tag, k -> new AtomicInteger()).incrementAndGet();
            }
        }
        ctx.deadline.await(() -> ab.complete() && c.complete(), Long.MAX_VALUE, 100);
        Deadline.sleep(Math.min(LINGER_MS, ctx.deadline.remainingMs()));
        Result r = ctx.result;
        r.put("tagsSeenByAB", counts(abTags)).put("tagsSeenByC", counts(cTags));
        ab.report(r, "subscriberAB");
        c.report(r, "subscriberC");
        r.check("`TagA || TagB` received no TagC message", !abTags.containsKey("TagC"));
        r.check("`TagC` received no TagA/TagB message", cTags.keySet().stream().allMatch("TagC"::equals));
        brokerSideFilter(ctx, topic, tagsInQueue0.getOrDefault("TagA", new AtomicInteger()).get());
    }

    /**
     * The client re-filters by tag, so the push consumers above cannot tell whether the broker filtered.
     * A pull with the expression `TagA` from offset 0 can: a broker that filters by tag hash returns up to
     * PULL_BATCH TagA messages; one that returns raw messages leaves the client about a third of them.
     */
    private static void brokerSideFilter(Ctx ctx, String topic, int tagAInQueue0) throws Exception {
        DefaultMQPullConsumer c = new DefaultMQPullConsumer("cg_tagpull_" + ctx.runId);
        c.setNamesrvAddr(ctx.namesrv);
        c.setInstanceName(ctx.runId + "-tagpull");
        c.setVipChannelEnabled(false);
        c.start();
        ctx.closeLater(c::shutdown);
        PullResult res = c.pull(new MessageQueue(topic, brokerNameOf(ctx, topic), 0), "TagA", 0, PULL_BATCH,
            Clients.ADMIN_TIMEOUT_MS);
        int found = res.getMsgFoundList() == null ? 0 : res.getMsgFoundList().size();
        int expected = Math.min(PULL_BATCH, tagAInQueue0);
        ctx.result.put("tagPullFound", found).put("tagPullExpected", expected)
            .put("tagPullStatus", res.getPullStatus().toString());
        ctx.result.check("a pull of " + PULL_BATCH + " with `TagA` from offset 0 returned " + expected
            + " TagA messages, filtered by the broker (got " + found + ")", found == expected);
    }

    private static String brokerNameOf(Ctx ctx, String topic) throws Exception {
        DefaultMQProducer probe = Clients.startProducer(ctx, "probe");
        return probe.fetchPublishMessageQueues(topic).get(0).getBrokerName();
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
