package stratus.compat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The one JSON line a scenario prints: its measurements plus the checks that failed. */
final class Result {
    private final Map<String, Object> fields = new LinkedHashMap<>();
    private final List<String> failures = new ArrayList<>();

    Result put(String key, Object value) {
        fields.put(key, value);
        return this;
    }

    /** Records a failed check; returns the condition so callers can skip steps that depend on it. */
    boolean check(String description, boolean condition) {
        if (!condition) {
            synchronized (failures) {
                failures.add(description);
            }
        }
        return condition;
    }

    boolean ok() {
        synchronized (failures) {
            return failures.isEmpty();
        }
    }

    String toJson(Map<String, Object> head) {
        Map<String, Object> out = new LinkedHashMap<>(head);
        synchronized (failures) {
            out.put("ok", failures.isEmpty());
            out.put("failures", new ArrayList<>(failures));
        }
        out.putAll(fields);
        return Json.write(out);
    }
}
