/**
 * queryTrace and `stratus trace` against a real `stratus dev` process: trace messages are written the way a
 * Java client's trace dispatcher writes them (SEND_MESSAGE_V2 to RMQ_SYS_TRACE_TOPIC, KEYS = traced msgIds
 * and keys), next to the traced messages themselves. The real Java client is the judge in
 * test/compat/trace.test.ts; this one pins the folding, the lookups and the CLI's exits deterministically.
 */
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient } from "../../../lib/client/admin-client.js";
import { queryTrace, RMQ_SYS_TRACE_TOPIC } from "../../../lib/client/trace/query-trace.js";
import { encodeTraceData, traceMessageKeys } from "../../../lib/client/trace/trace-data.js";
import type { TraceEvent } from "../../../lib/client/trace/trace-event.js";
import { isStratusError } from "../../../lib/common/errors.js";
import { RemotingClient } from "../../../lib/remoting/client.js";
import { sendV2 } from "../../integration/raw-client.js";
import { freePort, removeDir, type StratusDev, startStratusDev } from "../../integration/stratus-process.js";

const BIN = resolve(import.meta.dirname, "../../../bin/stratus.js");
const TOPIC = "TraceItTopic";
const UNIQ_1 = "0A000001000A18B4AAC2000000000001";
const UNIQ_2 = "0A000001000A18B4AAC2000000000002";
const KEY = "order-77";
const T0 = 1_700_000_000_000;

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.once("exit", (code) => res({ code, stdout, stderr }));
  });
}

