/**
 * The object-store outage on the AWS ports: `stratus dev --cloud aws` with S3 reached through a fault-injecting
 * TCP proxy in front of moto (AWS_ENDPOINT_URL_S3; DynamoDB direct), so S3 can go away without moto forgetting
 * its state. For OUTAGE_MS (the 30 s: refused, then black-holed, then reset connections) producers keep
 * sending under SYNC_FLUSH. Every acknowledged send reads back, sends over tierLocalBudgetBytes get a prompt
 * SERVICE_NOT_AVAILABLE naming the backlog (not a hang), the broker stays up, and once the proxy heals the
 * backlog is uploaded: the DynamoDB manifest covers every acknowledged offset, and a broker SIGKILLed and
 * restarted on an empty disk serves them all from S3.
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDynamoDbClient } from "../../lib/ports/aws/aws-clients.js";
import { DynamoDbMetadataStore } from "../../lib/ports/aws/dynamodb-metadata-store.js";
import { getTierManifestHead, listTierChunks } from "../../lib/ports/records/tier-manifest.js";
import { ResponseCode } from "../../lib/protocol/response-code.js";
import { RemotingClient } from "../../lib/remoting/client.js";
import { indexedChunkOf } from "../../lib/tier/tier-index.js";
import {
  AWS_ENDPOINT_SETUP_TIMEOUT_MS,
  type AwsTestEndpoint,
  startAwsTestEndpoint,
} from "../ports/aws-endpoint.js";
import { type FaultMode, type FaultProxy, startFaultProxy } from "../support/fault-proxy.js";
import { awsCloud, eventually, type StratusProcess, startDev, type TestCloud } from "./cloud-cluster.js";
import { pullAll, sendV2 } from "./raw-client.js";
import { removeDir } from "./stratus-process.js";

/** The figure: the object store is unreachable this long while producers send. */
const OUTAGE_MS = 30_000;
/** The outage's three faults, in turn, each for a third of OUTAGE_MS. */
const OUTAGE_FAULTS: readonly FaultMode[] = ["refuse", "blackhole", "reset"];
/** Small enough that the producers below pass it within the outage. */
const BUDGET_BYTES = 1536 * 1024;
/** A refused send must be answered, not left to the client's timeout. */
const REFUSAL_ANSWER_MS = 2000;
const TOPIC = "AwsTierFault";
const QUEUES = 4;

const CONF = [
  "flushDiskType=SYNC_FLUSH",
  "mappedFileSizeCommitLog=65536",
  "tierChunkBytes=65536",
  "tierChunkMaxAgeMs=300",
  "tierLocalRetentionBytes=65536",
  `tierLocalBudgetBytes=${BUDGET_BYTES}`,
  "drainTimeoutMs=5000",
].join("\n");

const nameOf = (body: Buffer) => body.toString("latin1").split("|")[0] as string;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("fault proxy", () => {
  let echo: Server;
  let proxy: FaultProxy;
  beforeAll(async () => {
    echo = createServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, "127.0.0.1", r));
    const a = echo.address();
    proxy = await startFaultProxy(`127.0.0.1:${typeof a === "object" && a ? a.port : 0}`);
  });
  afterAll(async () => {
    await proxy.close();
    echo.close();
  });

  /** What one connection through the proxy sees when it sends "ping": the echo, or how it failed. */
  async function probe(): Promise<string> {
    return new Promise((resolve) => {
      const s: Socket = createConnection({ host: "127.0.0.1", port: proxy.port });
      const t = setTimeout(() => {
        s.destroy();
        resolve("timeout");
      }, 500);
      const done = (v: string) => {
        clearTimeout(t);
        s.destroy();
        resolve(v);
      };
      s.on("connect", () => s.write("ping"));
      s.on("data", (d) => done(d.toString()));
      s.on("error", (e: NodeJS.ErrnoException) => done(e.code ?? "error"));
      s.on("close", () => done("closed"));
    });
  }

  it("forwards, refuses, black-holes and resets connections, and heals", async () => {
    expect(await probe()).toBe("ping");
    await proxy.setMode("refuse");
    expect(await probe()).toBe("ECONNREFUSED");
    await proxy.setMode("blackhole");
    expect(await probe()).toBe("timeout");
    await proxy.setMode("reset");
    expect(await probe()).toBe("ECONNRESET");
    await proxy.setMode("forward");
    expect(await probe()).toBe("ping");
  });
});

