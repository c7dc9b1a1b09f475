package stratus.compat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * `transaction`: a TransactionMQProducer sends `perKind` half messages of each kind. `commit` and
 * `rollback` are decided by executeLocalTransaction; the `check-*` kinds answer UNKNOW there, so the
 * broker must call checkLocalTransaction: check-commit answers UNKNOW to the first check and
 * COMMIT to the second, check-rollback answers ROLLBACK at once, check-unknown always answers UNKNOW.
 * A consumer must receive exactly the committed messages (check-commit ones only after the commit
 * decision); the broker must stop checking once a transaction is decided, and check an undecided one
 * exactly transactionCheckMax times before dropping it. The test sets the broker's transactionTimeOut /
 * transactionCheckInterval / transactionCheckMax small and passes the same values as `checkTimeoutMs` /
 * `checkIntervalMs` / `checkMax`. With immuneSec=N, `immune-commit` messages carrying
 * CHECK_IMMUNITY_TIME_IN_SECONDS=N go first: checked once, not before N s, and not holding up the checks
 * of the messages behind them.
 */
final class TransactionScenario {
    static final String[] KINDS = {"commit", "rollback", "check-commit", "check-rollback", "check-unknown"};
    static final long SLACK_MS = 5_000;
    /** Sent first when immuneSec > 0: CHECK_IMMUNITY_TIME_IN_SECONDS set, committed at its first check. */
    static final String IMMUNE = "immune-commit";

    private TransactionScenario() {
    }

    /** What the producer side saw per key. */
    static final class Decisions implements TransactionListener {
        final Map<String, List<Long>> checksAtMs = new ConcurrentHashMap<>();
        final Map<String, Long> committedAtMs = new ConcurrentHashMap<>();
        final Map<String, String> executed = new ConcurrentHashMap<>();

        @Override
        public LocalTransactionState executeLocalTransaction(Message msg, Object arg) {
            String kind = kindOf(msg.getKeys());
            executed.put(msg.getKeys(), kind);
            switch (kind) {
                case "commit":
                    committedAtMs.put(msg.getKeys(), System.currentTimeMillis());
                    return LocalTransactionState.COMMIT_MESSAGE;
                case "rollback":
                    return LocalTransactionState.ROLLBACK_MESSAGE;
                default:
                    return LocalTransactionState.UNKNOW;
            }
        }

        @Override
        public LocalTransactionState checkLocalTransaction(MessageExt msg) {
            List<Long> checks = checksAtMs.computeIfAbsent(msg.getKeys(), k -> new CopyOnWriteArrayList<>());
            checks.add(System.currentTimeMillis());
            String kind = kindOf(msg.getKeys());
            if (kind.equals("check-rollback") || kind.equals("rollback")) {
                return LocalTransactionState.ROLLBACK_MESSAGE;
            }
            if (kind.equals("check-unknown") || (kind.equals("check-commit") && checks.size() < 2)) {
                return LocalTransactionState.UNKNOW;
            }
            committedAtMs.putIfAbsent(msg.getKeys(), System.currentTimeMillis());
            return LocalTransactionState.COMMIT_MESSAGE;
        }

        int checks(String key) {
            List<Long> l = checksAtMs.get(key);
            return l == null ? 0 : l.size();
        }
    }

    /** The kind is the key's phase: keys are runId-kind-i and run ids have no dash. */
    static String kindOf(String key) {
        if (key == null || key.indexOf('-') < 0 || key.indexOf('-') == key.lastIndexOf('-')) {
            return "other";
        }
        return key.substring(key.indexOf('-') + 1, key.lastIndexOf('-'));
    }

    static void run(Ctx ctx) throws Exception {
        int perKind = ctx.params.integer("perKind", 2);
        long checkTimeout = ctx.params.longValue("checkTimeoutMs", 6_000);
        long checkInterval = ctx.params.longValue("checkIntervalMs", 60_000);
        int checkMax = ctx.params.integer("checkMax", 15);
        int immuneSec = ctx.params.integer("immuneSec", 0);
        String topic = ctx.name("topic", "compat_tx");
        Result r = ctx.result.put("topic", topic);
        DefaultMQProducer admin = Clients.startProducer(ctx, "admin");
        Clients.createTopic(ctx, admin, topic, 2);

        Features.Deliveries got = DelayScenario.startConsumer(ctx, admin, topic, "cg_tx");
        Decisions decisions = new Decisions();
        TransactionMQProducer p = startTxProducer(ctx, decisions);

        Map<String, String> states = new TreeMap<>();
        List<String> keys = new ArrayList<>();
        long sentAt = System.currentTimeMillis();
        List<String> kinds = new ArrayList<>(List.of(KINDS));
        if (immuneSec > 0) {
            kinds.add(0, IMMUNE);
        }
        for (String kind : kinds) {
            for (int i = 0; i < perKind; i++) {
                String key = Messages.key(ctx.runId, kind, i);
                keys.add(key);
                Message m = Messages.create(topic, "TagX", key, i, 64);
                if (kind.equals(IMMUNE)) {
                    m.putUserProperty(MessageConst.PROPERTY_CHECK_IMMUNITY_TIME_IN_SECONDS, Integer.toString(immuneSec));
                }
                TransactionSendResult res = p.sendMessageInTransaction(m, null);
                states.put(key, res.getSendStatus() + "/" + res.getLocalTransactionState());
            }
        }
        r.put("sendStates", states);
        r.check("every half message was stored " + states,
            states.values().stream().allMatch(s -> s.startsWith(SendStatus.SEND_OK.toString())));
        long decidedWithin = checkTimeout + 2 * checkInterval + SLACK_MS;
        ctx.deadline.await(() -> keys.stream().allMatch(k -> settled(k, got, decisions, checkMax)),
            decidedWithin + (checkMax + 1) * checkInterval + immuneSec * 1000L, 100);
        // Let at least two more check rounds pass: nothing decided may be checked again or show up.
        Deadline.sleep(Math.min(2 * checkInterval + 1000, ctx.deadline.remainingMs()));
        judge(ctx, keys, got, decisions, sentAt, checkTimeout, decidedWithin, checkMax, immuneSec);
    }

