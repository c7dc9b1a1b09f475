import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClusterInfoHandler, type HttpEvent } from "../../functions/cluster-info/cluster-info.js";
import { buildBrokerConfig } from "../../lib/broker/broker-config.js";
import type { BrokerController } from "../../lib/broker/broker-controller.js";
import { startBroker } from "../../lib/cli/run-broker.js";
import { NameServer } from "../../lib/namesrv/namesrv.js";
import { RemotingClient } from "../../lib/remoting/client.js";
import { findFreePorts } from "../support/ports.js";

let dir: string;
let namesrv: NameServer;
let broker: BrokerController;
let brokerAddr: string;
const client = new RemotingClient();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "stratus-fn-"));
  namesrv = new NameServer({ host: "127.0.0.1", port: 0 });
  await namesrv.start();
  const listenPort = await findFreePorts([0, -2]);
  brokerAddr = `127.0.0.1:${listenPort}`;
  const { config } = buildBrokerConfig("test", [
    ["brokerClusterName", "FnCluster"],
    ["brokerName", "broker-fn"],
    ["brokerIP1", "127.0.0.1"],
    ["listenPort", String(listenPort)],
    ["namesrvAddr", namesrv.address()],
    ["storePathRootDir", join(dir, "store")],
    ["mappedFileSizeCommitLog", String(1024 * 1024)],
  ]);
  broker = await startBroker(config, "127.0.0.1");
}, 60_000);

afterAll(async () => {
  client.close();
  await broker?.shutdown();
  await namesrv?.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

const get = (rawPath: string): HttpEvent => ({ rawPath, requestContext: { http: { method: "GET" } } });

describe("the cluster-info function", () => {
  it("answers GET /cluster with the clusters and brokers the NameServer knows", async () => {
    const handler = createClusterInfoHandler({ namesrvAddr: namesrv.address(), client });
    const res = await handler(get("/cluster"));
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(res.body)).toEqual({
      clusters: { FnCluster: ["broker-fn"] },
      brokers: { "broker-fn": { cluster: "FnCluster", addrs: { "0": brokerAddr } } },
    });
  });

  it("answers GET /route/<topic> with the queues and brokers of the topic", async () => {
    const handler = createClusterInfoHandler({ namesrvAddr: namesrv.address(), client });
    const res = await handler(get("/route/TBW102"));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({
      topic: "TBW102",
      queues: [{ brokerName: "broker-fn", readQueueNums: 8, writeQueueNums: 8, perm: 7 }],
      brokers: { "broker-fn": { cluster: "FnCluster", addrs: { "0": brokerAddr } } },
    });
  });

  it("answers 404 for an unknown topic, a bad topic name or path, and 405 for other methods", async () => {
    const handler = createClusterInfoHandler({ namesrvAddr: namesrv.address(), client });
    expect((await handler(get("/route/NoSuchTopic"))).statusCode).toBe(404);
    expect((await handler(get("/route/a%20b"))).statusCode).toBe(404);
    expect((await handler(get("/brokers"))).statusCode).toBe(404);
    expect(
      (await handler({ rawPath: "/cluster", requestContext: { http: { method: "POST" } } })).statusCode,
    ).toBe(405);
  });

  it("answers 502 naming the NameServer when it cannot be reached", async () => {
    const dead = `127.0.0.1:${await findFreePorts([0])}`;
    const handler = createClusterInfoHandler({ namesrvAddr: dead, client });
    const res = await handler(get("/cluster"));
    expect(res.statusCode).toBe(502);
    expect(JSON.parse(res.body).error).toContain(`NameServer ${dead}`);
  });
});
