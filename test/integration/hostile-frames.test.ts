/**
 * Random, truncated and oversized frames at a live broker and NameServer get an error response or a closed
 * connection — and both keep serving well-behaved clients meanwhile.
 */
import { Socket } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeFrame } from "../../lib/protocol/frame.js";
import { createRequest } from "../../lib/protocol/remoting-command.js";
import { RequestCode } from "../../lib/protocol/request-code.js";
import { ResponseCode } from "../../lib/protocol/response-code.js";
import { RemotingClient } from "../../lib/remoting/client.js";
import { sendV2 } from "./raw-client.js";
import { removeDir, type StratusDev, startStratusDev } from "./stratus-process.js";

/** Write bytes to a fresh connection; resolves with what came back before the peer closed or 1.5 s passed. */
function poke(addr: string, bytes: Buffer): Promise<{ closed: boolean; received: number }> {
  const [host, port] = addr.split(":");
  return new Promise((resolve) => {
    const s = new Socket();
    let received = 0;
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      s.destroy();
      resolve({ closed, received });
    };
    s.on("data", (d) => {
      received += d.length;
    });
    s.on("close", () => finish(true));
    s.on("error", () => finish(true));
    s.connect(Number(port), host ?? "127.0.0.1", () => s.write(bytes));
    setTimeout(() => finish(false), 1500);
  });
}

describe("hostile frames", () => {
  let dev: StratusDev;
  const client = new RemotingClient();
  beforeAll(async () => {
    dev = await startStratusDev();
  });
  afterAll(async () => {
    client.close();
    await dev.stop();
    removeDir(dev.dataDir);
  });

  async function stillServing(): Promise<void> {
    const route = await client.invoke(
      dev.namesrvAddr,
      createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: "TBW102" }),
    );
    expect(route.code).toBe(ResponseCode.SUCCESS);
    const sent = await sendV2(client, dev.brokerAddr, "HostileTopic", 0, Buffer.from("still here"));
    expect(sent.code).toBe(ResponseCode.SUCCESS);
  }

  it("closes on an oversized length and keeps serving", async () => {
    const head = Buffer.alloc(8);
    head.writeInt32BE(0x7fffffff, 0);
    for (const addr of [dev.brokerAddr, dev.namesrvAddr]) expect((await poke(addr, head)).closed).toBe(true);
    await stillServing();
  });

  it("closes on a header length larger than the frame and on negative lengths", async () => {
    const bad = Buffer.alloc(12);
    bad.writeInt32BE(8, 0);
    bad.writeInt32BE(1000, 4);
    const negative = Buffer.alloc(8);
    negative.writeInt32BE(-5, 0);
    for (const addr of [dev.brokerAddr, dev.namesrvAddr]) {
      expect((await poke(addr, bad)).closed).toBe(true);
      expect((await poke(addr, negative)).closed).toBe(true);
    }
    await stillServing();
  });

  it("does not answer a truncated frame with garbage, and keeps serving", async () => {
    const frame = encodeFrame(createRequest(RequestCode.GET_BROKER_CLUSTER_INFO));
    for (const addr of [dev.brokerAddr, dev.namesrvAddr]) {
      const r = await poke(addr, frame.subarray(0, frame.length - 3));
      expect(r.received).toBe(0);
    }
    await stillServing();
  });

  it("survives random byte strings (property, printed seed on failure)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 512 }),
        fc.boolean(),
        async (bytes, toBroker) => {
          await poke(toBroker ? dev.brokerAddr : dev.namesrvAddr, Buffer.from(bytes));
        },
      ),
      { numRuns: 25 },
    );
    await stillServing();
  }, 120_000);

  it("answers an unknown request code with REQUEST_CODE_NOT_SUPPORTED and a remark", async () => {
    for (const addr of [dev.brokerAddr, dev.namesrvAddr]) {
      const r = await client.invoke(addr, createRequest(9999));
      expect(r.code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
      expect(r.remark).toContain("9999");
    }
  });
});
