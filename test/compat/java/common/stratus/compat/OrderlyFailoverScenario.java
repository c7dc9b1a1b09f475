package stratus.compat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeOrderlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerOrderly;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.message.MessageExt;

/**
 * `orderly-failover`: two MessageListenerOrderly consumers of one group split the queues (LOCK_BATCH_MQ);
 * messages of `orders` order ids go through a queue selector while one consumer is shut down mid-stream.
 * The survivor must take over its queues; per queue the offsets consumed, merged over both consumers in
 * processing order, may repeat (redelivery after the takeover) but never skip ahead or go backwards within
 * one consumer, and while both were alive no queue was processed by both at once.
 */
final class OrderlyFailoverScenario {
    static final long REBALANCE_WAIT_MS = 60_000;

    private OrderlyFailoverScenario() {
    }

    /** One processing of one message, in the order the queue's messages were processed. */
    static final class Event {
        final String consumer;
        final long offset;

        Event(String consumer, long offset) {
            this.consumer = consumer;
            this.offset = offset;
        }
    }

    static final class Shared {
        final Map<Integer, List<Event>> byQueue = new ConcurrentHashMap<>();
        final Map<Integer, AtomicInteger> busy = new ConcurrentHashMap<>();
        final AtomicBoolean failoverStarted = new AtomicBoolean();
        final AtomicInteger concurrentBeforeFailover = new AtomicInteger();
        final AtomicInteger concurrentAfterFailover = new AtomicInteger();
        final Tracker tracker = new Tracker(64);
    }

    static DefaultMQPushConsumer start(Ctx ctx, String group, String name, String topic, Shared s,
        RecordingAllocation allocation, AtomicInteger consumed) throws Exception {
        DefaultMQPushConsumer c = Clients.pushConsumer(ctx, group, name);
        c.setAllocateMessageQueueStrategy(allocation);
        c.subscribe(topic, "*");
        c.registerMessageListener((MessageListenerOrderly) (msgs, context) -> {
            for (MessageExt m : msgs) {
                AtomicInteger busy = s.busy.computeIfAbsent(m.getQueueId(), k -> new AtomicInteger());
                if (busy.incrementAndGet() != 1) {
                    (s.failoverStarted.get() ? s.concurrentAfterFailover : s.concurrentBeforeFailover)
                        .incrementAndGet();
                }
                List<Event> events = s.byQueue.computeIfAbsent(m.getQueueId(), k -> new ArrayList<>());
                synchronized (events) {
                    events.add(new Event(name, m.getQueueOffset()));
                }
                s.tracker.record(m);
                consumed.incrementAndGet();
                busy.decrementAndGet();
            }
            return ConsumeOrderlyStatus.SUCCESS;
        });
        c.start();
        ctx.closeLater(c::shutdown);
        return c;
    }

    static void run(Ctx ctx) throws Exception {
        int count = ctx.params.integer("count", 600);
        int orders = ctx.params.integer("orders", 16);
        int queues = ctx.params.integer("queues", 4);
        long sendIntervalMs = ctx.params.longValue("sendIntervalMs", 5);
        int failAfter = ctx.params.integer("failAfter", 60);
        String topic = ctx.name("topic", "compat_orderly_fo");
        String group = ctx.name("group", "cg_orderly_fo");
        Result r = ctx.result.put("topic", topic).put("group", group).put("count", count);
        DefaultMQProducer producer = Clients.startProducer(ctx, "producer");
        Clients.createTopic(ctx, producer, topic, queues);

        Shared s = new Shared();
        RecordingAllocation a1 = new RecordingAllocation();
        RecordingAllocation a2 = new RecordingAllocation();
        AtomicInteger n1 = new AtomicInteger();
        AtomicInteger n2 = new AtomicInteger();
        DefaultMQPushConsumer c1 = start(ctx, group, "c1", topic, s, a1, n1);
        start(ctx, group, "c2", topic, s, a2, n2);
        boolean split = ctx.deadline.await(() -> a1.consumers(topic) == 2 && a2.consumers(topic) == 2
            && a1.queues(topic) > 0 && a2.queues(topic) > 0, REBALANCE_WAIT_MS, 100);
        if (!r.check("the two consumers split the queues before sending", split)) {
            return;
        }
        AtomicInteger misplaced = new AtomicInteger();
        AtomicReference<String> sendError = new AtomicReference<>();
        Thread sender = new Thread(() -> {
            try {
                for (int i = 0; i < count && !ctx.deadline.expired(); i++) {
                    String key = Messages.key(ctx.runId, "o", i);
                    s.tracker.expect(key, i);
                    int order = i % orders;
                    SendResult res = producer.send(Messages.create(topic, "TagO", key, i, 64),
                        (all, msg, arg) -> all.get((Integer) arg % all.size()), order);
                    misplaced.addAndGet(res.getMessageQueue().getQueueId() == order % queues ? 0 : 1);
                    Deadline.sleep(sendIntervalMs);
                }
            } catch (Exception e) {
                sendError.set(e.toString());
            }
        }, "orderly-sender");
        sender.start();
        ctx.deadline.await(() -> n1.get() >= failAfter, 60_000, 10);
        Set<Integer> c1Queues = queuesOf(s, "c1");
        r.put("c1ConsumedBeforeShutdown", n1.get()).put("c1Queues", c1Queues);
        s.failoverStarted.set(true);
        c1.shutdown();
        sender.join(Math.max(1, ctx.deadline.remainingMs()));
        ctx.deadline.await(s.tracker::complete, Long.MAX_VALUE, 100);
        r.put("sendError", sendError.get()).put("misplacedSends", misplaced.get());
        r.put("consumedByC1", n1.get()).put("consumedByC2", n2.get());
        s.tracker.report(r, "orderly");
        judge(ctx, s, c1Queues);
    }

