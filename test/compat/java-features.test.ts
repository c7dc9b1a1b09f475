/**
 * RocketMQ's message features judged by the real Apache Java clients (4.9.8 and 5.3.3) against the selected
 * target (STRATUS_COMPAT_TARGET=stratus|apache): retry and dead letters, delay levels, 5.x timer messages,
 * transactions with check-back, orderly consumption across a consumer failover, SQL92 filters, batches
 * (up to and one byte over maxMessageSize) and message queries. One cluster per client version runs every scenario (test/compat/java, one JVM per
 * scenario); its broker.conf shortens the delay levels and the transaction check so each takes seconds.
 * The last test restarts the broker on the same data while delayed, timer and half messages are pending.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_MESSAGE_BODY_BYTES } from "../../lib/common/limits.js";
import { CLIENT_VERSIONS } from "../setup/java-deps.mjs";
import { startApacheCluster } from "../support/apache-cluster.js";
import { apacheServerFor, compatTarget, keepDataDirs, type RunningCluster } from "../support/cluster.js";
import { startStratusCluster } from "../support/stratus-cluster.js";
import { explain, runScenario, type ScenarioRun } from "./java-runners.js";

const TARGET = compatTarget();
const CLUSTER_START_MS = 180_000;
const SCENARIO_TEST_MS = 180_000;
const SCENARIO_BUDGET_MS = 120_000;
/** Level n = n seconds, so retries (level 3 + reconsumeTimes) and delays take seconds. */
const DELAY_LEVELS = Array.from({ length: 18 }, (_, i) => `${i + 1}s`);
const TX_CHECK_INTERVAL_MS = 2000;
const TX_TIMEOUT_MS = 1000;
/**
 * Undecided transactions get checked transactionCheckMax times, then dropped. Apache also counts the passes
 * over a message inside its CHECK_IMMUNITY_TIME, so this leaves room for TX_IMMUNE_SEC / 2 s of them.
 */
const TX_CHECK_MAX = 8;
/** The immune-commit messages of the transaction test: checked once, after this, holding nothing up. */
const TX_IMMUNE_SEC = 10;
/**
 * Half messages stored before the restart are immune from checks this long, so that the check-back (and
 * the drop after TX_CHECK_MAX checks) waits for the producer started after it; Apache restarts slowly.
 */
const TX_IMMUNITY_SEC = TARGET === "apache" ? 90 : 20;
/**
 * Apache counts every pass over a half message that is still immune toward transactionCheckMax, so with
 * TX_CHECK_MAX it would drop the message long before its immunity ends; the restart test therefore runs
 * Apache with room for TX_IMMUNITY_SEC / transactionCheckInterval passes (Stratus waits without counting).
 */
const RESTART_OVERRIDES: Record<string, number> =
  TARGET === "apache" ? { transactionCheckMax: (2 * TX_IMMUNITY_SEC * 1000) / TX_CHECK_INTERVAL_MS } : {};
/** broker.conf keys both targets read. */
const BROKER_CONF: Record<string, string | number | boolean> = {
  messageDelayLevel: DELAY_LEVELS.join(" "),
  enablePropertyFilter: true,
  transactionCheckInterval: TX_CHECK_INTERVAL_MS,
  transactionTimeOut: TX_TIMEOUT_MS,
  transactionCheckMax: TX_CHECK_MAX,
};
/**
 * Apache-only keys (Stratus rejects unknown keys): 5.x writes transaction op records in batches every
 * 3 s by default, so with a 1 s transactionTimeOut it would check (and re-commit) decided messages.
 */
const APACHE_ONLY_CONF = { transactionOpBatchInterval: 100 };
/**
 * Apache 4.9's store unmaps files through DirectByteBuffer internals; on Java 17 that fails at shutdown and
 * then again when the restarted broker loads the store, unless those JDK internals are opened to it.
 */
