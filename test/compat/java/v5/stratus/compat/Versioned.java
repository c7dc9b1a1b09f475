package stratus.compat;

import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.impl.MQClientAPIImpl;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.remoting.protocol.header.QueryConsumerOffsetRequestHeader;
import org.apache.rocketmq.remoting.protocol.heartbeat.MessageModel;

/** The few client calls whose types moved package between 4.x and 5.x: this copy compiles against 5.x. */
final class Versioned {
    private Versioned() {
    }

    static void useBroadcasting(DefaultMQPushConsumer consumer) {
        consumer.setMessageModel(MessageModel.BROADCASTING);
    }

    /** QUERY_CONSUMER_OFFSET (14) for one queue; throws MQBrokerException(QUERY_NOT_FOUND) when none. */
    static long queryConsumerOffset(MQClientAPIImpl api, String brokerAddr, String group, MessageQueue mq,
        long timeoutMs) throws Exception {
        QueryConsumerOffsetRequestHeader header = new QueryConsumerOffsetRequestHeader();
        header.setConsumerGroup(group);
        header.setTopic(mq.getTopic());
        header.setQueueId(mq.getQueueId());
        return api.queryConsumerOffset(brokerAddr, header, timeoutMs);
    }
}
