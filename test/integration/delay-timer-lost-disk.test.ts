/**
 * Delay-level and timer messages survive the loss of the broker and its disk. `stratus dev --cloud embedded`
 * with objectStore durability: some delay and timer messages are due (and delivered) before the broker is
 * SIGKILLed, others are still waiting; D/broker is deleted and the broker restarted on the empty disk. The
 * waiting ones exist only in the object store: they are delivered at their time, and the ones delivered before
 * the kill are not delivered again (the progress went to the manifest with the tier's chunks). Run on the
 * embedded cloud and on the AWS ports against moto (S3 + DynamoDB).
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ResponseCode } from "../../lib/protocol/response-code.js";
import { RemotingClient } from "../../lib/remoting/client.js";
import {
  AWS_ENDPOINT_SETUP_TIMEOUT_MS,
  type AwsTestEndpoint,
  startAwsTestEndpoint,
} from "../ports/aws-endpoint.js";
import {
  awsCloud,
  embeddedCloud,
  eventually,
  type StratusProcess,
  startDev,
  type TestCloud,
} from "./cloud-cluster.js";
import { pullAll, sendV2 } from "./raw-client.js";
import { removeDir } from "./stratus-process.js";

/** Level 3: long enough to outlive the kill and the restart. */
const LONG_DELAY_MS = 20_000;
const LONG_TIMER_MS = 15_000;
/** How late a delivery after the restart may be (tick intervals, a loaded machine). */
const LATENESS_MS = 4_000;
const EARLY = 5;
const LATE = 5;

const CONF = [
  "flushDiskType=objectStore",
  "messageDelayLevel=1s 2s 20s",
  "timerMaxDelaySec=120",
  "mappedFileSizeCommitLog=65536",
  "tierChunkBytes=65536",
  "tierChunkMaxAgeMs=200",
  "tierLocalRetentionBytes=65536",
].join("\n");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const bodies = async (client: RemotingClient, addr: string, topic: string) =>
  (await pullAll(client, addr, topic, 0)).map((m) => m.body.toString());

describe.each(["embedded", "aws"] as const)("delay and timer messages after a lost disk (%s)", (kind) => {
  let cloud: TestCloud;
  let endpoint: AwsTestEndpoint | undefined;
  const client = new RemotingClient();
  const running: StratusProcess[] = [];
  beforeAll(async () => {
    if (kind === "embedded") cloud = embeddedCloud();
    else {
      endpoint = await startAwsTestEndpoint();
      cloud = await awsCloud(endpoint);
    }
  }, AWS_ENDPOINT_SETUP_TIMEOUT_MS);
  afterAll(async () => {
    client.close();
    for (const p of running) await p.stop();
    cloud?.remove();
    await endpoint?.stop();
  });

  it("delivers what only the object store holds at its time, and nothing twice", async () => {
    const first = await startDev(cloud, { conf: `${CONF}\n` });
    running.push(first);
    const addr = first.brokerAddr as string;
    const send = async (topic: string, body: string, props: Record<string, string>) => {
      const r = await sendV2(client, addr, topic, 0, Buffer.from(body), props);
      expect(r.code).toBe(ResponseCode.SUCCESS);
    };
    // due before the kill: delivered once by the first process
    for (let i = 0; i < EARLY; i++) {
      await send("DelayLost", `early-delay-${i}`, { DELAY: "1" });
      await send("TimerLost", `early-timer-${i}`, { TIMER_DELAY_MS: "800" });
    }
    await eventually(
      "early deliveries",
      async () =>
        (await bodies(client, addr, "DelayLost")).length === EARLY &&
        (await bodies(client, addr, "TimerLost")).length === EARLY
          ? true
          : undefined,
      20_000,
    );
    // still waiting at the kill
    const sentAt = Date.now();
    for (let i = 0; i < LATE; i++) {
      await send("DelayLost", `late-delay-${i}`, { DELAY: "3" });
      await send("TimerLost", `late-timer-${i}`, { TIMER_DELAY_MS: String(LONG_TIMER_MS) });
    }
    // no send follows: the early deliveries' progress reaches the manifest head without a chunk to carry it
    await sleep(1000);

    await first.kill();
    running.splice(running.indexOf(first), 1);
    removeDir(join(cloud.dataDir, "broker"));
    const second = await startDev(cloud, { conf: `${CONF}\n` });
    running.push(second);
    const addr2 = second.brokerAddr as string;
    expect(Date.now() - sentAt).toBeLessThan(LONG_TIMER_MS - 2000); // the restart came before they were due

    // nothing late arrives early, then everything arrives at its time
    const arrival = async (topic: string, want: number, dueAt: number) => {
      for (;;) {
        const got = await bodies(client, addr2, topic);
        if (Date.now() < dueAt - 200) expect(got.filter((b) => b.startsWith("late")).length).toBe(0);
        if (got.length >= want) return { at: Date.now(), got };
        if (Date.now() > dueAt + LATENESS_MS) return { at: Date.now(), got };
        await sleep(100);
      }
    };
    const timers = await arrival("TimerLost", EARLY + LATE, sentAt + LONG_TIMER_MS);
    const delays = await arrival("DelayLost", EARLY + LATE, sentAt + LONG_DELAY_MS);
    expect(timers.got.filter((b) => b.startsWith("late")).sort()).toEqual(
      Array.from({ length: LATE }, (_, i) => `late-timer-${i}`),
    );
    expect(delays.got.filter((b) => b.startsWith("late")).sort()).toEqual(
      Array.from({ length: LATE }, (_, i) => `late-delay-${i}`),
    );
    expect(timers.at - sentAt).toBeGreaterThanOrEqual(LONG_TIMER_MS - 200);
    expect(delays.at - sentAt).toBeGreaterThanOrEqual(LONG_DELAY_MS - 200);
    await sleep(1500);
    // the early ones, delivered before the kill, were not delivered again
    for (const [topic, kind] of [
      ["DelayLost", "delay"],
      ["TimerLost", "timer"],
    ] as const) {
      const all = await bodies(client, addr2, topic);
      expect(all.filter((b) => b.startsWith("early")).sort()).toEqual(
        Array.from({ length: EARLY }, (_, i) => `early-${kind}-${i}`),
      );
      expect(all).toHaveLength(EARLY + LATE);
    }
  }, 120_000);
});