const APACHE_STORE_JVM_ARGS = [
  "--add-opens=java.base/java.nio=ALL-UNNAMED",
  "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
  "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
];
/**
 * Timer messages are due within 1 s. Apache's timer wheel itself works in 1 s slots (timerPrecisionMs),
 * so on a loaded machine it lands slightly past that; the reference run gets half a second more.
 */
const TIMER_TOLERANCE_MS = TARGET === "apache" ? 1500 : 1000;
/** Whether the Apache server line stores a batch's own UNIQ_KEY on every message of the batch (5.x does). */
const APACHE_BATCH_KEEPS_BATCH_ID = (clientVersion: string) =>
  TARGET === "apache" && apacheServerFor(clientVersion).startsWith("5.");

function startFeatureCluster(
  clientVersion: string,
  dataDir: string,
  overrides: Record<string, number> = {},
): Promise<RunningCluster> {
  if (TARGET === "apache") {
    return startApacheCluster({
      version: apacheServerFor(clientVersion),
      dataDir,
      keepDataDir: true,
      brokerConfig: { ...BROKER_CONF, ...APACHE_ONLY_CONF, ...overrides },
      brokerJvmArgs: APACHE_STORE_JVM_ARGS,
    });
  }
  const conf = path.join(dataDir, "broker.conf");
  const text = Object.entries({ ...BROKER_CONF, ...overrides }).map(([k, v]) => `${k}=${v}`);
  fs.writeFileSync(conf, `${text.join("\n")}\n`);
  return startStratusCluster({ dataDir, keepDataDir: true, extraArgs: ["--config", conf] });
}

