/**
 * Tiering end to end inside one process: a DefaultMessageStore with a TierService over the embedded ports
 * (files + SQLite). Chunks are 16 KiB, CommitLog segments 64 KiB, local retention one segment.
 */
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../lib/common/clock.js";
import { listTierChunks } from "../../lib/ports/records/tier-manifest.js";
import { decodeMessageRecord } from "../../lib/protocol/message-record.js";
import type { DefaultMessageStore } from "../../lib/store/default-message-store.js";
import { msg } from "../store/store-fixtures.js";
import { eventually, SEG, tierSandbox } from "./tier-fixtures.js";

const box = tierSandbox();
const tiered = box.tiered;

const body = (i: number) => Buffer.concat([Buffer.from(`m${i}|`), Buffer.alloc(5000, i & 0xff)]);

async function send(s: DefaultMessageStore, from: number, n: number, queueId = 0) {
  for (let i = from; i < from + n; i++) {
    const r = await s.putMessage(msg({ body: body(i), keys: `k${i}`, queueId }));
    expect(r.status).toBe("PUT_OK");
  }
}

/** Every message of queue 0 from offset 0, checking each one's queue offset. */
async function readAll(s: DefaultMessageStore, queueId = 0): Promise<string[]> {
  const out: string[] = [];
  let offset = 0;
  for (let guard = 0; guard < 10_000; guard++) {
    const r = await s.getMessageAsync("TopicTest", queueId, offset, 5, 1 << 20);
    for (const rec of r.messages) {
      const m = decodeMessageRecord(rec);
      expect(m.queueOffset).toBe(out.length);
      out.push(m.body.toString("latin1").split("|")[0] as string);
    }
    if (r.nextBeginOffset >= r.maxOffset) break;
    if (r.status !== "FOUND" && r.nextBeginOffset === offset)
      throw new Error(`stuck at ${offset}: ${r.status}`);
    offset = r.nextBeginOffset;
  }
  return out;
}

const names = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `m${from + i}`);

async function manifest(brokerName = "broker-t") {
  return (await listTierChunks(box.cloud.metadata, brokerName, { limit: 1000 })).chunks;
}

describe("upload and local retention", () => {
  it("uploads 20+ chunks, keeps one segment locally and serves every message from offset 0", async () => {
    const t = await tiered("a");
    await send(t.store, 0, 100);
    await eventually(() => t.tier.status().pendingBytes < 16 * 1024);
    expect(t.tier.status().chunks).toBeGreaterThanOrEqual(20);
    expect((await manifest()).length).toBe(t.tier.status().chunks);
    await t.store.flush();
    t.store.runRetention();
    expect(t.store.getMaxPhyOffset() - t.store.getMinPhyOffset()).toBeLessThanOrEqual(2 * SEG);
    expect(t.store.getMinPhyOffset()).toBeGreaterThan(0);
    expect(t.store.getMinOffsetInQueue("TopicTest", 0)).toBe(0);
    expect(await readAll(t.store)).toEqual(names(100));
  });

  it("finds tiered messages by key and by CommitLog offset", async () => {
    const t = await tiered("a");
    const first = await t.store.putMessage(msg({ body: body(0), keys: "the-first" }));
    await send(t.store, 1, 60);
    await eventually(() => t.tier.status().pendingBytes < 16 * 1024);
    await t.store.flush();
    t.store.runRetention();
    const phy = first.appended[0]?.wroteOffset as number;
    expect(t.store.lookMessageByOffset(phy)).toBeUndefined();
    const rec = await t.store.lookMessageByOffsetAsync(phy);
    expect(decodeMessageRecord(rec as Buffer).properties.get("KEYS")).toBe("the-first");
    const byKey = await t.store.queryMessageAsync("TopicTest", "the-first", 32, 0, Number.MAX_SAFE_INTEGER);
    expect(byKey.messages.map((m) => decodeMessageRecord(m).commitLogOffset)).toEqual([phy]);
    const uniq = decodeMessageRecord(rec as Buffer).properties.get("UNIQ_KEY");
    expect(uniq).toBeUndefined();
    expect(
      (await t.store.queryMessageAsync("TopicTest", "k5", 32, 0, Number.MAX_SAFE_INTEGER)).messages,
    ).toHaveLength(1);
    expect(await t.store.lookMessageByOffsetAsync(phy + 1)).toBeUndefined();
  });

  it("uploads a partial chunk once its oldest byte is tierChunkMaxAgeMs old", async () => {
    const t = await tiered("a", { tier: { chunkMaxAgeMs: 100 } });
    await t.store.putMessage(msg({ body: "small" }));
    expect(t.tier.status().chunks).toBe(0);
    await eventually(() => t.tier.status().chunks === 1);
    expect(t.tier.status().pendingBytes).toBe(0);
  });

  it("reads tiered history with range reads, read-ahead and a bounded cache", async () => {
    const t = await tiered("a", {
      store: { mappedFileSizeCommitLog: 512 * 1024, maxCommitLogBytes: 512 * 1024 },
      tier: { chunkBytes: 256 * 1024, readCacheBytes: 2 * 1024 * 1024 },
    });
    await send(t.store, 0, 400);
    expect(await t.tier.drain(5000)).toBe(true);
    await t.store.flush();
    t.store.runRetention();
    expect(t.store.getMinPhyOffset()).toBeGreaterThan(0);
    const chunks = t.tier.status().chunks;
    const before = box.cloud.objects.gets;
    const first = await t.store.getMessageAsync("TopicTest", 0, 0, 5, 1 << 20);
    expect(first.messages).toHaveLength(5);
    // the chunk's index, its first block, and read-ahead into the next chunk
    await eventually(() => box.cloud.objects.gets - before >= 3);
    expect(await readAll(t.store)).toEqual(names(400));
    // 80 pulls of 5 messages; each chunk costs its index and one block
    expect(box.cloud.objects.gets - before).toBeLessThanOrEqual(2 * chunks + 2);
    expect(t.tier.reader.cacheStats().bytes).toBeLessThanOrEqual(2 * 1024 * 1024);
  });
});

