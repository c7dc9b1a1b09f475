package stratus.bench;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Prints a progress event every second for the running phase: operations so far, the last second's rate,
 * and how far along it is (seconds of `totalSeconds`, or count of `targetCount`; 0 = not known).
 */
final class Progress implements AutoCloseable {
    private final Thread thread;
    private volatile boolean done;

    Progress(String phase, AtomicLong counter, double totalSeconds, long targetCount) {
        long start = System.nanoTime();
        thread = new Thread(() -> {
            long last = counter.get();
            long lastAt = start;
            while (!done) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
                long now = System.nanoTime();
                long n = counter.get();
                double rate = (n - last) / ((now - lastAt) / 1e9);
                Out.emit(Out.obj("event", "progress", "phase", phase, "count", n, "target", targetCount,
                    "rate", Math.round(rate), "elapsedS", Math.round((now - start) / 1e8) / 10.0,
                    "totalS", totalSeconds));
                last = n;
                lastAt = now;
            }
        }, "bench-progress");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() {
        done = true;
        thread.interrupt();
    }
}
