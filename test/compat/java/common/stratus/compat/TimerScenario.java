package stratus.compat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;

/**
 * `timer` (5.x clients): messages sent with Message.setDelayTimeMs(d) for d in `delaysMs` and with
 * setDeliverTimeMs(now + `deliverInMs`) must reach a push consumer within `toleranceMs` of their time (and
 * not more than `earlyToleranceMs` before it); a delay past `maxDelaySec` (the broker's timerMaxDelaySec)
 * is refused by the broker. mode=send / mode=receive split the run around a broker restart like `delay`.
 */
final class TimerScenario {
    static final String DUE = "dueAtMs";

    private TimerScenario() {
    }

    static void run(Ctx ctx) throws Exception {
        String mode = ctx.params.str("mode", "live");
        String topic = ctx.name("topic", "compat_timer");
        ctx.result.put("topic", topic).put("mode", mode).put("timerApi", FeatureApi.timerSupported());
        if (!ctx.result.check("this client line has the timer-message API", FeatureApi.timerSupported())) {
            return;
        }
        DefaultMQProducer producer = Clients.startProducer(ctx, "producer");
        List<String> keys = keys(ctx);
        switch (mode) {
            case "live":
                Clients.createTopic(ctx, producer, topic, 2);
                Features.Deliveries d = DelayScenario.startConsumer(ctx, producer, topic, "cg_timer");
                send(ctx, producer, topic, keys);
                refuseBeyondMax(ctx, producer, topic);
                judge(ctx, d, keys, true);
                break;
            case "send":
                Clients.createTopic(ctx, producer, topic, 2);
                send(ctx, producer, topic, keys);
                break;
            case "receive":
                judge(ctx, DelayScenario.startConsumer(ctx, producer, topic, "cg_timer"), keys, false);
                break;
            default:
                throw new IllegalArgumentException("mode must be live, send or receive: " + mode);
        }
    }

    private static List<String> keys(Ctx ctx) {
        List<String> out = new ArrayList<>();
        for (String d : ctx.params.str("delaysMs", "2000,4000").split(",")) {
            out.add(Messages.key(ctx.runId, "ms" + d.trim(), 0));
        }
        out.add(Messages.key(ctx.runId, "at" + ctx.params.longValue("deliverInMs", 3000), 0));
        return out;
    }

    private static void send(Ctx ctx, DefaultMQProducer producer, String topic, List<String> keys)
        throws Exception {
        int ok = 0;
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            Message m = Messages.create(topic, "TagT", key, i, 64);
            String spec = key.substring(key.indexOf('-', ctx.runId.length()) + 1, key.lastIndexOf('-'));
            long amount = Long.parseLong(spec.substring(2));
            if (spec.startsWith("ms")) {
                FeatureApi.setDelayTimeMs(m, amount);
            } else {
                long at = System.currentTimeMillis() + amount;
                FeatureApi.setDeliverTimeMs(m, at);
                m.putUserProperty(DUE, Long.toString(at));
            }
            SendResult res = producer.send(m);
            ok += res.getSendStatus() == SendStatus.SEND_OK ? 1 : 0;
        }
        ctx.result.put("sent", ok);
        ctx.result.check("every timer send succeeded (" + ok + "/" + keys.size() + ")", ok == keys.size());
    }

    /** A delay one hour past timerMaxDelaySec must be refused, not stored. */
    private static void refuseBeyondMax(Ctx ctx, DefaultMQProducer producer, String topic) {
        long maxDelaySec = ctx.params.longValue("maxDelaySec", 3L * 24 * 3600);
        Message m = Messages.create(topic, "TagT", Messages.key(ctx.runId, "beyond", 0), 0, 64);
        FeatureApi.setDelayTimeMs(m, (maxDelaySec + 3600) * 1000L);
        String outcome;
        int code = -1;
        try {
            outcome = "stored: " + producer.send(m).getSendStatus();
        } catch (MQBrokerException e) {
            code = e.getResponseCode();
            outcome = "MQBrokerException " + code + ": " + e.getErrorMessage();
        } catch (Exception e) {
            outcome = e.toString();
        }
        ctx.result.put("beyondMaxOutcome", outcome).put("beyondMaxCode", code);
        ctx.result.check("a delay past timerMaxDelaySec was refused by the broker (" + outcome + ")", code > 0);
    }

    private static void judge(Ctx ctx, Features.Deliveries d, List<String> keys, boolean live) {
        long tolerance = ctx.params.longValue("toleranceMs", 1000);
        long early = ctx.params.longValue("earlyToleranceMs", 0);
        ctx.deadline.await(() -> d.allSeen(keys), 120_000, 50);
        Map<String, Long> lateness = new TreeMap<>();
        List<String> bad = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String key : keys) {
            List<Features.Delivery> ds = d.of(key);
            if (ds.isEmpty()) {
                missing.add(key);
                continue;
            }
            Features.Delivery first = ds.get(0);
            String due = first.msg.getUserProperty(DUE);
            String spec = key.substring(key.indexOf('-', ctx.runId.length()) + 1, key.lastIndexOf('-'));
            long dueMs = due != null ? Long.parseLong(due) : first.bornMs + Long.parseLong(spec.substring(2));
            long late = first.atMs - dueMs;
            lateness.put(key, late);
            if (late < -early || (live && late > tolerance)) {
                bad.add(key + " " + late + " ms");
            }
        }
        ctx.result.put("latenessMs", lateness).put("missing", missing.size());
        ctx.result.check("every timer message arrived " + missing, missing.isEmpty());
        ctx.result.check("every timer message arrived at its time (-" + early + "/+" + (live ? tolerance : "any")
            + " ms) " + bad, bad.isEmpty());
    }
}
