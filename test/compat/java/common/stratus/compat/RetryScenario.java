package stratus.compat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.rocketmq.client.consumer.DefaultMQPullConsumer;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.message.MessageClientExt;
import org.apache.rocketmq.common.message.MessageConst;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

/**
 * `retry`: a push consumer with maxReconsumeTimes=`maxReconsume` answers RECONSUME_LATER for `failing`
 * messages and CONSUME_SUCCESS for `passing` ones. Each failing message must come back with reconsumeTimes
 * 1, 2, .. maxReconsume, each after (not before) the delay of level 3 + previous reconsumeTimes, then land
 * in %DLQ%group, where a pull consumer reads it back intact. Passing messages arrive once.
 */
final class RetryScenario {
    /** The level the broker uses for reconsume count n when the client asks for level 0. */
    static final int FIRST_RETRY_LEVEL = 3;
    static final long EARLY_TOLERANCE_MS = 100;
    static final long LATE_TOLERANCE_MS = 3_000;
    static final long DLQ_WAIT_MS = 60_000;
    static final long RETRY_ROUTE_WAIT_MS = 30_000;

    private RetryScenario() {
    }

    static void run(Ctx ctx) throws Exception {
        int failing = ctx.params.integer("failing", 3);
        int passing = ctx.params.integer("passing", 3);
        int maxReconsume = ctx.params.integer("maxReconsume", 2);
        int bodySize = ctx.params.integer("bodySize", 64);
        String topic = ctx.name("topic", "compat_retry");
        String group = ctx.name("group", "cg_retry");
        Result r = ctx.result.put("topic", topic).put("group", group);
        DefaultMQProducer producer = Clients.startProducer(ctx, "producer");
        List<MessageQueue> mqs = Clients.createTopic(ctx, producer, topic, 2);

        List<String> failKeys = new ArrayList<>();
        List<String> passKeys = new ArrayList<>();
        Features.Deliveries deliveries = new Features.Deliveries();
        DefaultMQPushConsumer c = Clients.pushConsumer(ctx, group, "retry");
        c.setMaxReconsumeTimes(maxReconsume);
        c.subscribe(topic, "*");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
            boolean fail = false;
            for (MessageExt m : msgs) {
                deliveries.add("c", m);
                fail |= failKeys.contains(m.getKeys());
            }
            return fail ? ConsumeConcurrentlyStatus.RECONSUME_LATER : ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.setConsumeMessageBatchMaxSize(1);
        for (int i = 0; i < failing; i++) {
            failKeys.add(Messages.key(ctx.runId, "fail", i));
        }
        for (int i = 0; i < passing; i++) {
            passKeys.add(Messages.key(ctx.runId, "pass", i));
        }
        RecordingAllocation allocation = new RecordingAllocation();
        c.setAllocateMessageQueueStrategy(allocation);
        String retryTopic = "%RETRY%" + group;
        if (!warmUp(ctx, producer, group, retryTopic)) {
            return;
        }
        c.start();
        ctx.closeLater(c::shutdown);
        boolean pulling = ctx.deadline.await(() -> allocation.queues(retryTopic) > 0, RETRY_ROUTE_WAIT_MS, 50);
        r.check("the consumer was assigned its retry queue at start", pulling);
        Tracker dlqTracker = new Tracker(bodySize);
        for (int i = 0; i < failing; i++) {
            dlqTracker.expect(failKeys.get(i), i);
            producer.send(Messages.create(topic, "TagF", failKeys.get(i), i, bodySize));
        }
        for (int i = 0; i < passing; i++) {
            producer.send(Messages.create(topic, "TagP", passKeys.get(i), i, bodySize));
        }
        ctx.deadline.await(() -> failKeys.stream().allMatch(k -> deliveries.count(k) > maxReconsume)
            && deliveries.allSeen(passKeys), Long.MAX_VALUE, 100);

        checkRetries(ctx, deliveries, failKeys, maxReconsume);
        readDlq(ctx, producer, mqs.get(0).getBrokerName(), group, topic, dlqTracker, deliveries, failKeys,
            maxReconsume);
        Map<String, Integer> passCounts = new TreeMap<>();
        for (String k : passKeys) {
            passCounts.put(k, deliveries.count(k));
        }
        r.put("passingDeliveries", passCounts);
        r.check("every passing message arrived exactly once " + passCounts,
            passCounts.values().stream().allMatch(n -> n == 1));
    }

    /**
     * A group's first heartbeat makes the broker create %RETRY%group; a client picks that route up only at
     * its next rebalance (20 s), so the group runs once first, as any group that ran before would have.
     */
    private static boolean warmUp(Ctx ctx, DefaultMQProducer producer, String group, String retryTopic)
        throws Exception {
        DefaultMQPushConsumer first = Clients.pushConsumer(ctx, group, "retry-first");
        first.subscribe(ctx.name("topic", "compat_retry"), "*");
        first.registerMessageListener((MessageListenerConcurrently) (msgs, context) ->
            ConsumeConcurrentlyStatus.RECONSUME_LATER);
        first.start();
        boolean routed = ctx.deadline.await(() -> {
            try {
                return !producer.fetchPublishMessageQueues(retryTopic).isEmpty();
            } catch (Exception e) {
                return false;
            }
        }, RETRY_ROUTE_WAIT_MS, 100);
        first.shutdown();
        return ctx.result.check("the group's first heartbeat created " + retryTopic + " on the NameServer", routed);
    }