describe.each(CLIENT_VERSIONS)(`message features, Java client %s against ${TARGET}`, (clientVersion) => {
  const major = Number(clientVersion.split(".")[0]);
  let dataDir = "";
  let cluster: RunningCluster | undefined;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `stratus-features-${TARGET}-`));
    cluster = await startFeatureCluster(clientVersion, dataDir);
  }, CLUSTER_START_MS);

  afterAll(async () => {
    await cluster?.stop();
    if (dataDir && !keepDataDirs()) fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  /** Stops the cluster and starts it again on the same data directory. */
  async function restart(): Promise<void> {
    await cluster?.stop();
    cluster = undefined;
    cluster = await startFeatureCluster(clientVersion, dataDir, RESTART_OVERRIDES);
  }

  async function scenario(name: string, params: Record<string, string | number> = {}): Promise<ScenarioRun> {
    if (!cluster) throw new Error("cluster did not start");
    const run = await runScenario(clientVersion, name, cluster, {
      timeoutMs: SCENARIO_BUDGET_MS,
      ...params,
    });
    expect(run.result.clientVersion, explain(run)).toBe(`V${clientVersion.replaceAll(".", "_")}`);
    return run;
  }

  it(
    "redelivers a failed message with reconsumeTimes 1..max after its delay level, then moves it to %DLQ%group",
    async () => {
      const run = await scenario("retry", {
        failing: 3,
        passing: 3,
        maxReconsume: 2,
        delayLevels: DELAY_LEVELS.join(","),
      });
      const r = run.result;
      const why = explain(run);
      expect(Object.values(r.reconsumeTimesSeen as Record<string, number[]>), why).toEqual([
        [0, 1, 2],
        [0, 1, 2],
        [0, 1, 2],
      ]);
      expect(r.dlqMessages, why).toBe(3);
      expect(r.dlqDistinct, why).toBe(3);
      expect(r.dlqCorrupt, why).toBe(0);
      expect(r.dlqQueues, why).toBe(1);
      // Apache's dead-letter copy is written with delay level 0, and names the message it came from.
      expect(r.dlqDelayProperty, why).toEqual(["0", "0", "0"]);
      expect(r.dlqOriginMessageIds, why).toEqual(["original", "original", "original"]);
      expect(Object.values(r.passingDeliveries as Record<string, number>), why).toEqual([1, 1, 1]);
      expect(r.failures, why).toEqual([]);
    },
    SCENARIO_TEST_MS,
  );

  it(
    "delivers delay-level messages after their level's delay, not before and within 1 s",
    async () => {
      const run = await scenario("delay", {
        levels: "1,3,5",
        perLevel: 2,
        toleranceMs: 1000,
        delayLevels: DELAY_LEVELS.join(","),
      });
      const why = explain(run);
      const lateness = Object.values(run.result.latenessMs as Record<string, number>);
      expect(lateness, why).toHaveLength(6);
      for (const ms of lateness) {
        expect(ms, why).toBeGreaterThanOrEqual(0);
        expect(ms, why).toBeLessThanOrEqual(1000);
      }
      expect(run.result.failures, why).toEqual([]);
    },
    SCENARIO_TEST_MS,
  );

  if (major >= 5) {
    it(
      "delivers timer messages (setDelayTimeMs / setDeliverTimeMs) within 1 s of their time and refuses one past timerMaxDelaySec",
      async () => {
        const run = await scenario("timer", {
          delaysMs: "2000,4000",
          deliverInMs: 3000,
          toleranceMs: TIMER_TOLERANCE_MS,
        });
        const why = explain(run);
        const lateness = Object.values(run.result.latenessMs as Record<string, number>);
        expect(lateness, why).toHaveLength(3);
        for (const ms of lateness) {
          expect(ms, why).toBeGreaterThanOrEqual(0);
          expect(ms, why).toBeLessThanOrEqual(TIMER_TOLERANCE_MS);
        }
        expect(run.result.beyondMaxCode, why).toBe(13);
        expect(run.result.failures, why).toEqual([]);
      },
      SCENARIO_TEST_MS,
    );
  }

  it(
    "makes committed half messages visible, drops rolled-back ones, checks undecided ones back (after any immunity) and drops them after transactionCheckMax checks",
    async () => {
      const run = await scenario("transaction", {
        perKind: 2,
        checkTimeoutMs: TX_TIMEOUT_MS,
        checkIntervalMs: TX_CHECK_INTERVAL_MS,
        checkMax: TX_CHECK_MAX,
        immuneSec: TX_IMMUNE_SEC,
      });
      const r = run.result;
      const why = explain(run);
      const deliveries = r.deliveries as Record<string, number>;
      const checks = r.checks as Record<string, number>;
      const byKind = (counts: Record<string, number>, kind: string) =>
        Object.entries(counts)
          .filter(([k]) => k.slice(k.indexOf("-") + 1, k.lastIndexOf("-")) === kind)
          .map(([, n]) => n);
      expect(byKind(deliveries, "commit"), why).toEqual([1, 1]);
      expect(byKind(deliveries, "rollback"), why).toEqual([0, 0]);
      expect(byKind(deliveries, "check-commit"), why).toEqual([1, 1]);
      expect(byKind(deliveries, "check-rollback"), why).toEqual([0, 0]);
      expect(byKind(checks, "commit"), why).toEqual([0, 0]);
      expect(byKind(checks, "check-commit"), why).toEqual([2, 2]);
      expect(byKind(checks, "check-rollback"), why).toEqual([1, 1]);
      expect(byKind(deliveries, "check-unknown"), why).toEqual([0, 0]);
      expect(byKind(checks, "check-unknown"), why).toEqual([TX_CHECK_MAX, TX_CHECK_MAX]);
      expect(byKind(deliveries, "immune-commit"), why).toEqual([1, 1]);
      expect(byKind(checks, "immune-commit"), why).toEqual([1, 1]);
      for (const ms of r.immuneFirstCheckAfterMs as number[]) expect(ms, why).toBeGreaterThanOrEqual(9900);
      for (const ms of r.firstCheckAfterMs as number[]) expect(ms, why).toBeLessThan(TX_IMMUNE_SEC * 1000);
      expect(r.failures, why).toEqual([]);
    },
    SCENARIO_TEST_MS,
  );

  it(
    "lets the surviving orderly consumer take over a stopped one's queues without reordering them",
    async () => {
      const run = await scenario("orderly-failover", { count: 600, orders: 16, queues: 4, failAfter: 60 });
      const r = run.result;
      const why = explain(run);
      expect(r.orderlyDistinct, why).toBe(600);
      expect((r.takenOver as number[]).length, why).toBeGreaterThan(0);
      expect(r.takenOver, why).toEqual(r.c1Queues);
      expect(r.offsetSkips, why).toBe(0);
      expect(r.offsetBackwardsInOneConsumer, why).toBe(0);
      expect(r.concurrentBeforeFailover, why).toBe(0);
      expect(r.failures, why).toEqual([]);
    },
    SCENARIO_TEST_MS,
  );

  it(
    "gives SQL92 subscriptions exactly the messages their expression selects and refuses one that does not parse",
    async () => {
      const run = await scenario("sql", { count: 200 });
      const r = run.result;
      const why = explain(run);
      expect([r.received0, r.received1, r.received2], why).toEqual([r.expected0, r.expected1, r.expected2]);
      expect(r.expected0, why).toBeGreaterThan(0);
      expect(r.badExpressionCode, why).toBe(23);
      // The remark is the parser's error pointing at the offending token (Apache: its JavaCC ParseException).
      expect(r.badExpressionOutcome, why).toMatch(/Encountered .*"AND".* at line 1, column 5\./);
      expect(r.failures, why).toEqual([]);
    },
    SCENARIO_TEST_MS,
  );

  it(
    "stores a batch with one id and one consecutive queue offset per message",
    async () => {
      const run = await scenario("batch", {
        batches: 3,
        batchSize: 16,
        pulledIds: APACHE_BATCH_KEEPS_BATCH_ID(clientVersion) ? "report" : "match",
      });
      const r = run.result;
      const why = explain(run);
      const first = (r.firstOffsets as number[])[0] ?? -1;
      expect(r.firstOffsets, why).toEqual([first, first + 16, first + 32]);
      expect(r.distinctIds, why).toBe(48);
      expect(r.distinctOffsetIds, why).toBe(48);
      expect(r.pulledBack, why).toBe(48);
      expect(r.pushedDistinct, why).toBe(48);
      expect(r.failures, why).toEqual([]);
    },
    SCENARIO_TEST_MS,
  );

  it(
    "stores a batch of exactly maxMessageSize encoded bytes message by message, byte-exact, and refuses one a byte larger with MESSAGE_ILLEGAL",
    async () => {
      // Apache 4.9 refuses the whole batch body with MESSAGE_ILLEGAL; the 5.3.3 server's encoder throws
      // first ("message body size exceeded") and answers SYSTEM_ERROR. Stratus answers as 4.9 does.
      const apache5 = TARGET === "apache" && apacheServerFor(clientVersion).startsWith("5.");
      const refusedCode = apache5 ? 1 : 13;
      const run = await scenario("batch-limit", {
        limit: MAX_MESSAGE_BODY_BYTES,
        messages: 16,
        refusedCode,
        pulledIds: APACHE_BATCH_KEEPS_BATCH_ID(clientVersion) ? "report" : "match",
      });
      const r = run.result;
      const why = explain(run);
      expect(r.atLimitBytes, why).toBe(MAX_MESSAGE_BODY_BYTES);
      expect(r.atLimitStatus, why).toBe("SEND_OK");
      expect(r.distinctIds, why).toBe(16);
      expect(r.distinctOffsetIds, why).toBe(16);
      expect(r.pulledBack, why).toBe(16);
      expect(r.overLimitBytes, why).toBe(MAX_MESSAGE_BODY_BYTES + 1);
      expect(r.overLimitCode, why).toBe(refusedCode);
      expect(r.maxOffsetAfterOverLimit, why).toBe(r.maxOffsetAfterAtLimit);
      if (TARGET === "stratus")
        expect(r.overLimitRemark, why).toContain(`maxMessageSize=${MAX_MESSAGE_BODY_BYTES}`);
      expect(r.failures, why).toEqual([]);
    },
    SCENARIO_TEST_MS,
  );

  it(
    "stores a maxMessageSize batch of 20,000 short messages: only the byte limit bounds a batch, as in Apache",
    async () => {
      // Java users split batches by size alone (the ListSplitter pattern), so 4 MiB of short messages is
      // tens of thousands of them; a count limit below that would refuse batches Apache stores.
      const apache5 = TARGET === "apache" && apacheServerFor(clientVersion).startsWith("5.");
      const run = await scenario("batch-limit", {
        limit: MAX_MESSAGE_BODY_BYTES,
        messages: 20_000,
        refusedCode: apache5 ? 1 : 13,
        pulledIds: APACHE_BATCH_KEEPS_BATCH_ID(clientVersion) ? "report" : "match",
      });
      const r = run.result;
      const why = explain(run);
      expect(r.atLimitStatus, why).toBe("SEND_OK");
      expect(r.distinctOffsetIds, why).toBe(20_000);
      expect(r.pulledBack, why).toBe(20_000);
      expect(r.maxOffsetAfterOverLimit, why).toBe(r.maxOffsetAfterAtLimit);
      expect(r.failures, why).toEqual([]);
    },
    SCENARIO_TEST_MS,
  );

  it(
    "finds messages by offset message id, by unique key and by key within a time range",
    async () => {
      const run = await scenario("query", { count: 5 });
      const r = run.result;
      const why = explain(run);
      expect(r.byOffsetId, why).toEqual(Array(5).fill("ok"));
      expect(r.byUniqKey, why).toEqual(Array(5).fill("ok"));
      expect(r.byKey, why).toEqual(Array(5).fill("1x ok"));
      expect(r.sharedKeyFound, why).toBe(5);
      expect(r.beforeRangeFound, why).toBe(0);
      expect(r.unknownKeyFound, why).toBe(0);
      expect(r.failures, why).toEqual([]);
    },
    SCENARIO_TEST_MS,
  );

  it(
    "keeps pending delayed, 5.x timer and undecided transaction messages over a broker restart on the same data",
    async () => {
      if (!cluster) throw new Error("cluster did not start");
      const run = `restart${clientVersion.replaceAll(".", "")}${Date.now().toString(16)}`;
      const delayParams = { run, levels: "10", perLevel: 2 };
      const timerParams = { run, delaysMs: "10000", deliverInMs: 11000 };
      const txParams = { run, count: 2 };
      if (Object.keys(RESTART_OVERRIDES).length > 0) await restart();
      const sent = [
        await scenario("transaction-restart", { ...txParams, mode: "send", immunitySec: TX_IMMUNITY_SEC }),
        await scenario("delay", { ...delayParams, mode: "send" }),
      ];
      if (major >= 5) sent.push(await scenario("timer", { ...timerParams, mode: "send" }));
      for (const s of sent) expect(s.result.failures, explain(s)).toEqual([]);

      await restart();

      // The transaction first: its producer must be up before the check-back (after the immunity time).
      const tx = await scenario("transaction-restart", {
        ...txParams,
        mode: "receive",
        waitMs: (TX_IMMUNITY_SEC + 30) * 1000,
        timeoutMs: (TX_IMMUNITY_SEC + 60) * 1000,
      });
      expect(Object.values(tx.result.deliveries as Record<string, number>), explain(tx)).toEqual([1, 1]);
      expect(tx.result.failures, explain(tx)).toEqual([]);
      const received = [
        await scenario("delay", { ...delayParams, mode: "receive", delayLevels: DELAY_LEVELS.join(",") }),
      ];
      if (major >= 5) received.push(await scenario("timer", { ...timerParams, mode: "receive" }));
      for (const r of received) {
        const why = explain(r);
        expect(r.result.missing, why).toBe(0);
        for (const ms of Object.values(r.result.latenessMs as Record<string, number>)) {
          expect(ms, why).toBeGreaterThanOrEqual(0);
        }
        expect(r.result.failures, why).toEqual([]);
      }
    },
    2 * SCENARIO_TEST_MS + 2 * CLUSTER_START_MS,
  );
});
