package stratus.compat;

import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendCallback;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageQueue;

/**
 * `send mode=sync|async|oneway`: sends `count` keyed messages over `queues` queues, then proves every one
 * was stored: the queues' max offsets add up to the count, and a lite-pull consumer reads every key back
 * intact. Oneway sends get no ack, so only those two reads judge them.
 */
final class SendScenario {
    private SendScenario() {
    }

    static void run(Ctx ctx) throws Exception {
        String mode = ctx.params.str("mode", "sync");
        int count = ctx.params.integer("count", 10_000);
        int queues = ctx.params.integer("queues", 8);
        int bodySize = ctx.params.integer("bodySize", 128);
        String topic = ctx.name("topic", "compat_send_" + mode);
        Result r = ctx.result.put("mode", mode).put("topic", topic).put("count", count);

        DefaultMQProducer producer = Clients.startProducer(ctx, "producer");
        List<MessageQueue> mqs = Clients.createTopic(ctx, producer, topic, queues);
        Tracker tracker = new Tracker(bodySize);
        long started = System.nanoTime();
        switch (mode) {
            case "sync":
                sendSync(ctx, producer, topic, count, bodySize, tracker);
                break;
            case "async":
                sendAsync(ctx, producer, topic, count, bodySize, tracker);
                break;
            case "oneway":
                sendOneway(ctx, producer, topic, count, bodySize, tracker);
                break;
            default:
                throw new IllegalArgumentException("mode must be sync, async or oneway, got " + mode);
        }
        r.put("sendMs", (System.nanoTime() - started) / 1_000_000L);
        Verify.storedByMaxOffsets(ctx, producer, mqs, count);
        Verify.readBackAll(ctx, mqs, tracker, "cg_verify_" + ctx.runId);
    }

    private static void sendSync(Ctx ctx, DefaultMQProducer p, String topic, int count, int bodySize,
        Tracker tracker) throws Exception {
        int ok = 0;
        String firstError = null;
        for (int i = 0; i < count && !ctx.deadline.expired(); i++) {
            String key = Messages.key(ctx.runId, "s", i);
            tracker.expect(key, i);
            try {
                SendResult res = p.send(Messages.create(topic, "TagA", key, i, bodySize));
                if (res.getSendStatus() == SendStatus.SEND_OK) {
                    ok++;
                } else if (firstError == null) {
                    firstError = res.getSendStatus().toString();
                }
            } catch (Exception e) {
                firstError = firstError == null ? e.toString() : firstError;
            }
        }
        report(ctx, count, ok, firstError);
    }

    private static void sendAsync(Ctx ctx, DefaultMQProducer p, String topic, int count, int bodySize,
        Tracker tracker) throws Exception {
        int inflight = ctx.params.integer("inflight", 128);
        Semaphore permits = new Semaphore(inflight);
        AtomicInteger ok = new AtomicInteger();
        AtomicReference<String> firstError = new AtomicReference<>();
        for (int i = 0; i < count && !ctx.deadline.expired(); i++) {
            String key = Messages.key(ctx.runId, "a", i);
            tracker.expect(key, i);
            if (!permits.tryAcquire(ctx.deadline.remainingMs(), TimeUnit.MILLISECONDS)) {
                break;
            }
            p.send(Messages.create(topic, "TagA", key, i, bodySize), new SendCallback() {
                @Override
                public void onSuccess(SendResult res) {
                    if (res.getSendStatus() == SendStatus.SEND_OK) {
                        ok.incrementAndGet();
                    } else {
                        firstError.compareAndSet(null, res.getSendStatus().toString());
                    }
                    permits.release();
                }

                @Override
                public void onException(Throwable e) {
                    firstError.compareAndSet(null, e.toString());
                    permits.release();
                }
            });
        }
        boolean drained = permits.tryAcquire(inflight, ctx.deadline.remainingMs(), TimeUnit.MILLISECONDS);
        ctx.result.check("every async send called back before the deadline", drained);
        report(ctx, count, ok.get(), firstError.get());
    }

    /**
     * Oneway sends, paced: every `barrierEvery` messages one synchronous send to a side topic on the same
     * connection, so the client cannot run arbitrarily far ahead of the broker.
     */
    private static void sendOneway(Ctx ctx, DefaultMQProducer p, String topic, int count, int bodySize,
        Tracker tracker) throws Exception {
        int barrierEvery = ctx.params.integer("barrierEvery", 500);
        String barrierTopic = topic + "_barrier";
        Clients.createTopic(ctx, p, barrierTopic, 1);
        int sent = 0;
        int barriers = 0;
        String firstError = null;
        for (int i = 0; i < count && !ctx.deadline.expired(); i++) {
            String key = Messages.key(ctx.runId, "o", i);
            tracker.expect(key, i);
            try {
                p.sendOneway(Messages.create(topic, "TagA", key, i, bodySize));
                sent++;
            } catch (Exception e) {
                firstError = firstError == null ? e.toString() : firstError;
            }
            if ((i + 1) % barrierEvery == 0 || i == count - 1) {
                Message barrier = new Message(barrierTopic, "barrier", ("barrier " + i).getBytes());
                SendResult res = p.send(barrier);
                barriers += res.getSendStatus() == SendStatus.SEND_OK ? 1 : 0;
            }
        }
        ctx.result.put("barriers", barriers);
        report(ctx, count, sent, firstError);
    }

    private static void report(Ctx ctx, int count, int acked, String firstError) {
        ctx.result.put("acked", acked);
        if (firstError != null) {
            ctx.result.put("firstSendError", firstError);
        }
        ctx.result.check("every send succeeded (" + acked + "/" + count + ")", acked == count);
    }
}