describe("stateless restart", () => {
  it("rebuilds queues from the manifest on an empty disk, serves all history and continues the offsets", async () => {
    const a = await tiered("a");
    await send(a.store, 0, 40);
    await send(a.store, 0, 7, 1);
    expect(await a.tier.drain(5000)).toBe(true);
    await a.close();
    const b = await tiered("replacement");
    expect(b.store.getMinOffsetInQueue("TopicTest", 0)).toBe(0);
    expect(b.store.getMaxOffsetInQueue("TopicTest", 0)).toBe(40);
    expect(b.store.getMaxOffsetInQueue("TopicTest", 1)).toBe(7);
    expect(b.store.getTopicQueueTable().get("TopicTest")).toEqual([0, 1]);
    expect(await readAll(b.store)).toEqual(names(40));
    const r = await b.store.putMessage(msg({ body: body(40) }));
    expect(r.appended[0]?.queueOffset).toBe(40);
    expect(await readAll(b.store)).toEqual(names(41));
    expect(await b.tier.drain(5000)).toBe(true);
    await b.close();
    const c = await tiered("third");
    expect(await readAll(c.store)).toEqual(names(41));
  });
});

describe("faults", () => {
  it("keeps taking sends within the budget while the object store is down, then refuses; uploads the backlog", async () => {
    const t = await tiered("a", { tier: { localBudgetBytes: 100 * 1024 } });
    await send(t.store, 0, 10);
    await eventually(() => t.tier.status().pendingBytes < 16 * 1024);
    box.cloud.objects.down = true;
    let accepted = 10;
    let refused: string | undefined;
    for (let i = 10; i < 200 && !refused; i++) {
      const r = await t.store.putMessage(msg({ body: body(i), keys: `k${i}` }));
      if (r.status === "PUT_OK") accepted++;
      else refused = r.remark;
    }
    expect(refused).toMatch(/TIER_BACKLOG_FULL.*tierLocalBudgetBytes=102400.*OBJECT_STORE_UNAVAILABLE/);
    expect(accepted).toBeGreaterThan(20);
    await t.store.flush();
    t.store.runRetention();
    // nothing not yet uploaded was deleted locally
    expect(t.store.getMinPhyOffset()).toBeLessThanOrEqual(t.tier.status().committedOffset);
    box.cloud.objects.down = false;
    await eventually(() => t.tier.status().pendingBytes < 16 * 1024, 15_000);
    expect((await t.store.putMessage(msg({ body: body(accepted), keys: "x" }))).status).toBe("PUT_OK");
    accepted++;
    expect(await t.tier.drain(5000)).toBe(true);
    expect(t.warnings.some((w) => w.includes("retry"))).toBe(true);
    await t.close();
    const b = await tiered("fresh");
    expect(await readAll(b.store)).toEqual(names(accepted));
  });

  it("retries manifest commits while the MetadataStore is down", async () => {
    const t = await tiered("a");
    box.cloud.metadata.down = true;
    await send(t.store, 0, 20);
    await new Promise((r) => setTimeout(r, 300));
    expect(t.tier.status().lastError).toMatch(/METADATA_UNAVAILABLE/);
    expect(t.tier.status().chunks).toBe(0);
    box.cloud.metadata.down = false;
    expect(await t.tier.drain(10_000)).toBe(true);
    expect((await manifest()).length).toBe(t.tier.status().chunks);
  });

  it("gives up draining after the timeout while the object store is down, keeping the data local", async () => {
    const t = await tiered("a", { tier: { chunkMaxAgeMs: 600_000 } });
    await send(t.store, 0, 2);
    box.cloud.objects.down = true;
    const started = Date.now();
    expect(await t.tier.drain(300)).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(t.tier.status().pendingBytes).toBeGreaterThan(0);
    expect(t.store.getMinPhyOffset()).toBe(0);
    box.cloud.objects.down = false;
    expect(await t.tier.drain(5000)).toBe(true);
  });

  it("stops uploading (fenced) when another process commits this broker's manifest", async () => {
    const a = await tiered("a");
    const b = await tiered("b");
    await send(a.store, 0, 5);
    expect(await a.tier.drain(5000)).toBe(true);
    await b.store.putMessage(msg({ body: "another history" }));
    expect(await b.tier.drain(2000)).toBe(false);
    expect(b.tier.status().fenced).toMatch(/another broker process with the same brokerName/);
    expect(b.tier.admit()).toMatch(/tiering stopped/);
  });
});