    /** Reconsume counts 0..max in order, each redelivery after its level's delay. */
    private static void checkRetries(Ctx ctx, Features.Deliveries deliveries, List<String> failKeys,
        int maxReconsume) {
        Map<String, List<Integer>> seen = new TreeMap<>();
        List<Long> gaps = new ArrayList<>();
        List<String> badGaps = new ArrayList<>();
        for (String k : failKeys) {
            List<Features.Delivery> ds = deliveries.of(k);
            List<Integer> times = new ArrayList<>();
            for (int i = 0; i < ds.size(); i++) {
                times.add(ds.get(i).reconsumeTimes);
                if (i == 0) {
                    continue;
                }
                long gap = ds.get(i).atMs - ds.get(i - 1).atMs;
                long want = Features.levelMs(ctx, FIRST_RETRY_LEVEL + ds.get(i - 1).reconsumeTimes);
                gaps.add(gap);
                if (gap < want - EARLY_TOLERANCE_MS || gap > want + LATE_TOLERANCE_MS) {
                    badGaps.add(k + "#" + i + ": " + gap + " ms, level delay " + want + " ms");
                }
            }
            seen.put(k, times);
        }
        List<Integer> want = new ArrayList<>();
        for (int i = 0; i <= maxReconsume; i++) {
            want.add(i);
        }
        ctx.result.put("reconsumeTimesSeen", seen).put("retryGapsMs", gaps);
        ctx.result.check("each failing message was delivered with reconsumeTimes " + want + " " + seen,
            seen.values().stream().allMatch(want::equals));
        ctx.result.check("each retry came after its delay level and within " + LATE_TOLERANCE_MS + " ms "
            + badGaps, badGaps.isEmpty());
    }

    private static void readDlq(Ctx ctx, DefaultMQProducer producer, String brokerName, String group,
        String topic, Tracker tracker, Features.Deliveries deliveries, List<String> failKeys, int maxReconsume)
        throws Exception {
        String dlqTopic = "%DLQ%" + group;
        DefaultMQPullConsumer pull = Features.pullConsumer(ctx, "dlq");
        MessageQueue dlq = new MessageQueue(dlqTopic, brokerName, 0);
        List<MessageExt> found = Features.pullQueue(ctx, pull, dlq, 0, failKeys.size(), DLQ_WAIT_MS);
        List<String> origins = new ArrayList<>();
        List<Integer> dlqReconsume = new ArrayList<>();
        List<String> delays = new ArrayList<>();
        List<String> originIds = new ArrayList<>();
        for (MessageExt m : found) {
            tracker.record(m);
            origins.add(m.getProperty(MessageConst.PROPERTY_RETRY_TOPIC));
            dlqReconsume.add(m.getReconsumeTimes());
            delays.add(m.getProperty(MessageConst.PROPERTY_DELAY_TIME_LEVEL));
            String origin = m.getProperty(MessageConst.PROPERTY_ORIGIN_MESSAGE_ID);
            List<Features.Delivery> tries = deliveries.of(m.getKeys());
            // The first delivery (reconsumeTimes 0) was the original record; Apache names it by its offset id.
            MessageExt first = tries.isEmpty() ? null : tries.get(0).msg;
            String firstOffsetId = first instanceof MessageClientExt ? ((MessageClientExt) first).getOffsetMsgId()
                : null;
            originIds.add(origin != null && origin.equalsIgnoreCase(String.valueOf(firstOffsetId)) ? "original"
                : origin + " (first delivery " + firstOffsetId + ")");
        }
        Result r = ctx.result;
        r.put("dlqMessages", found.size()).put("dlqRetryTopicProperty", origins)
            .put("dlqReconsumeTimes", dlqReconsume).put("dlqDelayProperty", delays)
            .put("dlqOriginMessageIds", originIds);
        // Apache's dead-letter copy is written with delay level 0 (DELAY=0): it is not delayed again.
        r.check("DLQ messages carry DELAY=0 " + delays, delays.stream().allMatch("0"::equals));
        r.check("DLQ messages name the original message's offset id in ORIGIN_MESSAGE_ID " + originIds,
            originIds.stream().allMatch("original"::equals));
        tracker.report(r, "dlq");
        r.check("the DLQ holds only the failed messages (" + found.size() + ")", found.size() == failKeys.size());
        r.check("DLQ messages name the original topic in RETRY_TOPIC " + origins,
            origins.stream().allMatch(topic::equals));
        List<MessageQueue> route = new ArrayList<>();
        try {
            route.addAll(producer.fetchPublishMessageQueues(dlqTopic));
        } catch (Exception e) {
            r.put("dlqRouteError", e.toString());
        }
        r.put("dlqQueues", route.size());
        r.check("the NameServer routes " + dlqTopic + " with one queue", route.size() == 1);
        List<Integer> counts = new ArrayList<>();
        for (String k : failKeys) {
            counts.add(deliveries.count(k));
        }
        r.put("deliveriesPerFailingMessageAfterDlq", counts);
        r.check("no failed message was delivered again once it was in the DLQ " + counts,
            counts.stream().allMatch(n -> n == maxReconsume + 1));
    }
}
