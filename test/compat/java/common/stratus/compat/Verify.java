package stratus.compat;

import java.util.ArrayList;
import java.util.List;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

/** Read-side proofs shared by scenarios. */
final class Verify {
    static final long STORE_WAIT_MS = 60_000;

    private Verify() {
    }

    /** Waits until the queues' max offsets add up to `count`; puts storedByMaxOffset and per-queue maxima. */
    static void storedByMaxOffsets(Ctx ctx, DefaultMQProducer p, List<MessageQueue> mqs, long count)
        throws Exception {
        ctx.deadline.await(() -> Clients.maxOffsetSum(p, mqs) >= count, STORE_WAIT_MS, 200);
        long[] maxima = Clients.maxOffsets(p, mqs);
        long sum = 0;
        int used = 0;
        for (long m : maxima) {
            sum += m;
            used += m > 0 ? 1 : 0;
        }
        ctx.result.put("storedByMaxOffset", sum).put("maxOffsets", maxima).put("queuesUsed", used);
        ctx.result.check("max offsets add up to the " + count + " messages sent (got " + sum + ")", sum == count);
    }

    /**
     * Assigns every queue to a fresh lite-pull group (CONSUME_FROM_FIRST_OFFSET, so it starts at offset 0
     * without a seek that could race its first pull) and polls until every expected key was read (or the
     * deadline); puts readBack* counts.
     */
    static void readBackAll(Ctx ctx, List<MessageQueue> mqs, Tracker tracker, String group) throws Exception {
        DefaultLitePullConsumer c = Clients.litePullConsumer(ctx, group, "verify");
        c.start();
        ctx.closeLater(c::shutdown);
        c.assign(new ArrayList<>(mqs));
        long started = System.nanoTime();
        int other = 0;
        while (!tracker.complete() && !ctx.deadline.expired()) {
            for (MessageExt m : c.poll(1000)) {
                other += tracker.record(m) ? 0 : 1;
            }
        }
        ctx.result.put("readBackMs", (System.nanoTime() - started) / 1_000_000L);
        ctx.result.put("readBackUnexpected", other);
        tracker.report(ctx.result, "readBack");
        ctx.result.check("read back no message that was not sent (" + other + ")", other == 0);
    }
}
