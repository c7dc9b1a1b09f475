package stratus.compat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.LocalTransactionState;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.client.producer.TransactionListener;
import org.apache.rocketmq.client.producer.TransactionMQProducer;
import org.apache.rocketmq.client.producer.TransactionSendResult;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageConst;
import org.apache.rocketmq.common.message.MessageExt;

/**
 * `transaction-restart`: mode=send stores `count` half messages whose local transaction answers UNKNOW,
 * each immune from checks for `immunitySec` (CHECK_IMMUNITY_TIME_IN_SECONDS), and exits. The test restarts
 * the broker on the same data; mode=receive (same run=) starts a producer of the same group that answers
 * COMMIT to the check: every message must then arrive, once, and only after that commit decision.
 */
final class TransactionRestartScenario {
    static final String KIND = "restart-commit";

    private TransactionRestartScenario() {
    }

    /** Before the restart nothing is decided; after it, the check-back commits. */
    static final class Listener implements TransactionListener {
        final boolean commitOnCheck;
        final Map<String, Long> committedAtMs = new java.util.concurrent.ConcurrentHashMap<>();
        final Map<String, Integer> checks = new java.util.concurrent.ConcurrentHashMap<>();

        Listener(boolean commitOnCheck) {
            this.commitOnCheck = commitOnCheck;
        }

        @Override
        public LocalTransactionState executeLocalTransaction(Message msg, Object arg) {
            return LocalTransactionState.UNKNOW;
        }

        @Override
        public LocalTransactionState checkLocalTransaction(MessageExt msg) {
            checks.merge(msg.getKeys(), 1, Integer::sum);
            if (!commitOnCheck) {
                return LocalTransactionState.UNKNOW;
            }
            committedAtMs.putIfAbsent(msg.getKeys(), System.currentTimeMillis());
            return LocalTransactionState.COMMIT_MESSAGE;
        }
    }

    static void run(Ctx ctx) throws Exception {
        String mode = ctx.params.str("mode", "send");
        int count = ctx.params.integer("count", 2);
        String topic = ctx.name("topic", "compat_txr");
        ctx.result.put("topic", topic).put("mode", mode);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            keys.add(Messages.key(ctx.runId, KIND, i));
        }
        DefaultMQProducer admin = Clients.startProducer(ctx, "admin");
        if (mode.equals("send")) {
            Clients.createTopic(ctx, admin, topic, 2);
            send(ctx, topic, keys, ctx.params.integer("immunitySec", 20));
        } else if (mode.equals("receive")) {
            receive(ctx, admin, topic, keys);
        } else {
            throw new IllegalArgumentException("mode must be send or receive: " + mode);
        }
    }

    private static void send(Ctx ctx, String topic, List<String> keys, int immunitySec) throws Exception {
        Listener listener = new Listener(false);
        TransactionMQProducer p = TransactionScenario.startTxProducer(ctx, listener);
        Map<String, String> states = new TreeMap<>();
        for (int i = 0; i < keys.size(); i++) {
            Message m = Messages.create(topic, "TagR", keys.get(i), i, 64);
            m.putUserProperty(MessageConst.PROPERTY_CHECK_IMMUNITY_TIME_IN_SECONDS, Integer.toString(immunitySec));
            TransactionSendResult res = p.sendMessageInTransaction(m, null);
            states.put(keys.get(i), res.getSendStatus() + "/" + res.getLocalTransactionState());
        }
        ctx.result.put("sendStates", states).put("checksBeforeRestart", listener.checks);
        ctx.result.check("every half message was stored undecided " + states,
            states.values().stream().allMatch(s -> s.equals(SendStatus.SEND_OK + "/UNKNOW")));
    }

    private static void receive(Ctx ctx, DefaultMQProducer admin, String topic, List<String> keys)
        throws Exception {
        Features.Deliveries got = DelayScenario.startConsumer(ctx, admin, topic, "cg_txr");
        Listener listener = new Listener(true);
        TransactionMQProducer p = TransactionScenario.startTxProducer(ctx, listener);
        // A producer that has sent nothing yet may know no broker to heartbeat to; the broker can only
        // check back with a producer of the group it has a connection from, so make that connection now.
        p.getDefaultMQProducerImpl().getMqClientFactory().updateTopicRouteInfoFromNameServer(topic);
        p.getDefaultMQProducerImpl().getMqClientFactory().sendHeartbeatToAllBrokerWithLock();
        ctx.deadline.await(() -> got.allSeen(keys), ctx.params.longValue("waitMs", 90_000), 100);
        Deadline.sleep(Math.min(3_000, ctx.deadline.remainingMs()));
        Map<String, Integer> deliveries = new TreeMap<>();
        List<String> early = new ArrayList<>();
        for (String k : keys) {
            deliveries.put(k, got.count(k));
            Long committed = listener.committedAtMs.get(k);
            if (got.count(k) > 0 && (committed == null || got.of(k).get(0).atMs < committed)) {
                early.add(k);
            }
        }
        Result r = ctx.result;
        r.put("deliveries", deliveries).put("checksAfterRestart", new TreeMap<>(listener.checks));
        r.check("every half message stored before the restart was committed by a check and arrived once "
            + deliveries, deliveries.values().stream().allMatch(n -> n == 1));
        r.check("no message arrived before the check that committed it " + early, early.isEmpty());
    }
}
