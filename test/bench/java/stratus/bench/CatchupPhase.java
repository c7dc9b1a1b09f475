package stratus.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

/**
 * Catch-up: makes sure every queue of `topic` holds at least `perQueue` messages (topping up with sync
 * sends to the short queues), then a new consumer group reads the first `perQueue` messages of every queue
 * from offset 0 with a lite-pull consumer; the clock runs from its start to the last message.
 */
final class CatchupPhase {
    private static final int PULL_BATCH = 32;
    private static final long POLL_TIMEOUT_MS = 1000;
    private static final int FILL_BATCH = 64;

    private CatchupPhase() {
    }

    static Map<String, Object> run(Ctx ctx, String topic, long perQueue, double timeoutS) throws Exception {
        List<MessageQueue> mqs = ctx.queuesOf(topic);
        long toppedUp = topUp(ctx, mqs, perQueue);
        Out.emit(Out.obj("event", "phase", "phase", "catchup", "state", "measure"));
        DefaultLitePullConsumer c = new DefaultLitePullConsumer("bench_cg_catchup_" + ctx.runId);
        c.setNamesrvAddr(ctx.namesrv);
        c.setInstanceName("bench-catchup-" + ctx.runId);
        c.setVipChannelEnabled(false);
        c.setAutoCommit(false);
        c.setPullBatchSize(PULL_BATCH);
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        AtomicLong consumed = new AtomicLong();
        long start = System.nanoTime();
        long bytes = 0;
        long firstAt = 0;
        long bytesAfterFirst = 0;
        long[] perQueueCount = new long[mqs.size()];
        int queuesDone = 0;
        long deadline = start + (long) (timeoutS * 1e9);
        c.start();
        try (Progress p = new Progress("catchup", consumed, 0, perQueue * mqs.size())) {
            c.assign(mqs);
            while (queuesDone < mqs.size() && System.nanoTime() < deadline) {
                for (MessageExt m : c.poll(POLL_TIMEOUT_MS)) {
                    int q = m.getQueueId();
                    if (m.getQueueOffset() < perQueue && perQueueCount[q] < perQueue) {
                        if (firstAt == 0) {
                            firstAt = System.nanoTime();
                        } else {
                            bytesAfterFirst += m.getBody().length;
                        }
                        bytes += m.getBody().length;
                        consumed.incrementAndGet();
                        if (++perQueueCount[q] == perQueue) {
                            queuesDone++;
                        }
                    }
                }
            }
        } finally {
            c.shutdown();
        }
        long end = System.nanoTime();
        double seconds = (end - start) / 1e9;
        // From the first message on: what the broker streams once the consumer has started and found its
        // offsets (the client's start-up is a fixed cost that a scaled-down backlog magnifies).
        double streamSeconds = firstAt == 0 ? 0 : (end - firstAt) / 1e9;
        long n = consumed.get();
        return Out.obj(
            "messages", n,
            "expected", perQueue * mqs.size(),
            "complete", queuesDone == mqs.size(),
            "toppedUp", toppedUp,
            "seconds", seconds,
            "msgsPerSec", n / seconds,
            "mbPerSec", bytes / seconds / (1024 * 1024),
            "firstMessageS", firstAt == 0 ? -1 : (firstAt - start) / 1e9,
            "streamMbPerSec", streamSeconds > 0 ? bytesAfterFirst / streamSeconds / (1024 * 1024) : 0);
    }

    /**
     * Sends to each queue until it holds `perQueue` messages, in batches of FILL_BATCH (SEND_BATCH_MESSAGE:
     * the backlog is set-up, not measured, and single sends made it the slowest part of the run); returns
     * how many messages were sent.
     */
    static long topUp(Ctx ctx, List<MessageQueue> mqs, long perQueue) throws Exception {
        List<MessageQueue> batchQueue = new ArrayList<>();
        List<Integer> batchSize = new ArrayList<>();
        long total = 0;
        for (MessageQueue mq : mqs) {
            for (long have = ctx.producer.maxOffset(mq); have < perQueue; have += FILL_BATCH) {
                int n = (int) Math.min(FILL_BATCH, perQueue - have);
                batchQueue.add(mq);
                batchSize.add(n);
                total += n;
            }
        }
        if (total == 0) {
            return 0;
        }
        Out.emit(Out.obj("event", "phase", "phase", "catchup-fill", "state", "measure"));
        byte[] body = new byte[ctx.bodyBytes];
        AtomicLong next = new AtomicLong();
        AtomicLong done = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        try (Progress p = new Progress("catchup-fill", done, 0, total)) {
            for (int t = 0; t < ctx.threads; t++) {
                Thread th = new Thread(() -> {
                    for (long i = next.getAndIncrement(); i < batchQueue.size() && failure.get() == null;
                        i = next.getAndIncrement()) {
                        MessageQueue mq = batchQueue.get((int) i);
                        List<Message> batch = new ArrayList<>();
                        for (int k = 0; k < batchSize.get((int) i); k++) {
                            batch.add(new Message(mq.getTopic(), body));
                        }
                        try {
                            ctx.producer.send(batch, mq);
                            done.addAndGet(batch.size());
                        } catch (Exception e) {
                            failure.compareAndSet(null, e);
                        }
                    }
                }, "bench-fill-" + t);
                threads.add(th);
                th.start();
            }
            for (Thread th : threads) {
                th.join();
            }
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return done.get();
    }
}
