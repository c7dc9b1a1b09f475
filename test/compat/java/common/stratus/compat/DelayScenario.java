package stratus.compat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;

/**
 * `delay`: messages with delay levels `levels` (comma-separated) must each reach a push consumer, no earlier than
 * bornTimestamp + the level's delay, and (mode=live) at most `toleranceMs` later. For a broker restart
 * while they are pending the test runs mode=send, restarts the broker on the same data, then mode=receive
 * with the same run=: every message must still arrive, and not before its time.
 */
final class DelayScenario {
    static final long WARMUP_WAIT_MS = 30_000;

    private DelayScenario() {
    }

    static void run(Ctx ctx) throws Exception {
        String mode = ctx.params.str("mode", "live");
        String topic = ctx.name("topic", "compat_delay");
        ctx.result.put("topic", topic).put("mode", mode);
        DefaultMQProducer producer = Clients.startProducer(ctx, "producer");
        Map<String, Integer> levelByKey = keys(ctx);
        switch (mode) {
            case "live":
                Clients.createTopic(ctx, producer, topic, 2);
                Features.Deliveries d = startConsumer(ctx, producer, topic, "cg_delay");
                send(ctx, producer, topic, levelByKey);
                judge(ctx, d, levelByKey, true);
                break;
            case "send":
                Clients.createTopic(ctx, producer, topic, 2);
                send(ctx, producer, topic, levelByKey);
                break;
            case "receive":
                judge(ctx, startConsumer(ctx, producer, topic, "cg_delay"), levelByKey, false);
                break;
            default:
                throw new IllegalArgumentException("mode must be live, send or receive: " + mode);
        }
    }

    private static Map<String, Integer> keys(Ctx ctx) {
        int perLevel = ctx.params.integer("perLevel", 2);
        Map<String, Integer> out = new TreeMap<>();
        for (String level : ctx.params.str("levels", "1,3").split(",")) {
            int l = Integer.parseInt(level.trim());
            for (int i = 0; i < perLevel; i++) {
                out.put(Messages.key(ctx.runId, "L" + l, i), l);
            }
        }
        return out;
    }

    /** Starts the group's push consumer and proves it is live with an undelayed message. */
    static Features.Deliveries startConsumer(Ctx ctx, DefaultMQProducer producer, String topic,
        String groupPrefix) throws Exception {
        Features.Deliveries d = new Features.Deliveries();
        DefaultMQPushConsumer c = Clients.pushConsumer(ctx, ctx.name("group", groupPrefix), "delay");
        c.subscribe(topic, "*");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
            for (MessageExt m : msgs) {
                d.add("c", m);
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        ctx.closeLater(c::shutdown);
        String warm = Messages.key(ctx.runId, "warmup-" + System.nanoTime(), 0);
        producer.send(new Message(topic, "warmup", warm, new byte[] {1}));
        boolean live = ctx.deadline.await(() -> d.count(warm) > 0, WARMUP_WAIT_MS, 50);
        ctx.result.check("the consumer received an undelayed message first", live);
        return d;
    }

    private static void send(Ctx ctx, DefaultMQProducer producer, String topic, Map<String, Integer> levels)
        throws Exception {
        int bodySize = ctx.params.integer("bodySize", 64);
        int i = 0;
        int ok = 0;
        for (Map.Entry<String, Integer> e : levels.entrySet()) {
            Message m = Messages.create(topic, "TagD", e.getKey(), i++, bodySize);
            m.setDelayTimeLevel(e.getValue());
            SendResult res = producer.send(m);
            ok += res.getSendStatus() == SendStatus.SEND_OK ? 1 : 0;
        }
        ctx.result.put("sent", ok).put("sentAtMs", System.currentTimeMillis());
        ctx.result.check("every delayed send succeeded (" + ok + "/" + levels.size() + ")", ok == levels.size());
    }

    /** Every key arrives once, never before born + delay; in live mode within toleranceMs of it. */
    private static void judge(Ctx ctx, Features.Deliveries d, Map<String, Integer> levels, boolean live) {
        long tolerance = ctx.params.longValue("toleranceMs", 1000);
        long maxDelay = 0;
        for (int l : levels.values()) {
            maxDelay = Math.max(maxDelay, Features.levelMs(ctx, l));
        }
        ctx.deadline.await(() -> d.allSeen(levels.keySet()), maxDelay + 60_000, 50);
        Map<String, Long> lateness = new TreeMap<>();
        List<String> early = new ArrayList<>();
        List<String> late = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, Integer> e : levels.entrySet()) {
            List<Features.Delivery> ds = d.of(e.getKey());
            if (ds.isEmpty()) {
                missing.add(e.getKey());
                continue;
            }
            Features.Delivery first = ds.get(0);
            long late0 = first.atMs - (first.bornMs + Features.levelMs(ctx, e.getValue()));
            lateness.put(e.getKey(), late0);
            if (late0 < 0) {
                early.add(e.getKey() + " " + late0 + " ms");
            } else if (live && late0 > tolerance) {
                late.add(e.getKey() + " +" + late0 + " ms");
            }
        }
        Result r = ctx.result;
        r.put("latenessMs", lateness).put("missing", missing.size());
        r.check("every delayed message arrived " + missing, missing.isEmpty());
        r.check("no delayed message arrived before its delay " + early, early.isEmpty());
        r.check("every delayed message arrived within " + tolerance + " ms of its time " + late, late.isEmpty());
    }
}
