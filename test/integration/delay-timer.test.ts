/** Delay levels and 5.x timer properties over real sockets (the Java client's behaviour is judged in test/compat). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ResponseCode } from "../../lib/protocol/response-code.js";
import { RemotingClient } from "../../lib/remoting/client.js";
import { pullAll, sendV2 } from "./raw-client.js";
import { removeDir, type StratusDev, startStratusDev } from "./stratus-process.js";

async function waitFor<T>(fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("delay levels and timers", () => {
  let dev: StratusDev;
  const client = new RemotingClient();
  beforeAll(async () => {
    dev = await startStratusDev({ brokerConf: "messageDelayLevel=1s 2s 3s\ntimerMaxDelaySec=60\n" });
  });
  afterAll(async () => {
    client.close();
    await dev.stop();
    removeDir(dev.dataDir);
  });

  const arrival = (topic: string) =>
    waitFor(async () => {
      const all = await pullAll(client, dev.brokerAddr, topic, 0);
      return all.length > 0 ? Date.now() : undefined;
    }, 10_000);

  it("holds a DELAY=2 message for about two seconds", async () => {
    const sent = Date.now();
    const r = await sendV2(client, dev.brokerAddr, "DelayTopic", 0, Buffer.from("later"), { DELAY: "2" });
    expect(r.code).toBe(ResponseCode.SUCCESS);
    expect(await pullAll(client, dev.brokerAddr, "DelayTopic", 0)).toHaveLength(0);
    const at = await arrival("DelayTopic");
    expect(at).toBeDefined();
    expect((at ?? 0) - sent).toBeGreaterThanOrEqual(1900);
    expect((at ?? 0) - sent).toBeLessThan(3000);
  });

  it("delivers a TIMER_DELAY_MS message at its time", async () => {
    const sent = Date.now();
    const r = await sendV2(client, dev.brokerAddr, "TimerTopic", 0, Buffer.from("t"), {
      TIMER_DELAY_MS: "1500",
    });
    expect(r.code).toBe(ResponseCode.SUCCESS);
    const at = await arrival("TimerTopic");
    expect((at ?? 0) - sent).toBeGreaterThanOrEqual(1400);
    expect((at ?? 0) - sent).toBeLessThan(2500);
  });

  it("refuses a timer beyond timerMaxDelaySec with MESSAGE_ILLEGAL", async () => {
    const r = await sendV2(client, dev.brokerAddr, "TimerTopic", 0, Buffer.from("t"), {
      TIMER_DELAY_SEC: "3600",
    });
    expect(r.code).toBe(ResponseCode.MESSAGE_ILLEGAL);
    expect(r.remark).toContain("timerMaxDelaySec");
  });
});
