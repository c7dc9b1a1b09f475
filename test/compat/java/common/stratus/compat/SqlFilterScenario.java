package stratus.compat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntPredicate;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.MessageSelector;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;

/**
 * `sql`: `count` messages carry user properties a (i % 10, absent when i % 7 == 6), b (x/y/z by i % 3) and
 * c (only on even i). Three push consumers subscribe with MessageSelector.bySql and must each receive
 * exactly the messages their expression selects (judged by the same predicate in Java); a consumer whose
 * expression does not parse must fail to start with the broker's SUBSCRIPTION_PARSE_FAILED (23).
 * Needs enablePropertyFilter=true on the broker.
 */
final class SqlFilterScenario {
    static final int SUBSCRIPTION_PARSE_FAILED = 23;
    static final long LINGER_MS = 2_000;
    static final String[] EXPRESSIONS = {
        "a > 5 AND b = 'x'",
        "(a BETWEEN 2 AND 4 AND c IS NULL) OR b IN ('z')",
        "NOT (b = 'y') AND a IS NOT NULL AND a <= 1",
    };

    private SqlFilterScenario() {
    }

    static boolean hasA(int i) {
        return i % 7 != 6;
    }

    static String b(int i) {
        return new String[] {"x", "y", "z"}[i % 3];
    }

    static boolean hasC(int i) {
        return i % 2 == 0;
    }

    /** The same selections as EXPRESSIONS, in Java (an absent property makes a comparison false). */
    static final IntPredicate[] EXPECTED = {
        i -> hasA(i) && i % 10 > 5 && b(i).equals("x"),
        i -> (hasA(i) && i % 10 >= 2 && i % 10 <= 4 && !hasC(i)) || b(i).equals("z"),
        i -> !b(i).equals("y") && hasA(i) && i % 10 <= 1,
    };

    static void run(Ctx ctx) throws Exception {
        int count = ctx.params.integer("count", 200);
        String topic = ctx.name("topic", "compat_sql");
        Result r = ctx.result.put("topic", topic).put("count", count);
        DefaultMQProducer producer = Clients.startProducer(ctx, "producer");
        Clients.createTopic(ctx, producer, topic, 2);
        badExpression(ctx, topic);

        List<Set<String>> got = new ArrayList<>();
        for (int e = 0; e < EXPRESSIONS.length; e++) {
            Set<String> keys = java.util.Collections.synchronizedSet(new TreeSet<>());
            got.add(keys);
            DefaultMQPushConsumer c = Clients.pushConsumer(ctx, ctx.name("group", "cg_sql") + "_" + e, "sql" + e);
            c.subscribe(topic, MessageSelector.bySql(EXPRESSIONS[e]));
            c.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
                for (MessageExt m : msgs) {
                    keys.add(m.getKeys());
                }
                return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            });
            c.start();
            ctx.closeLater(c::shutdown);
        }
        List<Set<String>> want = new ArrayList<>();
        for (int e = 0; e < EXPRESSIONS.length; e++) {
            want.add(new TreeSet<>());
        }
        for (int i = 0; i < count; i++) {
            String key = Messages.key(ctx.runId, "s", i);
            Message m = Messages.create(topic, "TagS", key, i, 32);
            if (hasA(i)) {
                m.putUserProperty("a", Integer.toString(i % 10));
            }
            m.putUserProperty("b", b(i));
            if (hasC(i)) {
                m.putUserProperty("c", "c" + i);
            }
            for (int e = 0; e < EXPRESSIONS.length; e++) {
                if (EXPECTED[e].test(i)) {
                    want.get(e).add(key);
                }
            }
            producer.send(m);
        }
        ctx.deadline.await(() -> {
            for (int e = 0; e < EXPRESSIONS.length; e++) {
                if (!got.get(e).containsAll(want.get(e))) {
                    return false;
                }
            }
            return true;
        }, 60_000, 100);
        Deadline.sleep(Math.min(LINGER_MS, ctx.deadline.remainingMs()));
        for (int e = 0; e < EXPRESSIONS.length; e++) {
            Set<String> missing = new TreeSet<>(want.get(e));
            Set<String> extra;
            synchronized (got.get(e)) {
                missing.removeAll(got.get(e));
                extra = new TreeSet<>(got.get(e));
            }
            extra.removeAll(want.get(e));
            r.put("expected" + e, want.get(e).size()).put("received" + e, got.get(e).size());
            r.check("`" + EXPRESSIONS[e] + "` received every selected message (" + missing.size() + " missing)",
                missing.isEmpty());
            r.check("`" + EXPRESSIONS[e] + "` received no other message " + sample(extra), extra.isEmpty());
        }
    }

    private static List<String> sample(Set<String> s) {
        List<String> out = new ArrayList<>();
        for (String k : s) {
            if (out.size() == 5) {
                break;
            }
            out.add(k);
        }
        return out;
    }

    /** CHECK_CLIENT_CONFIG in consumer.start() must carry the broker's parse failure back. */
    private static void badExpression(Ctx ctx, String topic) {
        String expression = ctx.params.str("badExpression", "a > AND b = 'x'");
        DefaultMQPushConsumer c = Clients.pushConsumer(ctx, ctx.name("group", "cg_sql") + "_bad", "sqlbad");
        String outcome = "started";
        int code = -1;
        try {
            c.subscribe(topic, MessageSelector.bySql(expression));
            c.registerMessageListener((MessageListenerConcurrently) (msgs, context) ->
                ConsumeConcurrentlyStatus.CONSUME_SUCCESS);
            c.start();
        } catch (MQClientException e) {
            code = e.getResponseCode();
            outcome = "MQClientException " + code + ": " + e.getErrorMessage();
        } catch (Exception e) {
            outcome = e.toString();
        } finally {
            c.shutdown();
        }
        ctx.result.put("badExpression", expression).put("badExpressionOutcome", outcome)
            .put("badExpressionCode", code);
        ctx.result.check("a consumer with `" + expression + "` failed to start with SUBSCRIPTION_PARSE_FAILED ("
            + outcome + ")", code == SUBSCRIPTION_PARSE_FAILED);
    }
}
