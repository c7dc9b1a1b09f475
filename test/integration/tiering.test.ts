/**
 * Tiering over real processes (`stratus dev` on its embedded cloud, D/cloud): history served from the object
 * store once local retention dropped it, a broker whose disk (D/broker) was deleted while stopped serving all
 * history with its offsets, and objectStore durability surviving SIGKILL plus the loss of the disk.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { AdminClient } from "../../lib/client/admin-client.js";
import { SqliteMetadataStore } from "../../lib/ports/embedded/sqlite-metadata-store.js";
import { listTierChunks } from "../../lib/ports/records/tier-manifest.js";
import { createRequest, type RemotingCommand } from "../../lib/protocol/remoting-command.js";
import { RequestCode } from "../../lib/protocol/request-code.js";
import { RemotingClient } from "../../lib/remoting/client.js";
import { pullAll, sendV2 } from "./raw-client.js";
import { removeDir, type StratusDev, startStratusDev } from "./stratus-process.js";

/** Segments and chunks of 64 KiB; local retention keeps one segment (about one chunk). */
const TIERED_CONF = [
  "mappedFileSizeCommitLog=65536",
  "tierChunkBytes=65536",
  "tierChunkMaxAgeMs=200",
  "tierLocalRetentionBytes=65536",
  "drainTimeoutMs=20000",
].join("\n");

const client = new RemotingClient();
const running: StratusDev[] = [];
const dirs = new Set<string>();

async function dev(conf: string, dataDir?: string): Promise<StratusDev> {
  const d = await startStratusDev({ brokerConf: `${conf}\n`, ...(dataDir ? { dataDir } : {}) });
  running.push(d);
  dirs.add(d.dataDir);
  return d;
}

afterEach(async () => {
  for (const d of running.splice(0)) if (d.child.exitCode === null) await d.stop();
});

afterAll(() => {
  client.close();
  for (const d of dirs) removeDir(d);
});

async function chunkCount(dataDir: string): Promise<number> {
  const md = new SqliteMetadataStore(join(dataDir, "cloud", "metadata.sqlite"));
  try {
    let n = 0;
    let cursor: string | undefined;
    do {
      const page = await listTierChunks(md, "broker-a", { cursor });
      n += page.chunks.length;
      cursor = page.cursor;
    } while (cursor);
    return n;
  } finally {
    await md.close();
  }
}

