package stratus.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;

/**
 * Max-rate sync send: `threads` threads each send 1 KiB messages back to back (the producer picks queues
 * round-robin). Counts and latencies are kept only for sends that complete inside the measured window,
 * which follows a warm-up.
 */
final class SendPhase {
    private static final long BACKOFF_AFTER_ERROR_MS = 10;

    private SendPhase() {
    }

    static Map<String, Object> run(Ctx ctx, String phase, String topic, double warmS, double measureS)
        throws Exception {
        byte[] body = new byte[ctx.bodyBytes];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) ('a' + i % 26);
        }
        AtomicBoolean measuring = new AtomicBoolean(false);
        AtomicBoolean stop = new AtomicBoolean(false);
        AtomicLong sent = new AtomicLong();
        AtomicLong notOk = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        List<Samples> perThread = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < ctx.threads; t++) {
            Samples samples = new Samples();
            perThread.add(samples);
            Thread th = new Thread(() -> {
                while (!stop.get()) {
                    long t0 = System.nanoTime();
                    try {
                        SendResult r = ctx.producer.send(new Message(topic, body));
                        long dt = System.nanoTime() - t0;
                        if (measuring.get()) {
                            if (r.getSendStatus() == SendStatus.SEND_OK) {
                                sent.incrementAndGet();
                                samples.add(dt);
                            } else {
                                notOk.incrementAndGet();
                            }
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                        firstError.compareAndSet(null, e.toString());
                        sleep(BACKOFF_AFTER_ERROR_MS);
                    }
                }
            }, "bench-send-" + t);
            threads.add(th);
            th.start();
        }
        Out.emit(Out.obj("event", "phase", "phase", phase, "state", "warm"));
        Thread.sleep((long) (warmS * 1000));
        long start;
        long end;
        try (Progress p = new Progress(phase, sent, measureS, 0)) {
            measuring.set(true);
            start = System.nanoTime();
            Out.emit(Out.obj("event", "phase", "phase", phase, "state", "measure"));
            Thread.sleep((long) (measureS * 1000));
            measuring.set(false);
            end = System.nanoTime();
        }
        stop.set(true);
        for (Thread th : threads) {
            th.join();
        }
        double seconds = (end - start) / 1e9;
        long n = sent.get();
        Map<String, Object> result = Out.obj(
            "messages", n,
            "seconds", seconds,
            "msgsPerSec", n / seconds,
            "mbPerSec", n * (double) ctx.bodyBytes / seconds / (1024 * 1024),
            "notOk", notOk.get(),
            "errors", errors.get(),
            "firstError", firstError.get(),
            "sendLatency", Samples.merge(perThread).percentilesMs());
        return result;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
