package stratus.compat;

import org.apache.rocketmq.client.impl.MQAdminImpl;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;

/** Feature-scenario calls that differ between client lines: this copy compiles against 4.x. */
final class FeatureApi {
    private FeatureApi() {
    }

    /** The 4.x client has no timer-message API (Message.setDelayTimeMs / setDeliverTimeMs came with 5.x). */
    static boolean timerSupported() {
        return false;
    }

    static void setDelayTimeMs(Message m, long delayMs) {
        throw new UnsupportedOperationException("timer messages need a 5.x client");
    }

    static void setDeliverTimeMs(Message m, long deliverAtMs) {
        throw new UnsupportedOperationException("timer messages need a 5.x client");
    }

    /** VIEW_MESSAGE_BY_ID (33) for an offset message id (4.x takes the id alone). */
    static MessageExt viewByOffsetId(MQAdminImpl admin, String topic, String offsetMsgId) throws Exception {
        return admin.viewMessage(offsetMsgId);
    }
}