async function until(cond: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const nameOf = (body: Buffer) => body.toString("latin1").split("|")[0] as string;
const bodyFor = (i: number) => Buffer.concat([Buffer.from(`m${i}|`), Buffer.alloc(1000, i & 0xff)]);

function offsetRequest(code: number, ext: Record<string, string>): RemotingCommand {
  return createRequest(code, ext);
}

describe("tiered history over a real broker", () => {
  it("serves every message from offset 0 once 20+ chunks left local disk, and finds them by key and id", async () => {
    const d = await dev(TIERED_CONF);
    const topic = "TieredHistory";
    const sent: { name: string; queueId: number; queueOffset: number; msgId: string }[] = [];
    for (let i = 0; i < 1600; i++) {
      const queueId = i % 4;
      const r = await sendV2(client, d.brokerAddr, topic, queueId, bodyFor(i), { KEYS: `key-${i}` });
      expect(r.code).toBe(0);
      sent.push({
        name: `m${i}`,
        queueId,
        queueOffset: Number(r.extFields.queueOffset),
        msgId: r.extFields.msgId as string,
      });
    }
    await until(async () => (await chunkCount(d.dataDir)) >= 20, 30_000, "20 chunks in the manifest");
    await until(
      () => readdirSync(join(d.dataDir, "broker", "commitlog")).length <= 2,
      30_000,
      "local retention",
    );
    for (let q = 0; q < 4; q++) {
      const msgs = await pullAll(client, d.brokerAddr, topic, q);
      const expected = sent.filter((s) => s.queueId === q);
      expect(msgs.map((m) => m.queueOffset)).toEqual(expected.map((s) => s.queueOffset));
      expect(msgs.map((m) => nameOf(m.body))).toEqual(expected.map((s) => s.name));
    }
    const admin = new AdminClient({ namesrvAddr: d.namesrvAddr });
    try {
      const byKey = await admin.queryMessage(topic, "key-3");
      expect(byKey.messages.map((m) => nameOf(m.message.body))).toEqual(["m3"]);
      const first = sent[0] as (typeof sent)[number];
      const byId = await admin.viewMessage(first.msgId);
      expect(byId && nameOf(byId.body)).toBe("m0");
    } finally {
      admin.close();
    }
  }, 120_000);
});

describe("stateless restart", () => {
  it("serves all history and the group's offsets after D/broker is deleted while stopped", async () => {
    const topic = "LostDisk";
    const first = await dev(TIERED_CONF);
    for (let i = 0; i < 300; i++)
      expect((await sendV2(client, first.brokerAddr, topic, i % 2, bodyFor(i))).code).toBe(0);
    const update = await client.invoke(
      first.brokerAddr,
      offsetRequest(RequestCode.UPDATE_CONSUMER_OFFSET, {
        consumerGroup: "LostDiskGroup",
        topic,
        queueId: "0",
        commitOffset: "77",
      }),
      5000,
    );
    expect(update.code).toBe(0);
    expect(await first.stop()).toBe(0);
    removeDir(join(first.dataDir, "broker"));

    const second = await dev(TIERED_CONF, first.dataDir);
    const q0 = await pullAll(client, second.brokerAddr, topic, 0);
    const q1 = await pullAll(client, second.brokerAddr, topic, 1);
    expect(q0.map((m) => nameOf(m.body))).toEqual(Array.from({ length: 150 }, (_, i) => `m${2 * i}`));
    expect(q1.map((m) => nameOf(m.body))).toEqual(Array.from({ length: 150 }, (_, i) => `m${2 * i + 1}`));
    const offset = await client.invoke(
      second.brokerAddr,
      offsetRequest(RequestCode.QUERY_CONSUMER_OFFSET, {
        consumerGroup: "LostDiskGroup",
        topic,
        queueId: "0",
      }),
      5000,
    );
    expect(offset.extFields.offset).toBe("77");
    const next = await sendV2(client, second.brokerAddr, topic, 0, bodyFor(300));
    expect(next.extFields.queueOffset).toBe("150");
  }, 120_000);
});

describe("drain on SIGTERM", () => {
  it("uploads the partial chunk the age and size limits have not cut yet before exiting", async () => {
    const topic = "DrainOnStop";
    const conf = "tierChunkBytes=8388608\ntierChunkMaxAgeMs=600000\ndrainTimeoutMs=20000";
    const first = await dev(conf);
    for (let i = 0; i < 50; i++)
      expect((await sendV2(client, first.brokerAddr, topic, 0, bodyFor(i))).code).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(await chunkCount(first.dataDir)).toBe(0);
    expect(await first.stop()).toBe(0);
    expect(await chunkCount(first.dataDir)).toBeGreaterThan(0);
    removeDir(join(first.dataDir, "broker"));
    const second = await dev(conf, first.dataDir);
    const msgs = await pullAll(client, second.brokerAddr, topic, 0);
    expect(msgs.map((m) => nameOf(m.body))).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
  }, 120_000);
});

describe("objectStore durability", () => {
  it("serves every acknowledged message after SIGKILL and the loss of the broker's disk", async () => {
    const topic = "ObjectStoreDurable";
    const d = await dev(`${TIERED_CONF}\nflushDiskType=objectStore\ntierCommitLingerMs=5`);
    const acked = new Map<string, string>();
    let stop = false;
    const sender = async (s: number) => {
      for (let seq = 0; !stop; seq++) {
        const queueId = (s + seq) % 4;
        const body = Buffer.concat([Buffer.from(`s${s}-${seq}|`), Buffer.alloc(500, seq & 0xff)]);
        const r = await sendV2(client, d.brokerAddr, topic, queueId, body, {}, 3000).catch(() => undefined);
        if (r?.code === 0) acked.set(`s${s}-${seq}`, `${queueId}/${r.extFields.queueOffset}`);
      }
    };
    const senders = Array.from({ length: 8 }, (_, s) => sender(s));
    await new Promise((r) => setTimeout(r, 2500));
    await d.kill();
    stop = true;
    await Promise.all(senders);
    expect(acked.size).toBeGreaterThan(100);
    removeDir(join(d.dataDir, "broker"));

    const again = await dev(TIERED_CONF, d.dataDir);
    const served = new Map<string, string>();
    for (let q = 0; q < 4; q++)
      for (const m of await pullAll(client, again.brokerAddr, topic, q))
        served.set(nameOf(m.body), `${q}/${m.queueOffset}`);
    const lost = [...acked].filter(([name, where]) => served.get(name) !== where);
    expect(lost).toEqual([]);
  }, 120_000);
});
