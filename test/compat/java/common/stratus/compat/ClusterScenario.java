package stratus.compat;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

/**
 * `cluster`: two push consumers in one CLUSTERING group split the queues and together receive every
 * message; their committed offsets reach the broker; after both stop, a new member of the group receives
 * only what was sent since, not the whole topic again.
 */
final class ClusterScenario {
    static final long REBALANCE_WAIT_MS = 60_000;
    static final long COMMIT_WAIT_MS = 30_000;
    static final long LINGER_MS = 3_000;

    private ClusterScenario() {
    }

    /** One push consumer's view: what it got and from which queues. */
    static final class Member {
        final AtomicInteger received = new AtomicInteger();
        final Set<Integer> queueIds = new ConcurrentSkipListSet<>();
        final RecordingAllocation allocation = new RecordingAllocation();
        DefaultMQPushConsumer consumer;
    }

    static Member start(Ctx ctx, String group, String instance, String topic, Tracker tracker,
        AtomicInteger others) throws Exception {
        Member m = new Member();
        m.consumer = Clients.pushConsumer(ctx, group, instance);
        m.consumer.setAllocateMessageQueueStrategy(m.allocation);
        m.consumer.subscribe(topic, "*");
        m.consumer.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
            for (MessageExt msg : msgs) {
                m.received.incrementAndGet();
                m.queueIds.add(msg.getQueueId());
                if (!tracker.record(msg)) {
                    others.incrementAndGet();
                }
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        m.consumer.start();
        ctx.closeLater(m.consumer::shutdown);
        return m;
    }

    static void run(Ctx ctx) throws Exception {
        int count = ctx.params.integer("count", 2000);
        int restartCount = ctx.params.integer("restartCount", 200);
        int queues = ctx.params.integer("queues", 8);
        int bodySize = ctx.params.integer("bodySize", 128);
        String topic = ctx.name("topic", "compat_cluster");
        String group = ctx.name("group", "cg_cluster");
        Result r = ctx.result.put("topic", topic).put("group", group).put("count", count);
        DefaultMQProducer producer = Clients.startProducer(ctx, "producer");
        List<MessageQueue> mqs = Clients.createTopic(ctx, producer, topic, queues);

        Tracker first = new Tracker(bodySize);
        AtomicInteger firstOthers = new AtomicInteger();
        Member a = start(ctx, group, "c1", topic, first, firstOthers);
        Member b = start(ctx, group, "c2", topic, first, firstOthers);
        long t0 = System.nanoTime();
        boolean balanced = ctx.deadline.await(() -> a.allocation.consumers(topic) == 2
            && b.allocation.consumers(topic) == 2
            && a.allocation.queues(topic) + b.allocation.queues(topic) == queues
            && a.allocation.queues(topic) > 0 && b.allocation.queues(topic) > 0, REBALANCE_WAIT_MS, 100);
        r.put("rebalanceMs", (System.nanoTime() - t0) / 1_000_000L);
        r.put("allocatedQueues", List.of(a.allocation.queues(topic), b.allocation.queues(topic)));
        r.check("rebalance split the " + queues + " queues between the two consumers", balanced);

        sendAll(ctx, producer, topic, "p1", count, bodySize, first);
        ctx.deadline.await(first::complete, Long.MAX_VALUE, 100);
        r.put("receivedPerConsumer", List.of(a.received.get(), b.received.get()));
        r.put("queuesPerConsumer", List.of(a.queueIds, b.queueIds));
        first.report(r, "firstPhase");
        r.check("both consumers received messages", a.received.get() > 0 && b.received.get() > 0);
        Set<Integer> overlap = new TreeSet<>(a.queueIds);
        overlap.retainAll(b.queueIds);
        r.check("no queue was consumed by both consumers (" + overlap + ")", overlap.isEmpty());
        r.check("no unexpected message arrived (" + firstOthers.get() + ")", firstOthers.get() == 0);

        boolean committed = ctx.deadline.await(
            () -> Clients.committedSum(ctx, producer, group, mqs) == count, COMMIT_WAIT_MS, 500);
        r.put("committedBeforeRestart", Clients.committedSum(ctx, producer, group, mqs));
        r.check("the group's committed offsets add up to " + count, committed);
        a.consumer.shutdown();
        b.consumer.shutdown();

        restart(ctx, producer, topic, group, restartCount, bodySize, first);
    }

    /** Sends a second batch while the group is down, then starts a fresh member of the same group. */
    private static void restart(Ctx ctx, DefaultMQProducer producer, String topic, String group,
        int restartCount, int bodySize, Tracker first) throws Exception {
        Tracker second = new Tracker(bodySize);
        sendAll(ctx, producer, topic, "p2", restartCount, bodySize, second);
        AtomicInteger old = new AtomicInteger();
        AtomicInteger unknown = new AtomicInteger();
        Member c = new Member();
        c.consumer = Clients.pushConsumer(ctx, group, "c3");
        c.consumer.subscribe(topic, "*");
        c.consumer.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
            for (MessageExt msg : msgs) {
                if (!second.record(msg)) {
                    (first.isExpected(msg.getKeys()) ? old : unknown).incrementAndGet();
                }
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.consumer.start();
        ctx.closeLater(c.consumer::shutdown);
        ctx.deadline.await(second::complete, Long.MAX_VALUE, 100);
        Deadline.sleep(Math.min(LINGER_MS, ctx.deadline.remainingMs()));
        Result r = ctx.result;
        second.report(r, "afterRestart");
        r.put("redeliveredAfterRestart", old.get());
        r.check("the restarted group did not receive first-phase messages again (" + old.get() + ")",
            old.get() == 0);
        r.check("no unexpected message arrived after restart (" + unknown.get() + ")", unknown.get() == 0);
    }

    static void sendAll(Ctx ctx, DefaultMQProducer p, String topic, String phase, int count, int bodySize,
        Tracker tracker) throws Exception {
        for (int i = 0; i < count && !ctx.deadline.expired(); i++) {
            String key = Messages.key(ctx.runId, phase, i);
            tracker.expect(key, i);
            p.send(Messages.create(topic, "TagA", key, i, bodySize));
        }
    }
}
