package stratus.compat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.MessageExt;

/**
 * `trace`: a producer and a push consumer, both with message trace on (the clients' own trace dispatcher
 * writes to RMQ_SYS_TRACE_TOPIC, or to `traceTopic=`), send and consume `count` keyed messages. With
 * `failFirst=true` (the default) the first delivery of message 0 is answered RECONSUME_LATER, so its trace
 * holds a failed attempt and a successful retry. Prints the ids the judge traces (`msgIds`, `offsetMsgIds`,
 * `keys`), the groups, and the client-side times of each send and successful consume.
 */
final class TraceScenario {
    static final long CONSUME_WAIT_MS = 90_000;
    /** The trace dispatcher sends asynchronously; give it a moment before the clients shut down. */
    static final long TRACE_SETTLE_MS = 2_000;

    private TraceScenario() {
    }

    static void run(Ctx ctx) throws Exception {
        String topic = ctx.name("topic", "compat_trace");
        String producerGroup = ctx.name("producerGroup", "pg_trace");
        String consumerGroup = ctx.name("consumerGroup", "cg_trace");
        String traceTopic = ctx.params.str("traceTopic", null);
        int count = ctx.params.integer("count", 3);
        boolean failFirst = Boolean.parseBoolean(ctx.params.str("failFirst", "true"));

        DefaultMQProducer producer = new DefaultMQProducer(producerGroup, true, traceTopic);
        producer.setNamesrvAddr(ctx.namesrv);
        producer.setInstanceName(ctx.runId + "-trace-producer");
        producer.setSendMsgTimeout(Clients.SEND_TIMEOUT_MS);
        producer.setVipChannelEnabled(false);
        producer.start();
        ctx.closeLater(producer::shutdown);
        Clients.createTopic(ctx, producer, topic, 4);

        List<String> keys = new ArrayList<>();
        List<String> msgIds = new ArrayList<>();
        List<String> offsetMsgIds = new ArrayList<>();
        List<Long> sendStartMs = new ArrayList<>();
        List<Long> sendEndMs = new ArrayList<>();
        int ok = 0;
        for (int i = 0; i < count; i++) {
            String key = "trace_" + ctx.runId + "_" + i;
            sendStartMs.add(System.currentTimeMillis());
            SendResult res = producer.send(Messages.create(topic, "TagTrace", key, i, 64));
            sendEndMs.add(System.currentTimeMillis());
            ok += res.getSendStatus() == SendStatus.SEND_OK ? 1 : 0;
            keys.add(key);
            msgIds.add(res.getMsgId());
            offsetMsgIds.add(res.getOffsetMsgId());
        }
        ctx.result.check("every send succeeded (" + ok + "/" + count + ")", ok == count);

        String failKey = failFirst && !keys.isEmpty() ? keys.get(0) : null;
        Map<String, Long> consumedAt = new ConcurrentHashMap<>();
        Map<String, Integer> failedDeliveries = new ConcurrentHashMap<>();
        DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(consumerGroup, true, traceTopic);
        consumer.setNamesrvAddr(ctx.namesrv);
        consumer.setInstanceName(ctx.runId + "-trace-consumer");
        consumer.setVipChannelEnabled(false);
        consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        consumer.subscribe(topic, "*");
        consumer.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
            for (MessageExt m : msgs) {
                if (m.getKeys() != null && m.getKeys().equals(failKey) && m.getReconsumeTimes() == 0) {
                    failedDeliveries.merge(m.getMsgId(), 1, Integer::sum);
                    return ConsumeConcurrentlyStatus.RECONSUME_LATER;
                }
            }
            for (MessageExt m : msgs) {
                consumedAt.putIfAbsent(m.getMsgId(), System.currentTimeMillis());
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        consumer.start();
        ctx.closeLater(consumer::shutdown);
        boolean consumed = ctx.deadline.await(() -> consumedAt.keySet().containsAll(msgIds), CONSUME_WAIT_MS, 100);
        Deadline.sleep(Math.min(TRACE_SETTLE_MS, ctx.deadline.remainingMs()));
        consumer.shutdown();
        producer.shutdown();

        List<Long> consumedMs = new ArrayList<>();
        for (String id : msgIds) {
            consumedMs.add(consumedAt.getOrDefault(id, -1L));
        }
        ctx.result.put("topic", topic).put("producerGroup", producerGroup).put("consumerGroup", consumerGroup)
            .put("traceTopic", traceTopic == null ? "" : traceTopic).put("keys", keys).put("msgIds", msgIds)
            .put("offsetMsgIds", offsetMsgIds).put("sendStartMs", sendStartMs).put("sendEndMs", sendEndMs)
            .put("consumedMs", consumedMs).put("failedFirst", failKey == null ? "" : msgIds.get(0))
            .put("failedDeliveries", failedDeliveries.getOrDefault(msgIds.isEmpty() ? "" : msgIds.get(0), 0));
        ctx.result.check("consumed every message (" + consumedAt.size() + "/" + count + ")", consumed);
    }
}
