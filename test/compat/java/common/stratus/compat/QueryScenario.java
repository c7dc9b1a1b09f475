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
 */
final class QueryScenario {
    static final long INDEX_WAIT_MS = 15_000;
    static final int BODY = 100;

    private QueryScenario() {
    }

    static void run(Ctx ctx) throws Exception {
        int count = ctx.params.integer("count", 5);
        String topic = ctx.name("topic", "compat_query");
        Result r = ctx.result.put("topic", topic);
        DefaultMQProducer producer = Clients.startProducer(ctx, "producer");
        Clients.createTopic(ctx, producer, topic, 2);
        MQAdminImpl admin = Features.admin(producer);
        String shared = Messages.key(ctx.runId, "shared", 0);
        long sentFrom = System.currentTimeMillis();
        // Index items keep their time in whole seconds after the index file's first item, so a range must
        // start a little before the sends (Apache reads the index the same way).
        long begin = sentFrom - 10_000;
        List<String> keys = new ArrayList<>();
        List<SendResult> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String key = Messages.key(ctx.runId, "q", i);
            Message m = Messages.create(topic, "TagQ", key, i, BODY);
            m.setKeys(Arrays.asList(key, shared));
            keys.add(key);
            sent.add(producer.send(m));
        }
        long end = System.currentTimeMillis() + 1000;

        List<String> byOffsetId = new ArrayList<>();
        List<String> byUniqKey = new ArrayList<>();
        List<String> byKey = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String key = keys.get(i);
            SendResult s = sent.get(i);
            byOffsetId.add(describe(attempt(() -> FeatureApi.viewByOffsetId(admin, topic, s.getOffsetMsgId())),
                key, s.getMsgId()));
            byUniqKey.add(describe(attempt(() -> admin.queryMessageByUniqKey(topic, s.getMsgId())), key,
                s.getMsgId()));
            QueryResult q = attemptQuery(ctx, () -> admin.queryMessage(topic, key, 32, begin, end));
            byKey.add(q == null ? "none" : q.getMessageList().size() + "x " + describe(q.getMessageList().get(0),
                key, s.getMsgId()));
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
