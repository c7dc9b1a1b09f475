package stratus.compat;

import java.nio.charset.StandardCharsets;
import org.apache.rocketmq.common.message.Message;

/** Deterministic test messages: the body and the `seq` property are derived from the key. */
final class Messages {
    static final String SEQ = "seq";

    private Messages() {
    }

    static String key(String runId, String phase, int i) {
        return runId + "-" + phase + "-" + i;
    }

    static byte[] body(String key, int size) {
        byte[] seed = ("stratus-compat:" + key + ";").getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[Math.max(size, 1)];
        for (int i = 0; i < out.length; i++) {
            out[i] = seed[i % seed.length];
        }
        return out;
    }

    static Message create(String topic, String tag, String key, int seq, int bodySize) {
        Message m = new Message(topic, tag, key, body(key, bodySize));
        m.putUserProperty(SEQ, Integer.toString(seq));
        return m;
    }
}
