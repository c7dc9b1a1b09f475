package stratus.compat;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** key=value command-line parameters; a key nobody read is reported, so a typo fails the run. */
final class Params {
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Set<String> read = new HashSet<>();

    Params(String[] args, int from) {
        for (int i = from; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got '" + args[i] + "'");
            }
            values.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
    }

    String str(String key, String fallback) {
        read.add(key);
        String v = values.get(key);
        return v == null || v.isEmpty() ? fallback : v;
    }

    String required(String key) {
        String v = str(key, null);
        if (v == null) {
            throw new IllegalArgumentException("missing required parameter " + key + "=...");
        }
        return v;
    }

    int integer(String key, int fallback) {
        String v = str(key, null);
        return v == null ? fallback : Integer.parseInt(v);
    }

    long longValue(String key, long fallback) {
        String v = str(key, null);
        return v == null ? fallback : Long.parseLong(v);
    }

    Set<String> unread() {
        Set<String> out = new TreeSet<>(values.keySet());
        out.removeAll(read);
        return out;
    }
}