    private static Set<Integer> queuesOf(Shared s, String consumer) {
        Set<Integer> out = new TreeSet<>();
        s.byQueue.forEach((q, events) -> {
            synchronized (events) {
                if (events.stream().anyMatch(e -> e.consumer.equals(consumer))) {
                    out.add(q);
                }
            }
        });
        return out;
    }

    private static void judge(Ctx ctx, Shared s, Set<Integer> c1Queues) {
        int skips = 0;
        int backwards = 0;
        int duplicates = 0;
        Map<Integer, String> owners = new TreeMap<>();
        Set<Integer> takenOver = new TreeSet<>();
        for (Map.Entry<Integer, List<Event>> e : s.byQueue.entrySet()) {
            List<Event> events;
            synchronized (e.getValue()) {
                events = new ArrayList<>(e.getValue());
            }
            long maxSeen = -1;
            Map<String, Long> lastBy = new TreeMap<>();
            StringBuilder owner = new StringBuilder();
            for (Event ev : events) {
                skips += ev.offset > maxSeen + 1 ? 1 : 0;
                duplicates += ev.offset <= maxSeen ? 1 : 0;
                maxSeen = Math.max(maxSeen, ev.offset);
                Long last = lastBy.put(ev.consumer, ev.offset);
                backwards += last != null && ev.offset <= last ? 1 : 0;
                if (owner.length() == 0 || !owner.toString().endsWith(ev.consumer)) {
                    owner.append(owner.length() == 0 ? "" : ">").append(ev.consumer);
                }
            }
            owners.put(e.getKey(), owner.toString());
            if (c1Queues.contains(e.getKey()) && lastBy.containsKey("c2")) {
                takenOver.add(e.getKey());
            }
        }
        Result r = ctx.result;
        r.put("queueOwners", owners).put("takenOver", takenOver).put("offsetSkips", skips)
            .put("offsetBackwardsInOneConsumer", backwards).put("duplicatesAfterTakeover", duplicates)
            .put("concurrentBeforeFailover", s.concurrentBeforeFailover.get())
            .put("concurrentDuringFailover", s.concurrentAfterFailover.get());
        r.check("the first consumer owned some queues before it stopped " + c1Queues, !c1Queues.isEmpty());
        r.check("the survivor took over every queue of the stopped consumer " + takenOver + " of " + c1Queues,
            takenOver.equals(c1Queues));
        r.check("no queue skipped ahead in the merged consumption order (" + skips + ")", skips == 0);
        r.check("no consumer saw a queue's offsets go backwards (" + backwards + ")", backwards == 0);
        r.check("while both consumers lived, no queue was processed by both at once",
            s.concurrentBeforeFailover.get() == 0);
        r.check("each queue changed hands at most once " + owners,
            owners.values().stream().allMatch(o -> !o.contains(">") || o.equals("c1>c2")));
    }
}
