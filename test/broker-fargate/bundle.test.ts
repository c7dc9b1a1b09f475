/**
 * The container entry as the image runs it: bundled by broker-fargate/bundle.ts (what the Dockerfile's build stage
 * runs), then spawned twice with STRATUS_ROLE=namesrv and STRATUS_ROLE=broker on loopback ports. Judged over the
 * wire (routes, cluster info, a send) and over the health endpoint; SIGTERM must drain and exit 0.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleFargateEntry } from "../../broker-fargate/bundle.js";
import { decodeClusterInfo } from "../../lib/protocol/cluster-info.js";
import { isWriteable } from "../../lib/protocol/perm-name.js";
import { createRequest } from "../../lib/protocol/remoting-command.js";
import { RequestCode } from "../../lib/protocol/request-code.js";
import { ResponseCode } from "../../lib/protocol/response-code.js";
import { decodeTopicRouteData } from "../../lib/protocol/route-data.js";
import { RemotingClient } from "../../lib/remoting/client.js";
import { pull, sendV2 } from "../integration/raw-client.js";
import { ManagedProcess } from "../support/managed-process.js";
import { findFreePorts } from "../support/ports.js";

const READY_NAMESRV = /stratus ready: namesrv (\S+) health :(\d+)/;
const READY_BROKER = /stratus ready: broker (\S+) \((\S+)\) health :(\d+)/;
const DRAINING = /draining: write permission wiped/;
const TOPIC = "FargateTopic";
const DRAIN_MS = 4000;

let dir: string;
let bundle: string;
const client = new RemotingClient();
const started: ManagedProcess[] = [];

function spawnBundle(name: string, env: Record<string, string>): ManagedProcess {
  const p = new ManagedProcess({
    name,
    command: process.execPath,
    args: [bundle],
    env: { PATH: process.env.PATH ?? "", ...env },
    logFile: join(dir, `${name}.log`),
  });
  started.push(p);
  return p;
}

async function health(port: number): Promise<{ status: number; body: { state: string; role: string } }> {
  const res = await fetch(`http://127.0.0.1:${port}/health`);
  return { status: res.status, body: (await res.json()) as { state: string; role: string } };
}

async function routePerms(namesrv: string, topic: string): Promise<number[]> {
  const res = await client.invoke(
    namesrv,
    createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic }),
    5000,
  );
  expect(res.code).toBe(ResponseCode.SUCCESS);
  return decodeTopicRouteData(res.body ?? Buffer.alloc(0)).queueDatas.map((q) => q.perm);
}

async function brokerNames(namesrv: string): Promise<string[]> {
  const res = await client.invoke(namesrv, createRequest(RequestCode.GET_BROKER_CLUSTER_INFO), 5000);
  return [...decodeClusterInfo(res.body ?? Buffer.alloc(0)).brokerAddrTable.keys()];
}

async function waitExit(p: ManagedProcess, timeoutMs: number): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (p.exit === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return p.exit;
}

function brokerEnv(namesrvAddr: string, listenPort: number): Record<string, string> {
  return {
    STRATUS_ROLE: "broker",
    STRATUS_BIND_HOST: "127.0.0.1",
    STRATUS_HEALTH_PORT: "0",
    STRATUS_DRAIN_MS: String(DRAIN_MS),
    STRATUS_CONF_brokerClusterName: "FargateCluster",
    STRATUS_CONF_brokerName: "broker-fg",
    STRATUS_CONF_brokerIP1: "127.0.0.1",
    STRATUS_CONF_listenPort: String(listenPort),
    STRATUS_CONF_namesrvAddr: namesrvAddr,
    STRATUS_CONF_storePathRootDir: join(dir, "store"),
    STRATUS_CONF_mappedFileSizeCommitLog: String(1024 * 1024),
  };
}

describe("the broker-fargate bundle", () => {
  let namesrv: ManagedProcess;
  let namesrvAddr: string;
  let namesrvHealth: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "stratus-fargate-"));
    const result = await bundleFargateEntry(join(dir, "stratus-fargate.mjs"));
    bundle = result.outfile;
    expect(result.inputs).toContain("lib/namesrv/namesrv.ts");
    expect(result.inputs).toContain("lib/broker/broker-controller.ts");
    namesrv = spawnBundle("namesrv", {
      STRATUS_ROLE: "namesrv",
      STRATUS_BIND_HOST: "127.0.0.1",
      STRATUS_NAMESRV_PORT: "0",
      STRATUS_HEALTH_PORT: "0",
    });
    const m = await namesrv.waitForLine(READY_NAMESRV, 30_000);
    namesrvAddr = m[1] ?? "";
    namesrvHealth = Number(m[2]);
  }, 120_000);

  afterAll(async () => {
    client.close();
    for (const p of started) await p.stop(2000);
    rmSync(dir, { recursive: true, force: true });
  });

  it("is one self-contained ESM file (no import of the repository's sources at run time)", () => {
    const text = readFileSync(bundle, "utf8");
    expect(text).not.toMatch(/from\s+["']\.\.?\/(lib|broker-fargate)\//);
    expect(text).toContain("STRATUS_ROLE");
  });

  it("serves GET /health with 200 for a running NameServer", async () => {
    const h = await health(namesrvHealth);
    expect(h).toEqual({ status: 200, body: expect.objectContaining({ state: "serving", role: "namesrv" }) });
  });

  it("runs a broker that registers, takes sends, then on SIGTERM wipes write permission, deregisters and exits 0", async () => {
    // GIVEN a broker started from STRATUS_CONF_* variables against the bundled NameServer
    const listenPort = await findFreePorts([0, -2]);
    const broker = spawnBundle("broker", brokerEnv(namesrvAddr, listenPort));
    const m = await broker.waitForLine(READY_BROKER, 30_000);
    const brokerAddr = m[1] ?? "";
    const brokerHealth = Number(m[3]);
    expect(brokerAddr).toBe(`127.0.0.1:${listenPort}`);
    expect((await health(brokerHealth)).status).toBe(200);
    const sent = await sendV2(client, brokerAddr, TOPIC, 0, Buffer.from("kept across the drain"));
    expect(sent.code).toBe(ResponseCode.SUCCESS);
    await new Promise((r) => setTimeout(r, 300)); // the auto-created topic's re-registration
    expect(await brokerNames(namesrvAddr)).toEqual(["broker-fg"]);
    expect((await routePerms(namesrvAddr, TOPIC)).every(isWriteable)).toBe(true);

    // WHEN ECS stops the task
    const draining = broker.waitForLine(DRAINING, 10_000);
    process.kill(broker.pid ?? 0, "SIGTERM");
    await draining;

    // THEN while it drains: health is 503, producers get read-only routes, the broker still serves
    expect(await health(brokerHealth)).toEqual({
      status: 503,
      body: expect.objectContaining({ state: "draining", role: "broker" }),
    });
    const perms = await routePerms(namesrvAddr, TOPIC);
    expect(perms.length).toBeGreaterThan(0);
    expect(perms.some(isWriteable)).toBe(false);
    // AND after the drain it deregisters and exits 0
    expect(await waitExit(broker, DRAIN_MS + 15_000)).toBe("code 0");
    expect(await brokerNames(namesrvAddr)).toEqual([]);
  }, 90_000);

  it("flushed what it acknowledged: a broker restarted on the same disk serves the message", async () => {
    const listenPort = await findFreePorts([0, -2]);
    const broker = spawnBundle("broker-again", brokerEnv(namesrvAddr, listenPort));
    const m = await broker.waitForLine(READY_BROKER, 30_000);
    const { messages } = await pull(client, m[1] ?? "", "fargate-group", TOPIC, 0, 0);
    expect(messages.map((x) => x.body.toString())).toEqual(["kept across the drain"]);
  }, 60_000);

  it("exits 0 on SIGTERM as a NameServer", async () => {
    process.kill(namesrv.pid ?? 0, "SIGTERM");
    expect(await waitExit(namesrv, 15_000)).toBe("code 0");
  }, 30_000);

  it("exits 2 naming the variable when the environment is wrong", async () => {
    const bad = spawnBundle("bad", { STRATUS_ROLE: "broker", STRATUS_DRAIN_SECONDS: "5" });
    expect(await waitExit(bad, 15_000)).toBe("code 2");
    expect(bad.recentOutput()).toContain("unknown variable STRATUS_DRAIN_SECONDS");
  }, 30_000);
});
