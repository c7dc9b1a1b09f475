package stratus.compat;

import java.io.File;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.rocketmq.common.MQVersion;

/**
 * Command line: {@code java -cp <classes>:<client jars> stratus.compat.Scenarios <scenario> namesrv=H:P
 * broker=H:P [key=value...]}. Prints exactly one JSON line on stdout:
 * {@code {"scenario":..,"clientVersion":"V4_9_8","ok":true,"failures":[],"elapsedMs":..,...}}; exit code 0
 * when every check passed, 1 when one failed, 2 for bad usage. Everything else goes to stderr.
 */
public final class Scenarios {
    static final long WATCHDOG_GRACE_MS = 30_000;
    static final long SHUTDOWN_BUDGET_MS = 20_000;
    private static final AtomicBoolean PRINTED = new AtomicBoolean();

    private Scenarios() {
    }

    interface Scenario {
        void run(Ctx ctx) throws Exception;
    }

    static Scenario lookup(String name) {
        switch (name) {
            case "send":
                return SendScenario::run;
            case "cluster":
                return ClusterScenario::run;
            case "broadcast":
                return BroadcastScenario::run;
            case "tags":
                return TagScenario::run;
            case "pull":
                return PullScenario::run;
            case "orderly":
                return OrderlyScenario::run;
            case "produce":
                return ProduceConsumeScenarios::produce;
            case "consume":
                return ProduceConsumeScenarios::consume;
            case "trace":
                return TraceScenario::run;
            case "retry":
                return RetryScenario::run;
            case "delay":
                return DelayScenario::run;
            case "timer":
                return TimerScenario::run;
            case "transaction":
                return TransactionScenario::run;
            case "transaction-restart":
                return TransactionRestartScenario::run;
            case "orderly-failover":
                return OrderlyFailoverScenario::run;
            case "sql":
                return SqlFilterScenario::run;
            case "batch":
                return BatchScenario::run;
            case "batch-limit":
                return BatchLimitScenario::run;
            case "query":
                return QueryScenario::run;
            default:
                return null;
        }
    }

    public static void main(String[] args) {
        PrintStream out = System.out;
        System.setOut(System.err);
        defaultProperty("rocketmq.client.logRoot", tmp("logs"));
        defaultProperty("rocketmq.log.root", System.getProperty("rocketmq.client.logRoot"));
        defaultProperty("rocketmq.client.localOffsetStoreDir", tmp("offsets"));
        Scenario scenario = args.length == 0 ? null : lookup(args[0]);
        if (scenario == null) {
            System.err.println("usage: Scenarios send|cluster|broadcast|tags|pull|orderly|produce|consume"
                + "|retry|delay|timer|transaction|transaction-restart|orderly-failover|sql|batch|query "
                + "namesrv=HOST:PORT broker=HOST:PORT [key=value...]");
            System.exit(2);
        }
        Map<String, Object> head = new LinkedHashMap<>();
        head.put("scenario", args[0]);
        head.put("clientVersion", MQVersion.getVersionDesc(MQVersion.CURRENT_VERSION));
        Result result = new Result();
        long started = System.nanoTime();
        Ctx ctx = null;
        try {
            Params params = new Params(args, 1);
            ctx = new Ctx(params, result);
            startWatchdog(out, head, result, params.longValue("timeoutMs", 180_000));
            scenario.run(ctx);
            result.check("unknown parameters " + params.unread(), params.unread().isEmpty());
        } catch (Throwable e) {
            result.check("scenario threw " + e, false);
            result.put("error", stackTrace(e));
        }
        if (ctx != null) {
            closeWithin(ctx, SHUTDOWN_BUDGET_MS);
        }
        result.put("elapsedMs", (System.nanoTime() - started) / 1_000_000L);
        emit(out, head, result);
        Runtime.getRuntime().halt(result.ok() ? 0 : 1);
    }

    private static void emit(PrintStream out, Map<String, Object> head, Result result) {
        if (PRINTED.compareAndSet(false, true)) {
            out.println(result.toJson(head));
            out.flush();
        }
    }

    /** If the scenario or a client shutdown wedges past its budget, report that and stop the JVM. */
    private static void startWatchdog(PrintStream out, Map<String, Object> head, Result result, long budgetMs) {
        Thread t = new Thread(() -> {
            Deadline.sleep(budgetMs + WATCHDOG_GRACE_MS);
            result.check("watchdog: the scenario did not finish within timeoutMs + " + WATCHDOG_GRACE_MS, false);
            emit(out, head, result);
            Runtime.getRuntime().halt(1);
        }, "scenario-watchdog");
        t.setDaemon(true);
        t.start();
    }

    private static void closeWithin(Ctx ctx, long budgetMs) {
        Thread t = new Thread(ctx::closeAll, "scenario-shutdown");
        t.setDaemon(true);
        t.start();
        try {
            t.join(budgetMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            System.err.println("client shutdown still running after " + budgetMs + " ms; exiting anyway");
        }
    }

    private static void defaultProperty(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    private static String tmp(String leaf) {
        return System.getProperty("java.io.tmpdir") + File.separator + "stratus-compat" + File.separator + leaf;
    }

    private static String stackTrace(Throwable e) {
        StringWriter sw = new StringWriter();
        e.printStackTrace(new PrintWriter(sw));
        String s = sw.toString();
        return s.length() > 4000 ? s.substring(0, 4000) : s;
    }
}
