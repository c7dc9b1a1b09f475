package stratus.bench;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/**
 * The benchmark's load generator, on Apache RocketMQ's own Java client. Two modes:
 *
 *   echo threads=16 size=1024 warm=1 seconds=3
 *       the machine's loopback limits (no broker involved)
 *   run namesrv=H:P broker=H:P runId=ID threads=16 size=1024 queues=16 phases=P1,P2,...
 *       phases, in order, against one broker:
 *         send:LABEL:WARM_S:MEASURE_S       max-rate sync send to topic bench_send_ID
 *         latency:RATE:WARM_S:MEASURE_S     fixed-rate send, end-to-end latency via a push consumer
 *         catchup:PER_QUEUE:TIMEOUT_S[:TOPIC]  read the first PER_QUEUE messages of each queue of TOPIC
 *                                           (default bench_send_ID), topping it up first when short
 *         fill:PER_QUEUE[:TOPIC]            only top TOPIC (default bench_send_ID) up to PER_QUEUE per queue
 *
 * Every line on stdout is one JSON object: {"event":"phase"|"progress"|"result"|"error"|"done", ...}.
 * Exit code 0 when every phase ran, 1 on a failure, 2 on bad usage.
 */
public final class LoadGen {
    private LoadGen() {
    }

    public static void main(String[] argv) {
        int code;
        try {
            code = dispatch(argv);
        } catch (IllegalArgumentException e) {
            Out.emit(Out.obj("event", "error", "message", "usage: " + e.getMessage()));
            code = 2;
        } catch (Throwable e) {
            StringWriter sw = new StringWriter();
            e.printStackTrace(new PrintWriter(sw));
            Out.emit(Out.obj("event", "error", "message", e.toString(), "stack", sw.toString()));
            code = 1;
        }
        System.exit(code);
    }

    private static int dispatch(String[] argv) throws Exception {
        if (argv.length == 0) {
            throw new IllegalArgumentException("LoadGen echo|run key=value...");
        }
        Args a = new Args(argv, 1);
        if (argv[0].equals("echo")) {
            int threads = a.integer("threads", 16);
            int size = a.integer("size", 1024);
            double warm = a.dbl("warm", 1);
            double seconds = a.dbl("seconds", 3);
            a.checkAllRead();
            Map<String, Object> r = Echo.run(threads, size, warm, seconds);
            r.put("event", "result");
            r.put("phase", "echo");
            Out.emit(r);
            Out.emit(Out.obj("event", "done"));
            return 0;
        }
        if (!argv[0].equals("run")) {
            throw new IllegalArgumentException("unknown mode " + argv[0]);
        }
        Ctx ctx = new Ctx(a.str("namesrv", null), a.str("broker", null), a.str("runId", null),
            a.integer("threads", 16), a.integer("size", 1024), a.integer("queues", 16));
        String phases = a.str("phases", null);
        a.checkAllRead();
        try {
            for (String spec : phases.split(",")) {
                runPhase(ctx, spec.split(":"));
            }
        } finally {
            ctx.shutdown();
        }
        Out.emit(Out.obj("event", "done"));
        return 0;
    }

    private static void runPhase(Ctx ctx, String[] p) throws Exception {
        String sendTopic = "bench_send_" + ctx.runId;
        Map<String, Object> r;
        String label;
        switch (p[0]) {
            case "send":
                expect(p, 4);
                label = p[1];
                ctx.createTopic(sendTopic);
                r = SendPhase.run(ctx, label, sendTopic, Double.parseDouble(p[2]), Double.parseDouble(p[3]));
                break;
            case "latency":
                expect(p, 4);
                label = "latency";
                r = LatencyPhase.run(ctx, "bench_lat_" + ctx.runId, Double.parseDouble(p[1]),
                    Double.parseDouble(p[2]), Double.parseDouble(p[3]));
                break;
            case "catchup":
                expect(p, 3, 4);
                label = "catchup";
                r = CatchupPhase.run(ctx, topicOr(p, 3, sendTopic), Long.parseLong(p[1]),
                    Double.parseDouble(p[2]));
                break;
            case "fill":
                expect(p, 2, 3);
                label = "fill";
                r = Out.obj("toppedUp",
                    CatchupPhase.topUp(ctx, ctx.queuesOf(topicOr(p, 2, sendTopic)), Long.parseLong(p[1])));
                break;
            default:
                throw new IllegalArgumentException("unknown phase " + p[0]);
        }
        r.put("event", "result");
        r.put("phase", label);
        Out.emit(r);
    }

    private static void expect(String[] p, int n) {
        expect(p, n, n);
    }

    private static void expect(String[] p, int min, int max) {
        if (p.length < min || p.length > max) {
            String fields = min == max ? String.valueOf(min - 1) : (min - 1) + " or " + (max - 1);
            throw new IllegalArgumentException("phase " + String.join(":", p) + " needs " + fields + " fields");
        }
    }

    /** The phase's optional topic field at `index`, else `fallback`. */
    private static String topicOr(String[] p, int index, String fallback) {
        return p.length > index && !p[index].isEmpty() ? p[index] : fallback;
    }
}
