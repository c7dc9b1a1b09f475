package stratus.bench;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;

/**
 * Fixed-rate end-to-end latency: `threads` sync-send threads share one schedule of `rate` messages per
 * second; each body starts with the send's System.nanoTime() and a flag saying whether it was sent in the
 * measured window. A push consumer in the same JVM (so the clock is the same) records now − stamp.
 */
final class LatencyPhase {
    private static final long REBALANCE_WAIT_MS = 30_000;
    private static final long DRAIN_WAIT_MS = 15_000;

    private LatencyPhase() {
    }

    static Map<String, Object> run(Ctx ctx, String topic, double rate, double warmS, double measureS)
        throws Exception {
        ctx.createTopic(topic);
        Samples e2e = new Samples();
        AtomicLong received = new AtomicLong();
        DefaultMQPushConsumer consumer = startConsumer(ctx, topic, e2e, received);
        try {
            return produce(ctx, topic, rate, warmS, measureS, e2e, received);
        } finally {
            consumer.shutdown();
        }
    }

    private static DefaultMQPushConsumer startConsumer(Ctx ctx, String topic, Samples e2e, AtomicLong received)
        throws Exception {
        DefaultMQPushConsumer c = new DefaultMQPushConsumer("bench_cg_lat_" + ctx.runId);
        c.setNamesrvAddr(ctx.namesrv);
        c.setInstanceName("bench-lat-" + ctx.runId);
        c.setVipChannelEnabled(false);
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.setConsumeThreadMin(4);
        c.setConsumeThreadMax(4);
        c.subscribe(topic, "*");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
            long now = System.nanoTime();
            for (MessageExt m : msgs) {
                ByteBuffer b = ByteBuffer.wrap(m.getBody());
                long stamp = b.getLong(0);
                if (b.get(8) == 1) {
                    e2e.add(now - stamp);
                    received.incrementAndGet();
                }
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        long deadline = System.currentTimeMillis() + REBALANCE_WAIT_MS;
        while (c.getDefaultMQPushConsumerImpl().getRebalanceImpl().getProcessQueueTable().size() < ctx.queues) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("push consumer was not assigned all " + ctx.queues + " queues");
            }
            Thread.sleep(100);
        }
        // Let the first pull of every queue reach the broker and park there before sending starts.
        Thread.sleep(1000);
        return c;
    }

    private static Map<String, Object> produce(Ctx ctx, String topic, double rate, double warmS,
        double measureS, Samples e2e, AtomicLong received) throws Exception {
        long intervalNs = (long) (1e9 / rate);
        long warmNs = (long) (warmS * 1e9);
        long totalNs = warmNs + (long) (measureS * 1e9);
        AtomicLong ticket = new AtomicLong();
        AtomicLong sentMeasured = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        long start = System.nanoTime() + 50_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < ctx.threads; t++) {
            Thread th = new Thread(() -> {
                while (true) {
                    long due = start + ticket.getAndIncrement() * intervalNs;
                    // The schedule ends at start + total; a system that cannot keep up stops there too
                    // (its achieved rate shows it) instead of stretching the phase.
                    if (due - start >= totalNs || System.nanoTime() - start >= totalNs) {
                        return;
                    }
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    long sendAt = System.nanoTime();
                    // Measured by when the send really starts: a saturated system runs behind its schedule.
                    boolean measured = sendAt - start >= warmNs;
                    byte[] body = new byte[ctx.bodyBytes];
                    ByteBuffer.wrap(body).putLong(0, sendAt).put(8, (byte) (measured ? 1 : 0));
                    try {
                        ctx.producer.send(new Message(topic, body));
                        if (measured) {
                            sentMeasured.incrementAndGet();
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                        firstError.compareAndSet(null, e.toString());
                    }
                }
            }, "bench-lat-" + t);
            threads.add(th);
            th.start();
        }
        Out.emit(Out.obj("event", "phase", "phase", "latency", "state", "measure"));
        try (Progress p = new Progress("latency", received, warmS + measureS, 0)) {
            for (Thread th : threads) {
                th.join();
            }
        }
        long deadline = System.currentTimeMillis() + DRAIN_WAIT_MS;
        while (received.get() < sentMeasured.get() && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        long sent = sentMeasured.get();
        return Out.obj(
            "targetRate", rate,
            "sent", sent,
            "achievedRate", sent / measureS,
            "received", received.get(),
            "errors", errors.get(),
            "firstError", firstError.get(),
            "e2eLatency", e2e.percentilesMs());
    }
}
