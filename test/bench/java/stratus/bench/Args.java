package stratus.bench;

import java.util.HashMap;
import java.util.Map;

/** key=value command-line arguments with typed, defaulted reads; an unknown key is an error. */
final class Args {
    private final Map<String, String> values = new HashMap<>();
    private final Map<String, Boolean> read = new HashMap<>();

    Args(String[] argv, int from) {
        for (int i = from; i < argv.length; i++) {
            int eq = argv[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got '" + argv[i] + "'");
            }
            values.put(argv[i].substring(0, eq), argv[i].substring(eq + 1));
        }
    }

    String str(String key, String def) {
        read.put(key, true);
        String v = values.get(key);
        if (v == null && def == null) {
            throw new IllegalArgumentException("missing argument " + key + "=...");
        }
        return v == null ? def : v;
    }

    int integer(String key, int def) {
        return Integer.parseInt(str(key, Integer.toString(def)));
    }

    double dbl(String key, double def) {
        return Double.parseDouble(str(key, Double.toString(def)));
    }

    /** Throws when an argument was given that no code read (a typo would otherwise be ignored). */
    void checkAllRead() {
        for (String key : values.keySet()) {
            if (!read.containsKey(key)) {
                throw new IllegalArgumentException("unknown argument " + key);
            }
        }
    }
}
