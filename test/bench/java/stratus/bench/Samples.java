package stratus.bench;

import java.util.Arrays;
import java.util.Map;

/** A growable array of latency samples in nanoseconds; percentiles by sorting once at the end. */
final class Samples {
    private long[] values = new long[4096];
    private int size;

    synchronized void add(long nanos) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = nanos;
    }

    synchronized int size() {
        return size;
    }

    /** Merges several per-thread recorders into one. */
    static Samples merge(Iterable<Samples> parts) {
        Samples all = new Samples();
        for (Samples p : parts) {
            synchronized (p) {
                for (int i = 0; i < p.size; i++) {
                    all.add(p.values[i]);
                }
            }
        }
        return all;
    }

    /** p50/p99/p999/max in milliseconds (nearest-rank), or nulls when there are no samples. */
    synchronized Map<String, Object> percentilesMs() {
        long[] sorted = Arrays.copyOf(values, size);
        Arrays.sort(sorted);
        return Out.obj(
            "samples", size,
            "p50Ms", rank(sorted, 0.50),
            "p99Ms", rank(sorted, 0.99),
            "p999Ms", rank(sorted, 0.999),
            "maxMs", size == 0 ? null : sorted[size - 1] / 1e6);
    }

    private static Object rank(long[] sorted, double p) {
        if (sorted.length == 0) {
            return null;
        }
        int idx = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))] / 1e6;
    }
}
