package stratus.compat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.rocketmq.client.QueryResult;
import org.apache.rocketmq.client.impl.MQAdminImpl;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;

/**
 * `query`: `count` messages, each with its own key and a key shared by all, are found again through the
 * client's admin API: by offset message id (VIEW_MESSAGE_BY_ID), by unique key (QUERY_MESSAGE with the
 * UNIQ_KEY flag) and by key within a time range (QUERY_MESSAGE); a range that ends before they were sent
 * and an unknown key find nothing.
 *
 * `mode=send` only sends (same `run=` gives the same keys) and prints `msgIds`, `offsetMsgIds`, `sentFrom`
 * and `sentTo`; `mode=find` with those back as parameters (comma-separated ids) only queries, e.g. once
 * the messages' CommitLog segments left local disk and are read from the object store.
 */
final class QueryScenario {
    static final long INDEX_WAIT_MS = 15_000;
    static final int BODY = 100;

    private QueryScenario() {
    }

    static void run(Ctx ctx) throws Exception {
        int count = ctx.params.integer("count", 5);
        String mode = ctx.params.str("mode", "both");
        String topic = ctx.name("topic", "compat_query");
        Result r = ctx.result.put("topic", topic).put("mode", mode);
        DefaultMQProducer producer = Clients.startProducer(ctx, "producer");
        String shared = Messages.key(ctx.runId, "shared", 0);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            keys.add(Messages.key(ctx.runId, "q", i));
        }
        List<String> msgIds = new ArrayList<>();
        List<String> offsetMsgIds = new ArrayList<>();
        long sentFrom;
        long sentTo;
        if (mode.equals("find")) {
            msgIds.addAll(Arrays.asList(ctx.params.required("msgIds").split(",")));
            offsetMsgIds.addAll(Arrays.asList(ctx.params.required("offsetMsgIds").split(",")));
            sentFrom = ctx.params.longValue("sentFrom", 0);
            sentTo = ctx.params.longValue("sentTo", 0);
        } else {
            Clients.createTopic(ctx, producer, topic, 2);
            sentFrom = System.currentTimeMillis();
            for (int i = 0; i < count; i++) {
                Message m = Messages.create(topic, "TagQ", keys.get(i), i, BODY);
                m.setKeys(Arrays.asList(keys.get(i), shared));
                SendResult s = producer.send(m);
                msgIds.add(s.getMsgId());
                offsetMsgIds.add(s.getOffsetMsgId());
            }
            sentTo = System.currentTimeMillis();
            r.put("msgIds", String.join(",", msgIds)).put("offsetMsgIds", String.join(",", offsetMsgIds))
                .put("sentFrom", sentFrom).put("sentTo", sentTo);
            if (mode.equals("send")) {
                return;
            }
        }
        r.check("one msgId and offset msgId per message", msgIds.size() == count && offsetMsgIds.size() == count);
        find(ctx, topic, Features.admin(producer), keys, shared, msgIds, offsetMsgIds, sentFrom, sentTo);
    }

    private static void find(Ctx ctx, String topic, MQAdminImpl admin, List<String> keys, String shared,
        List<String> msgIds, List<String> offsetMsgIds, long sentFrom, long sentTo) {
        Result r = ctx.result;
        int count = keys.size();
        // Index items keep their time in whole seconds after the index file's first item, so a range must
        // start a little before the sends (Apache reads the index the same way).
        long begin = sentFrom - 10_000;
        long end = sentTo + 1000;
        List<String> byOffsetId = new ArrayList<>();
        List<String> byUniqKey = new ArrayList<>();
        List<String> byKey = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String key = keys.get(i);
            String msgId = msgIds.get(i);
            String offsetMsgId = offsetMsgIds.get(i);
            byOffsetId.add(describe(attempt(() -> FeatureApi.viewByOffsetId(admin, topic, offsetMsgId)), key,
                msgId));
            byUniqKey.add(describe(attempt(() -> admin.queryMessageByUniqKey(topic, msgId)), key, msgId));
            QueryResult q = attemptQuery(ctx, () -> admin.queryMessage(topic, key, 32, begin, end));
            byKey.add(q == null ? "none" : q.getMessageList().size() + "x " + describe(q.getMessageList().get(0),
                key, msgId));
        }
        QueryResult all = attemptQuery(ctx, () -> admin.queryMessage(topic, shared, 32, begin, end));
        int sharedFound = all == null ? 0 : all.getMessageList().size();
        QueryResult before = attempt(() -> admin.queryMessage(topic, shared, 32, sentFrom - 3_600_000, sentFrom - 60_000));
        QueryResult unknown = attempt(() -> admin.queryMessage(topic, shared + "-nope", 32, begin, end));
        r.put("byOffsetId", byOffsetId).put("byUniqKey", byUniqKey).put("byKey", byKey)
            .put("sharedKeyFound", sharedFound)
            .put("beforeRangeFound", before == null ? 0 : before.getMessageList().size())
            .put("unknownKeyFound", unknown == null ? 0 : unknown.getMessageList().size());
        r.check("every message was found by its offset message id " + byOffsetId,
            byOffsetId.stream().allMatch("ok"::equals));
        r.check("every message was found by its unique key " + byUniqKey, byUniqKey.stream().allMatch("ok"::equals));
        r.check("every message was found, once, by its key in the time range " + byKey,
            byKey.stream().allMatch("1x ok"::equals));
        r.check("the shared key found all " + count + " messages (" + sharedFound + ")", sharedFound == count);
        r.check("a time range that ended before the sends found nothing", before == null
            || before.getMessageList().isEmpty());
        r.check("an unknown key found nothing", unknown == null || unknown.getMessageList().isEmpty());
    }

    interface Call<T> {
        T call() throws Exception;
    }

    private static <T> T attempt(Call<T> call) {
        try {
            return call.call();
        } catch (Exception e) {
            System.err.println("query failed: " + e);
            return null;
        }
    }

    /** The index is built after the append: retry a query that finds nothing for a while. */
    private static QueryResult attemptQuery(Ctx ctx, Call<QueryResult> call) {
        QueryResult[] out = {null};
        ctx.deadline.await(() -> {
            out[0] = attempt(call);
            return out[0] != null && !out[0].getMessageList().isEmpty();
        }, INDEX_WAIT_MS, 200);
        return out[0] == null || out[0].getMessageList().isEmpty() ? null : out[0];
    }

    private static String describe(MessageExt m, String key, String uniq) {
        if (m == null) {
            return "none";
        }
        boolean keyOk = m.getKeys() != null && Arrays.asList(m.getKeys().split(" ")).contains(key);
        boolean bodyOk = Arrays.equals(m.getBody(), Messages.body(key, BODY));
        boolean idOk = uniq.equals(m.getMsgId());
        return keyOk && bodyOk && idOk ? "ok" : "wrong(key " + m.getKeys() + ", body " + bodyOk + ", id "
            + m.getMsgId() + ")";
    }
}