describe("queryTrace against stratus dev", () => {
  let dev: StratusDev;
  const client = new RemotingClient();
  let offsetMsgId1 = "";

  async function send(topic: string, body: Buffer, props: Record<string, string>): Promise<string> {
    const r = await sendV2(client, dev.brokerAddr, topic, 0, body, props);
    expect(r.code, r.remark).toBe(0);
    return r.extFields.msgId ?? "";
  }

  async function sendTrace(events: TraceEvent[], body = encodeTraceData(events)): Promise<void> {
    await send(RMQ_SYS_TRACE_TOPIC, body, { KEYS: traceMessageKeys(events).join(" ") });
  }

  beforeAll(async () => {
    dev = await startStratusDev();
    offsetMsgId1 = await send(TOPIC, Buffer.from("first"), { UNIQ_KEY: UNIQ_1, KEYS: KEY, TAGS: "TagT" });
    await send(TOPIC, Buffer.from("second"), { UNIQ_KEY: UNIQ_2, KEYS: KEY, TAGS: "TagT" });
    const pub = (msgId: string, timestampMs: number): TraceEvent => ({
      type: "Pub",
      timestampMs,
      regionId: "DefaultRegion",
      groupName: "pg_it",
      topic: TOPIC,
      msgId,
      tags: "TagT",
      keys: KEY,
      storeHost: dev.brokerAddr,
      bodyLength: 5,
      costTimeMs: 4,
      msgType: "Normal_Msg",
      offsetMsgId: msgId === UNIQ_1 ? offsetMsgId1 : "",
      success: true,
    });
    const sub = (requestId: string, at: number, retryTimes: number, success: boolean, groupName?: string) => [
      {
        type: "SubBefore",
        timestampMs: at,
        regionId: "DefaultRegion",
        groupName: "cg_it",
        requestId,
        msgId: UNIQ_1,
        retryTimes,
        keys: KEY,
      } as const,
      {
        type: "SubAfter",
        requestId,
        msgId: UNIQ_1,
        costTimeMs: 7,
        success,
        keys: KEY,
        contextCode: success ? 0 : 4,
        timestampMs: at + 7,
        groupName,
      } as const,
    ];
    await sendTrace([pub(UNIQ_1, T0), pub(UNIQ_2, T0 + 1)]);
    await sendTrace([...sub("REQ-A", T0 + 100, 0, false), ...sub("REQ-B", T0 + 10_100, 1, true, "cg_it")]);
    await send(RMQ_SYS_TRACE_TOPIC, Buffer.from(`Pub\u0001not-a-time\u0001x\u0002`), { KEYS: UNIQ_1 });
  });

  afterAll(async () => {
    client.close();
    await dev?.stop();
    if (dev) removeDir(dev.dataDir);
  });

  it("folds the send and both consume attempts of a message traced by msgId, and finds where it is stored", async () => {
    const r = await queryTrace(dev.namesrvAddr, UNIQ_1);
    expect(r.traceTopicRouted).toBe(true);
    expect(r.malformedRecords).toBe(1);
    expect(r.messages).toHaveLength(1);
    const m = r.messages[0];
    expect(m?.msgId).toBe(UNIQ_1);
    expect(m?.topic).toBe(TOPIC);
    expect(m?.publishes.map((p) => [p.producerGroup, p.status, p.clientHost, p.offsetMsgId])).toEqual([
      ["pg_it", "success", "127.0.0.1", offsetMsgId1],
    ]);
    expect(m?.stored).toMatchObject({ topic: TOPIC, queueId: 0, offsetMsgId: offsetMsgId1, bodyLength: 5 });
    expect(m?.stored?.storeHost).toBe(dev.brokerAddr);
    const [group] = m?.consumerGroups ?? [];
    expect(group).toMatchObject({ groupName: "cg_it", status: "success", deliveries: 2 });
    expect(group?.attempts.map((a) => [a.retryTimes, a.status, a.returnType, a.beginTimestampMs])).toEqual([
      [0, "failed", "FAILED", T0 + 100],
      [1, "success", "SUCCESS", T0 + 10_100],
    ]);
  });

  it("gives one view per message a key names", async () => {
    const r = await queryTrace(dev.namesrvAddr, KEY);
    expect(r.messages.map((m) => [m.msgId, m.publishes.length]).sort()).toEqual([
      [UNIQ_1, 1],
      [UNIQ_2, 1],
    ]);
  });

  it("traces the message an offset message id points at", async () => {
    const r = await queryTrace(dev.namesrvAddr, offsetMsgId1);
    expect(r.resolvedMsgId).toBe(UNIQ_1);
    expect(r.messages.map((m) => m.msgId)).toEqual([UNIQ_1]);
  });

  it("answers nothing found for an id no trace names, and says when the trace topic has no route", async () => {
    const none = await queryTrace(dev.namesrvAddr, "NO_SUCH_ID");
    expect(none).toMatchObject({ traceTopicRouted: true, messages: [], brokerErrors: [] });
    const noTopic = await queryTrace(dev.namesrvAddr, UNIQ_1, { traceTopic: "NoTraceTopicHere" });
    expect(noTopic).toMatchObject({ traceTopicRouted: false, messages: [] });
  });

  it("reads only trace messages stored in [beginMs, endMs]", async () => {
    const r = await queryTrace(dev.namesrvAddr, UNIQ_1, { endMs: T0 });
    expect(r.messages).toEqual([]);
  });

  it("throws CONNECTION_CLOSED when no NameServer can be reached", async () => {
    const port = await freePort();
    const e = await queryTrace(`127.0.0.1:${port}`, UNIQ_1).catch((err: unknown) => err);
    expect(isStratusError(e, "CONNECTION_CLOSED"), String(e)).toBe(true);
  });

  it("asks the next NameServer of a ';' list when the first is down", async () => {
    const port = await freePort();
    const admin = new AdminClient({ namesrvAddr: `127.0.0.1:${port};${dev.namesrvAddr}` });
    try {
      expect((await admin.getRouteInfo(TOPIC))?.brokerDatas.length).toBe(1);
      expect(await admin.getRouteInfo("NoSuchTopicAnywhere")).toBeUndefined();
    } finally {
      admin.close();
    }
  });

  it("`stratus trace --json` prints the same result as the library call", async () => {
    const out = await run(["trace", UNIQ_1, "--namesrv", dev.namesrvAddr, "--json"]);
    expect(out.code, out.stderr).toBe(0);
    const printed = JSON.parse(out.stdout);
    expect(printed).toEqual(JSON.parse(JSON.stringify(await queryTrace(dev.namesrvAddr, UNIQ_1))));
  });

  it("`stratus trace` prints the send, the storage and the consumer group as tables", async () => {
    const out = await run(["trace", "--namesrv", dev.namesrvAddr, UNIQ_1]);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain(`Message ${UNIQ_1}  topic ${TOPIC}  tags TagT  keys ${KEY}`);
    expect(out.stdout).toMatch(new RegExp(`Stored +broker \\S+ \\(${dev.brokerAddr}\\) +queue 0`));
    expect(out.stdout).toMatch(/Pub +pg_it +127\.0\.0\.1 .* 4ms +success/);
    expect(out.stdout).toMatch(/Sub +cg_it +127\.0\.0\.1 +0 .* 7ms +failed \(FAILED\)/);
    expect(out.stdout).toMatch(/Sub +cg_it +127\.0\.0\.1 +1 .* 7ms +success/);
    expect(out.stdout).toContain("note: 1 trace record(s) did not decode");
  });

  it("`stratus trace` exits 1 with a clear message when nothing is found", async () => {
    const out = await run(["trace", "NO_SUCH_ID", "--namesrv", dev.namesrvAddr]);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain("nothing found for 'NO_SUCH_ID' in RMQ_SYS_TRACE_TOPIC");
    const noTopic = await run(["trace", UNIQ_1, "--namesrv", dev.namesrvAddr, "--trace-topic", "Nope"]);
    expect(noTopic.code).toBe(1);
    expect(noTopic.stderr).toContain("has no route for trace topic Nope");
  });

  it("`stratus trace` exits 3 when the NameServer cannot be reached, 2 on bad usage", async () => {
    const port = await freePort();
    const down = await run(["trace", UNIQ_1, "--namesrv", `127.0.0.1:${port}`]);
    expect(down.code).toBe(3);
    expect(down.stderr).toContain(`cannot reach the NameServer: connect to 127.0.0.1:${port} failed`);
    const usage = await run(["trace", "--json"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("Usage: stratus trace <msgId|offsetMsgId|key>");
    const badFlag = await run(["trace", UNIQ_1, "--bogus"]);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain("unknown flag --bogus");
  });
});
