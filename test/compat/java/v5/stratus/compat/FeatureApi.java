package stratus.compat;

import org.apache.rocketmq.client.impl.MQAdminImpl;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;

/** Feature-scenario calls that differ between client lines: this copy compiles against 5.x. */
final class FeatureApi {
    private FeatureApi() {
    }

    static boolean timerSupported() {
        return true;
    }

    /** TIMER_DELAY_MS: deliver this long after the broker stores the message. */
    static void setDelayTimeMs(Message m, long delayMs) {
        m.setDelayTimeMs(delayMs);
    }

    /** TIMER_DELIVER_MS: deliver at this wall-clock time. */
    static void setDeliverTimeMs(Message m, long deliverAtMs) {
        m.setDeliverTimeMs(deliverAtMs);
    }

    /** VIEW_MESSAGE_BY_ID (33) for an offset message id (5.x also takes the topic). */
    static MessageExt viewByOffsetId(MQAdminImpl admin, String topic, String offsetMsgId) throws Exception {
        return admin.viewMessage(topic, offsetMsgId);
    }
}
