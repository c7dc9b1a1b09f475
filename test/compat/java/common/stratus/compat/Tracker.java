package stratus.compat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.common.message.MessageExt;

/** Which of the expected messages arrived, how often, and whether they arrived intact. */
final class Tracker {
    private final int bodySize;
    private final Map<String, Integer> expected = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    private final AtomicInteger deliveries = new AtomicInteger();
    private final AtomicInteger corrupt = new AtomicInteger();

    Tracker(int bodySize) {
        this.bodySize = bodySize;
    }

    void expect(String key, int seq) {
        expected.put(key, seq);
    }

    boolean isExpected(String key) {
        return key != null && expected.containsKey(key);
    }

    /** Counts a delivery of an expected message; returns false (and counts nothing) for any other. */
    boolean record(MessageExt m) {
        String key = m.getKeys();
        Integer seq = key == null ? null : expected.get(key);
        if (seq == null) {
            return false;
        }
        deliveries.incrementAndGet();
        seen.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        boolean bodyOk = Arrays.equals(m.getBody(), Messages.body(key, bodySize));
        boolean seqOk = seq.toString().equals(m.getUserProperty(Messages.SEQ));
        if (!bodyOk || !seqOk) {
            corrupt.incrementAndGet();
        }
        return true;
    }

    int expectedCount() {
        return expected.size();
    }

    int distinct() {
        return seen.size();
    }

    int missing() {
        return expected.size() - seen.size();
    }

    int duplicates() {
        return deliveries.get() - seen.size();
    }

    int corrupt() {
        return corrupt.get();
    }

    boolean complete() {
        return seen.size() >= expected.size();
    }

    List<String> sampleMissing(int limit) {
        List<String> out = new ArrayList<>();
        for (String key : expected.keySet()) {
            if (out.size() >= limit) {
                break;
            }
            if (!seen.containsKey(key)) {
                out.add(key);
            }
        }
        return out;
    }

    /** Puts distinct/missing/duplicates/corrupt under `prefix` and checks none are missing or corrupt. */
    void report(Result r, String prefix) {
        r.put(prefix + "Expected", expectedCount());
        r.put(prefix + "Distinct", distinct());
        r.put(prefix + "Missing", missing());
        r.put(prefix + "Duplicates", duplicates());
        r.put(prefix + "Corrupt", corrupt());
        if (missing() > 0) {
            r.put(prefix + "MissingSample", sampleMissing(5));
        }
        r.check(prefix + ": every expected message arrived (" + missing() + " missing)", missing() == 0);
        r.check(prefix + ": bodies and properties arrived intact (" + corrupt() + " corrupt)", corrupt() == 0);
    }
}
