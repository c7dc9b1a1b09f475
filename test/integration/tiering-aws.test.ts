/**
 * The tiering end-to-end set on the AWS ports: `stratus dev --cloud aws` against moto's S3 and DynamoDB (a
 * fresh bucket and table). History served from S3 once local retention dropped it (by key too), a lost disk
 * rebuilt from the DynamoDB manifest, objectStore durability through SIGKILL plus the loss of the disk.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient } from "../../lib/client/admin-client.js";
import { createDynamoDbClient } from "../../lib/ports/aws/aws-clients.js";
import { DynamoDbMetadataStore } from "../../lib/ports/aws/dynamodb-metadata-store.js";
import { listTierChunks } from "../../lib/ports/records/tier-manifest.js";
import { RemotingClient } from "../../lib/remoting/client.js";
import {
  AWS_ENDPOINT_SETUP_TIMEOUT_MS,
  type AwsTestEndpoint,
  startAwsTestEndpoint,
} from "../ports/aws-endpoint.js";
import { awsCloud, eventually, type StratusProcess, startDev, type TestCloud } from "./cloud-cluster.js";
import { pullAll, sendV2 } from "./raw-client.js";
import { removeDir } from "./stratus-process.js";

const CONF = [
  "mappedFileSizeCommitLog=65536",
  "tierChunkBytes=65536",
  "tierChunkMaxAgeMs=200",
  "tierLocalRetentionBytes=65536",
  "drainTimeoutMs=20000",
].join("\n");

const nameOf = (body: Buffer) => body.toString("latin1").split("|")[0] as string;
const bodyFor = (i: number) => Buffer.concat([Buffer.from(`m${i}|`), Buffer.alloc(1000, i & 0xff)]);

describe("tiering on the AWS ports (moto)", () => {
  let endpoint: AwsTestEndpoint;
  let cloud: TestCloud;
  const client = new RemotingClient();
  const running: StratusProcess[] = [];

  beforeAll(async () => {
    endpoint = await startAwsTestEndpoint();
    cloud = await awsCloud(endpoint);
  }, AWS_ENDPOINT_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    client.close();
    for (const p of running) await p.stop();
    cloud?.remove();
    await endpoint?.stop();
  });

  async function dev(conf = CONF): Promise<StratusProcess> {
    const p = await startDev(cloud, { conf: `${conf}\n` });
    running.push(p);
    return p;
  }

  async function chunkCount(): Promise<number> {
    const table = cloud.args[cloud.args.indexOf("--metadata-table") + 1] as string;
    const md = new DynamoDbMetadataStore({
      client: createDynamoDbClient(endpoint.clientOptions, {}),
      tableName: table,
    });
    try {
      return (await listTierChunks(md, "broker-a", { limit: 1000 })).chunks.length;
    } finally {
      await md.close();
    }
  }

  it("serves S3-tiered history from offset 0 and by key, and again after the disk is lost", async () => {
    const topic = "AwsTiered";
    const first = await dev();
    const brokerAddr = first.brokerAddr as string;
    for (let i = 0; i < 1400; i++)
      expect((await sendV2(client, brokerAddr, topic, i % 2, bodyFor(i), { KEYS: `key-${i}` })).code).toBe(0);
    await eventually(
      "20 chunks in DynamoDB",
      async () => ((await chunkCount()) >= 20 ? true : undefined),
      60_000,
    );
    const expectQueue = (q: number) => Array.from({ length: 700 }, (_, i) => `m${2 * i + q}`);
    expect((await pullAll(client, brokerAddr, topic, 0)).map((m) => nameOf(m.body))).toEqual(expectQueue(0));
    const admin = new AdminClient({ namesrvAddr: first.addr });
    try {
      const byKey = await admin.queryMessage(topic, "key-1");
      expect(byKey.messages.map((m) => nameOf(m.message.body))).toEqual(["m1"]);
    } finally {
      admin.close();
    }
    await first.stop();
    running.splice(running.indexOf(first), 1);
    removeDir(join(cloud.dataDir, "broker"));

    const second = await dev();
    const addr2 = second.brokerAddr as string;
    expect((await pullAll(client, addr2, topic, 0)).map((m) => nameOf(m.body))).toEqual(expectQueue(0));
    expect((await pullAll(client, addr2, topic, 1)).map((m) => nameOf(m.body))).toEqual(expectQueue(1));
    const next = await sendV2(client, addr2, topic, 1, bodyFor(1400));
    expect(next.extFields.queueOffset).toBe("700");
    await second.stop();
    running.splice(running.indexOf(second), 1);
  }, 240_000);

  it("objectStore mode loses no acknowledged send to SIGKILL plus a lost disk", async () => {
    const topic = "AwsObjectStore";
    const d = await dev(`${CONF}\nflushDiskType=objectStore`);
    const acked = new Map<string, string>();
    let stop = false;
    const sender = async (s: number) => {
      for (let seq = 0; !stop; seq++) {
        const queueId = (s + seq) % 4;
        const body = Buffer.concat([Buffer.from(`s${s}-${seq}|`), Buffer.alloc(500, seq & 0xff)]);
        const r = await sendV2(client, d.brokerAddr as string, topic, queueId, body, {}, 5000).catch(
          () => undefined,
        );
        if (r?.code === 0) acked.set(`s${s}-${seq}`, `${queueId}/${r.extFields.queueOffset}`);
      }
    };
    const senders = Array.from({ length: 8 }, (_, s) => sender(s));
    await new Promise((r) => setTimeout(r, 3000));
    await d.kill();
    running.splice(running.indexOf(d), 1);
    stop = true;
    await Promise.all(senders);
    expect(acked.size).toBeGreaterThan(50);
    removeDir(join(cloud.dataDir, "broker"));

    const again = await dev();
    const served = new Map<string, string>();
    for (let q = 0; q < 4; q++)
      for (const m of await pullAll(client, again.brokerAddr as string, topic, q))
        served.set(nameOf(m.body), `${q}/${m.queueOffset}`);
    expect([...acked].filter(([name, where]) => served.get(name) !== where)).toEqual([]);
  }, 240_000);
});