describe("objectStore durability", () => {
  it("acknowledges a send once its chunk is committed; concurrent sends share PUTs", async () => {
    const t = await tiered("a", { store: { flushDiskType: "objectStore" }, tier: { commitLingerMs: 20 } });
    const putsBefore = box.cloud.objects.puts;
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => t.store.putMessage(msg({ body: `s${i}`, queueId: i % 4 }))),
    );
    expect(results.every((r) => r.status === "PUT_OK")).toBe(true);
    expect(box.cloud.objects.puts - putsBefore).toBeLessThan(10);
    const last = results
      .map((r) => r.appended[0])
      .reduce((a, b) => ((b?.wroteOffset ?? 0) > (a?.wroteOffset ?? 0) ? b : a));
    expect(t.tier.status().committedOffset).toBeGreaterThanOrEqual(
      (last?.wroteOffset ?? 0) + (last?.wroteBytes ?? 0),
    );
  });

  it("answers FLUSH_DISK_TIMEOUT while the object store is down", async () => {
    const t = await tiered("a", { store: { flushDiskType: "objectStore", syncFlushTimeout: 300 } });
    box.cloud.objects.down = true;
    expect((await t.store.putMessage(msg())).status).toBe("FLUSH_DISK_TIMEOUT");
    box.cloud.objects.down = false;
  });

  it("loses no acknowledged send when the broker and its disk are lost", async () => {
    const t = await tiered("a", { store: { flushDiskType: "objectStore" } });
    const acked: string[] = [];
    await Promise.all(
      Array.from({ length: 4 }, async (_, w) => {
        for (let i = 0; i < 15; i++) {
          const name = `w${w}-${i}`;
          const r = await t.store.putMessage(msg({ body: Buffer.from(`${name}|`), queueId: 0 }));
          if (r.status === "PUT_OK") acked.push(name);
        }
      }),
    );
    // the process dies: no drain, no shutdown; its disk is gone
    box.forget(t);
    await t.tier.shutdown();
    const b = await tiered("replacement", { store: { flushDiskType: "objectStore" } });
    const got = await readAll(b.store);
    expect(got.sort()).toEqual(acked.sort());
    await t.store.shutdown();
  });
});

describe("object-store retention", () => {
  it("removes chunks older than objectStoreRetentionHours from the manifest and the object store", async () => {
    const clock = new ManualClock(Date.now());
    const t = await tiered("a", {
      clock,
      tier: { objectStoreRetentionHours: 1 },
      store: { maxCommitLogBytes: 0 },
    });
    await send(t.store, 0, 30);
    await t.tier.drain(5000);
    const chunks = t.tier.status().chunks;
    clock.advance(2 * 3_600_000);
    await send(t.store, 30, 5);
    await t.tier.drain(5000);
    const removed = await t.tier.runRetention();
    expect(removed).toBe(chunks);
    expect((await manifest()).length).toBe(t.tier.status().chunks);
    const objects = await box.cloud.objects.list("tier/");
    expect(objects.objects.length).toBe(t.tier.status().chunks);
    // the local disk still has them (local retention is separate)
    expect(t.store.getMinOffsetInQueue("TopicTest", 0)).toBe(0);
  });
});
