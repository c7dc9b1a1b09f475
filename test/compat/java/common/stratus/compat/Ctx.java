package stratus.compat;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ThreadLocalRandom;

/** What every scenario gets: its parameters, result, time budget, addresses and unique names. */
final class Ctx {
    final Params params;
    final Result result;
    final Deadline deadline;
    final String namesrv;
    final String broker;
    final String runId;
    private final Deque<AutoCloseable> closers = new ArrayDeque<>();

    Ctx(Params params, Result result) {
        this.params = params;
        this.result = result;
        this.deadline = new Deadline(params.longValue("timeoutMs", 180_000));
        this.namesrv = params.required("namesrv");
        this.broker = params.required("broker");
        this.runId = params.str("run", Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16));
        result.put("runId", runId);
    }

    /** A topic/group name unique to this run unless the caller passed `key=name`. */
    String name(String key, String prefix) {
        return params.str(key, prefix + "_" + runId);
    }

    /** Registers a client to shut down (in reverse order) when the scenario ends, however it ends. */
    <T extends AutoCloseable> T closeLater(T closeable) {
        synchronized (closers) {
            closers.push(closeable);
        }
        return closeable;
    }

    void closeAll() {
        while (true) {
            AutoCloseable next;
            synchronized (closers) {
                next = closers.poll();
            }
            if (next == null) {
                return;
            }
            try {
                next.close();
            } catch (Exception e) {
                System.err.println("shutdown failed: " + e);
            }
        }
    }
}