describe("object store outage on the AWS ports (moto behind a fault proxy)", () => {
  let endpoint: AwsTestEndpoint;
  let cloud: TestCloud;
  let proxy: FaultProxy;
  const client = new RemotingClient();
  const running: StratusProcess[] = [];

  beforeAll(async () => {
    endpoint = await startAwsTestEndpoint();
    const base = await awsCloud(endpoint);
    proxy = await startFaultProxy(endpoint.endpoint);
    cloud = {
      ...base,
      env: { ...base.env, AWS_ENDPOINT_URL_S3: proxy.endpoint, AWS_ENDPOINT_URL_DYNAMODB: endpoint.endpoint },
    };
  }, AWS_ENDPOINT_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    client.close();
    for (const p of running) await p.stop();
    await proxy?.close();
    cloud?.remove();
    await endpoint?.stop();
  });

  async function manifest() {
    const table = cloud.args[cloud.args.indexOf("--metadata-table") + 1] as string;
    const md = new DynamoDbMetadataStore({
      client: createDynamoDbClient(endpoint.clientOptions, {}),
      tableName: table,
    });
    try {
      const head = await getTierManifestHead(md, "broker-a");
      const chunks = [];
      let cursor: string | undefined;
      do {
        const page = await listTierChunks(md, "broker-a", { cursor });
        chunks.push(...page.chunks.map(indexedChunkOf));
        cursor = page.cursor;
      } while (cursor !== undefined);
      return { committedOffset: head?.value.committedOffset ?? 0, chunks };
    } finally {
      await md.close();
    }
  }

  it("loses no acknowledged send, refuses promptly over the budget, and uploads the backlog", async () => {
    const dev = await startDev(cloud, { conf: `${CONF}\n` });
    running.push(dev);
    const addr = dev.brokerAddr as string;
    const acked = new Map<string, string>();
    let outage = false;
    let ackedInOutage = 0;
    const refusals: { ms: number; remark: string }[] = [];
    const otherFailures: string[] = [];
    let stop = false;
    const sender = async (s: number) => {
      for (let seq = 0; !stop; seq++) {
        const queueId = (s + seq) % QUEUES;
        const body = Buffer.concat([Buffer.from(`s${s}-${seq}|`), Buffer.alloc(1000, seq & 0xff)]);
        const t0 = Date.now();
        const res = await sendV2(client, addr, TOPIC, queueId, body, {}, 10_000).catch((e: Error) => e);
        if (res instanceof Error) otherFailures.push(res.message);
        else if (res.code === ResponseCode.SUCCESS) {
          acked.set(`s${s}-${seq}`, `${queueId}/${res.extFields.queueOffset}`);
          if (outage) ackedInOutage++;
        } else if (res.code === ResponseCode.SERVICE_NOT_AVAILABLE) {
          refusals.push({ ms: Date.now() - t0, remark: res.remark ?? "" });
          await sleep(100);
        } else otherFailures.push(`code ${res.code}: ${res.remark}`);
        await sleep(10);
      }
    };
    const senders = Array.from({ length: QUEUES }, (_, s) => sender(s));
    await sleep(3000);
    const before = await manifest();
    expect(before.chunks.length).toBeGreaterThan(0);

    outage = true;
    for (const fault of OUTAGE_FAULTS) {
      await proxy.setMode(fault);
      await sleep(OUTAGE_MS / OUTAGE_FAULTS.length);
    }
    outage = false;
    const refusedInOutage = refusals.length;
    const duringOutage = await manifest();
    await proxy.setMode("forward");
    // sends are taken again once the backlog uploads
    await eventually(
      "sends accepted again after the heal",
      async () => {
        const [n, r] = [acked.size, refusals.length];
        await sleep(500);
        return acked.size > n + 20 && refusals.length === r ? true : undefined;
      },
      60_000,
    );
    stop = true;
    await Promise.all(senders);

    process.stderr.write(
      `tier-faults-aws: ${acked.size} acked (${ackedInOutage} during the ${OUTAGE_MS} ms outage), ` +
        `${refusals.length} refused (slowest answer ${Math.max(0, ...refusals.map((r) => r.ms))} ms)\n`,
    );
    expect(dev.process.exit).toBeUndefined(); // the broker never went down
    expect(otherFailures).toEqual([]);
    expect(ackedInOutage).toBeGreaterThan(200);
    // nothing was committed to the manifest while S3 was away (beyond what was in flight as it went)
    expect(duringOutage.chunks.length - before.chunks.length).toBeLessThan(3);
    expect(refusedInOutage).toBeGreaterThan(0);
    for (const r of refusals) {
      expect(r.ms).toBeLessThan(REFUSAL_ANSWER_MS);
      expect(r.remark).toMatch(/TIER_BACKLOG_FULL.*tierLocalBudgetBytes/);
    }

    // the backlog reaches the manifest: every acknowledged offset is in a committed chunk
    const covered = (m: Awaited<ReturnType<typeof manifest>>) => {
      const spans = m.chunks.flatMap((c) => c.queues.filter((q) => q.topic === TOPIC));
      return [...acked.values()].filter((where) => {
        const [q, o] = where.split("/").map(Number) as [number, number];
        return !spans.some((s) => s.queueId === q && o >= s.first && o < s.first + s.count);
      });
    };
    const after = await eventually(
      "manifest covers every acknowledged send",
      async () => {
        const m = await manifest();
        return covered(m).length === 0 ? m : undefined;
      },
      60_000,
    );
    expect(after.committedOffset).toBeGreaterThan(duringOutage.committedOffset);

    // every acknowledged send is served by the broker, at its offset
    const served = async (brokerAddr: string) => {
      const out = new Map<string, string>();
      for (let q = 0; q < QUEUES; q++)
        for (const m of await pullAll(client, brokerAddr, TOPIC, q))
          out.set(nameOf(m.body), `${q}/${m.queueOffset}`);
      return out;
    };
    const live = await served(addr);
    expect([...acked].filter(([n, where]) => live.get(n) !== where)).toEqual([]);

    // and S3 alone holds them: SIGKILL (no drain), lose the disk, restart
    await dev.kill();
    running.splice(running.indexOf(dev), 1);
    removeDir(join(cloud.dataDir, "broker"));
    const again = await startDev(cloud, { conf: `${CONF}\n` });
    running.push(again);
    const fromS3 = await served(again.brokerAddr as string);
    expect([...acked].filter(([n, where]) => fromS3.get(n) !== where)).toEqual([]);
  }, 240_000);
});