    /** A TransactionMQProducer of the run's producer group (the group the broker checks back). */
    static TransactionMQProducer startTxProducer(Ctx ctx, TransactionListener listener) throws Exception {
        TransactionMQProducer p = new TransactionMQProducer("pg_tx_" + ctx.runId);
        p.setNamesrvAddr(ctx.namesrv);
        p.setInstanceName(ctx.runId + "-tx");
        p.setVipChannelEnabled(false);
        p.setSendMsgTimeout(Clients.SEND_TIMEOUT_MS);
        p.setTransactionListener(listener);
        p.start();
        ctx.closeLater(p::shutdown);
        return p;
    }

    /** Whether a key reached its final state as far as the client can see. */
    private static boolean settled(String k, Features.Deliveries got, Decisions decisions, int checkMax) {
        switch (kindOf(k)) {
            case "commit":
            case "check-commit":
            case IMMUNE:
                return got.count(k) > 0;
            case "check-rollback":
                return decisions.checks(k) > 0;
            case "check-unknown":
                return decisions.checks(k) >= checkMax;
            default:
                return true;
        }
    }

    private static void judge(Ctx ctx, List<String> keys, Features.Deliveries got, Decisions decisions,
        long sentAt, long checkTimeout, long decidedWithin, int checkMax, int immuneSec) {
        Map<String, Integer> deliveries = new TreeMap<>();
        Map<String, Integer> checks = new TreeMap<>();
        List<String> wrong = new ArrayList<>();
        List<String> early = new ArrayList<>();
        List<Long> firstCheckAfterMs = new ArrayList<>();
        List<Long> immuneChecksAfterMs = new ArrayList<>();
        for (String k : keys) {
            String kind = kindOf(k);
            deliveries.put(k, got.count(k));
            checks.put(k, decisions.checks(k));
            boolean shouldArrive = kind.endsWith("commit");
            if (shouldArrive != (got.count(k) > 0)) {
                wrong.add(k + (shouldArrive ? " missing" : " visible"));
            }
            int wantChecks = kind.equals("check-commit") ? 2 : kind.equals("check-rollback") ? 1
                : kind.equals("check-unknown") ? checkMax : kind.equals(IMMUNE) ? 1 : 0;
            if (decisions.checks(k) != wantChecks) {
                wrong.add(k + " checked " + decisions.checks(k) + "x, want " + wantChecks);
            }
            List<Long> at = decisions.checksAtMs.get(k);
            if (at != null && !at.isEmpty()) {
                long after = at.get(0) - sentAt;
                long immunityMs = kind.equals(IMMUNE) ? immuneSec * 1000L : 0;
                (kind.equals(IMMUNE) ? immuneChecksAfterMs : firstCheckAfterMs).add(after);
                if (after > decidedWithin + immunityMs || after < immunityMs - 100) {
                    wrong.add(k + " first checked " + after + " ms after sending");
                }
                if (immuneSec > 0 && !kind.equals(IMMUNE) && after >= immuneSec * 1000L) {
                    wrong.add(k + " was held up behind the immune messages (first checked after " + after + " ms)");
                }
            }
            Long committed = decisions.committedAtMs.get(k);
            if (committed != null && got.count(k) > 0 && got.of(k).get(0).atMs < committed) {
                early.add(k + " delivered " + (committed - got.of(k).get(0).atMs) + " ms before its commit");
            }
        }
        Result r = ctx.result;
        r.put("deliveries", deliveries).put("checks", checks).put("firstCheckAfterMs", firstCheckAfterMs)
            .put("immuneFirstCheckAfterMs", immuneChecksAfterMs);
        r.check("committed messages arrived, rolled back ones did not, and checks matched " + wrong,
            wrong.isEmpty());
        r.check("no message was visible before its commit decision " + early, early.isEmpty());
        r.check("each committed message arrived once " + deliveries,
            deliveries.values().stream().allMatch(n -> n <= 1));
        r.check("no check came before transactionTimeOut (" + checkTimeout + " ms) " + firstCheckAfterMs,
            firstCheckAfterMs.stream().allMatch(ms -> ms >= checkTimeout - 100));
    }
}
