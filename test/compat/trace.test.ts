/**
 * Message trace written by the real Java clients (4.9.8 and 5.3.3, trace on: `new DefaultMQProducer(group,
 * true, null)`, `new DefaultMQPushConsumer(group, true, null)`) against the selected target
 * (STRATUS_COMPAT_TARGET=stratus|apache), read back with `stratus trace` and with queryTrace. The `trace`
 * scenario sends 3 keyed messages and consumes them, answering the first delivery of message 0 with
 * RECONSUME_LATER; the judge checks the send, where it was stored, both consume attempts and their order.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MessageTrace, queryTrace, type TraceQueryResult } from "../../lib/client/trace/query-trace.js";
import { CLIENT_VERSIONS, ROOT } from "../setup/java-deps.mjs";
import { compatTarget, type RunningCluster, startCompatCluster } from "../support/cluster.js";
import { explain, runScenario, type ScenarioRun } from "./java-runners.js";

const TARGET = compatTarget();
const CLUSTER_START_MS = 180_000;
const TEST_MS = 300_000;
/** The trace dispatcher sends asynchronously (batches flushed every few hundred ms, and at shutdown). */
const TRACE_WAIT_MS = 30_000;
const COUNT = 3;

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, "bin", "stratus.js"), ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The send and every expected consume attempt are in (attempts: how many SubAfters the group needs). */
function complete(m: MessageTrace | undefined, group: string, attempts: number): boolean {
  const g = m?.consumerGroups.find((c) => c.groupName === group);
  return (
    m !== undefined &&
    m.publishes.length > 0 &&
    g !== undefined &&
    g.attempts.filter((a) => a.status !== "pending").length >= attempts
  );
}

describe.each(CLIENT_VERSIONS)(`message trace of Java client %s against ${TARGET}`, (clientVersion) => {
  let cluster: RunningCluster | undefined;
  let run: ScenarioRun | undefined;

  beforeAll(async () => {
    cluster = await startCompatCluster(clientVersion);
  }, CLUSTER_START_MS);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  async function traced(msgId: string, attempts: number): Promise<TraceQueryResult> {
    if (!cluster || !run) throw new Error("cluster or scenario missing");
    const group = String(run.result.consumerGroup);
    const until = Date.now() + TRACE_WAIT_MS;
    let result = await queryTrace(cluster.namesrvAddr, msgId);
    while (!complete(result.messages[0], group, attempts) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 500));
      result = await queryTrace(cluster.namesrvAddr, msgId);
    }
    return result;
  }

  it(
    "records the send, the storage and a failed then retried consume, in time order",
    async () => {
      if (!cluster) throw new Error("cluster did not start");
      run = await runScenario(clientVersion, "trace", cluster, { count: COUNT });
      const r = run.result;
      const why = explain(run);
      expect(r.failures, why).toEqual([]);
      expect(r.failedDeliveries, why).toBe(1);
      const msgIds = r.msgIds as string[];
      const offsetMsgIds = r.offsetMsgIds as string[];
      const sendStartMs = r.sendStartMs as number[];
      const sendEndMs = r.sendEndMs as number[];
      const msgId = msgIds[0] ?? "";

      const result = await traced(msgId, 2);
      const detail = `${why}\ntrace: ${JSON.stringify(result, null, 1)}`;
      expect(
        result.messages.map((m) => m.msgId),
        detail,
      ).toEqual([msgId]);
      const m = result.messages[0] as MessageTrace;
      expect(m.topic, detail).toBe(r.topic);
      expect(m.keys, detail).toBe((r.keys as string[])[0]);
      expect(
        m.publishes.map((p) => [p.producerGroup, p.status, p.offsetMsgId]),
        detail,
      ).toEqual([[r.producerGroup, "success", offsetMsgIds[0]]]);
      const pub = m.publishes[0];
      expect(pub?.storeHost, detail).toBe(cluster.brokerAddr);
      expect(pub?.clientHost, detail).not.toBe("");
      expect(pub?.timestampMs, detail).toBeGreaterThanOrEqual(sendStartMs[0] ?? 0);
      expect(pub?.timestampMs, detail).toBeLessThanOrEqual(sendEndMs[0] ?? 0);
      expect(m.stored?.offsetMsgId, detail).toBe(offsetMsgIds[0]);
      expect(m.stored?.topic, detail).toBe(r.topic);

      expect(
        m.consumerGroups.map((g) => [g.groupName, g.status, g.deliveries]),
        detail,
      ).toEqual([[r.consumerGroup, "success", 2]]);
      const [first, retry] = m.consumerGroups[0]?.attempts ?? [];
      expect([first?.retryTimes, first?.status, retry?.retryTimes, retry?.status], detail).toEqual([
        0,
        "failed",
        1,
        "success",
      ]);
      const times = [
        pub?.timestampMs,
        m.stored?.storeTimestampMs,
        first?.beginTimestampMs,
        first?.endTimestampMs,
        retry?.beginTimestampMs,
        retry?.endTimestampMs,
      ];
      expect(
        times.every((t) => typeof t === "number"),
        detail,
      ).toBe(true);
      const ordered = (times as number[]).every((t, i, all) => i === 0 || (all[i - 1] ?? 0) <= t);
      expect(ordered, `${detail}\ntimes: ${times.join(" <= ")}`).toBe(true);
    },
    TEST_MS,
  );

  it(
    "shows a message consumed at the first attempt as one successful delivery",
    async () => {
      if (!run) throw new Error("scenario did not run");
      const msgId = (run.result.msgIds as string[])[1] ?? "";
      const result = await traced(msgId, 1);
      const detail = `trace: ${JSON.stringify(result, null, 1)}`;
      const group = result.messages[0]?.consumerGroups[0];
      expect(group?.groupName, detail).toBe(run.result.consumerGroup);
      expect(
        group?.attempts.map((a) => [a.retryTimes, a.status, a.returnType]),
        detail,
      ).toEqual([[0, "success", "SUCCESS"]]);
    },
    TEST_MS,
  );

  it(
    "`stratus trace <msgId>` prints the same trace as JSON and as tables",
    async () => {
      if (!cluster || !run) throw new Error("scenario did not run");
      const msgId = (run.result.msgIds as string[])[0] ?? "";
      const json = await cli(["trace", msgId, "--namesrv", cluster.namesrvAddr, "--json"]);
      expect(json.code, json.stderr).toBe(0);
      const printed = JSON.parse(json.stdout) as TraceQueryResult;
      expect(printed.messages.map((m) => m.msgId)).toEqual([msgId]);
      expect(printed.messages[0]?.publishes[0]?.producerGroup).toBe(run.result.producerGroup);
      expect(printed.messages[0]?.consumerGroups[0]?.groupName).toBe(run.result.consumerGroup);

      const table = await cli(["trace", msgId, "--namesrv", cluster.namesrvAddr]);
      expect(table.code, table.stderr).toBe(0);
      expect(table.stdout).toMatch(new RegExp(`Pub +${run.result.producerGroup} .* success`));
      expect(table.stdout).toMatch(
        new RegExp(`Sub +${run.result.consumerGroup} +\\S+ +0 .* failed \\(FAILED\\)`),
      );
      expect(table.stdout).toMatch(new RegExp(`Sub +${run.result.consumerGroup} +\\S+ +1 .* success`));
    },
    TEST_MS,
  );
});
