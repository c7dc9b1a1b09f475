/**
 * The typed record helpers over a MetadataStore: run inside the MetadataStore contract, so against every
 * implementation. Names are random per test (a brokerName or cluster nobody else uses).
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../lib/common/clock.js";
import { isStratusError } from "../../lib/common/errors.js";
import type { MetadataStore } from "../../lib/ports/metadata-store.js";
import {
  deleteTopicConfig,
  getSubscriptionGroup,
  getTopicConfig,
  getTopicRoute,
  listSubscriptionGroups,
  listTopicConfigs,
  publishTopicRoutes,
  putSubscriptionGroup,
  putTopicConfig,
} from "../../lib/ports/records/broker-configs.js";
import {
  acquireBrokerLease,
  type BrokerLease,
  brokerLeaseKey,
  listLiveBrokerLeases,
  releaseBrokerLease,
  renewBrokerLease,
} from "../../lib/ports/records/broker-leases.js";
import {
  type ConsumerOffset,
  deleteConsumerOffsets,
  listConsumerOffsets,
  writeConsumerOffsets,
} from "../../lib/ports/records/consumer-offsets.js";
import {
  commitTierChunk,
  deleteTierChunk,
  findTierChunk,
  getTierManifestHead,
  listTierChunks,
  type TierChunk,
  tierChunkKey,
} from "../../lib/ports/records/tier-manifest.js";
import type { TopicConfig } from "../../lib/protocol/topic-config.js";

const TTL_MS = 30_000;

function name(kind: string): string {
  return `${kind}-${randomBytes(4).toString("hex")}`;
}

function lease(clusterName: string, brokerName: string, brokerId: number, instanceId: string): BrokerLease {
  return {
    clusterName,
    brokerName,
    brokerId,
    brokerAddr: `127.0.0.1:${10911 + brokerId}`,
    haServerAddr: `127.0.0.1:${10912 + brokerId}`,
    enableActingMaster: false,
    instanceId,
    dataVersion: { timestamp: 1_700_000_000_000, counter: 3, stateVersion: 0 },
  };
}

function topicConfig(topicName: string, queues: number): TopicConfig {
  return {
    topicName,
    readQueueNums: queues,
    writeQueueNums: queues,
    perm: 6,
    topicFilterType: "SINGLE_TAG",
    topicSysFlag: 0,
    order: false,
    attributes: { "+message.type": "NORMAL" },
  };
}

function chunk(startOffset: number, endOffset: number): TierChunk {
  return {
    startOffset,
    endOffset,
    segmentBaseOffset: 0,
    objectKey: `tier/${startOffset}`,
    sizeBytes: endOffset - startOffset,
    createdAtMs: 1_700_000_000_000,
    details: { cq: `cq/${startOffset}` },
  };
}

export function describeMetadataRecordsContract(storeOf: () => MetadataStore): void {
  describe("broker leases", () => {
    it("lists a registered broker as live until its lease lapses on the clock", async () => {
      const store = storeOf();
      const clock = new ManualClock();
      const cluster = name("cluster");
      const a = await acquireBrokerLease(store, clock, lease(cluster, "broker-a", 0, "p1"), TTL_MS);
      expect(a).toMatchObject({ ok: true, version: 1, expiresAtMs: clock.nowMs() + TTL_MS });
      await acquireBrokerLease(store, clock, lease(cluster, "broker-a", 1, "p2"), TTL_MS * 2);
      expect((await listLiveBrokerLeases(store, clock, cluster)).map((l) => l.lease.brokerId)).toEqual([
        0, 1,
      ]);
      clock.advance(TTL_MS);
      const live = await listLiveBrokerLeases(store, clock, cluster);
      expect(live.map((l) => [l.lease.brokerId, l.lease.instanceId])).toEqual([[1, "p2"]]);
      expect(live[0]?.lease.dataVersion).toEqual({
        timestamp: 1_700_000_000_000,
        counter: 3,
        stateVersion: 0,
      });
    });

    it("keeps a live lease from a second process and hands a lapsed one over", async () => {
      const store = storeOf();
      const clock = new ManualClock();
      const cluster = name("cluster");
      const first = lease(cluster, "b", 0, "first");
      const second = lease(cluster, "b", 0, "second");
      const held = await acquireBrokerLease(store, clock, first, TTL_MS);
      expect(held.ok).toBe(true);
      const refused = await acquireBrokerLease(store, clock, second, TTL_MS);
      expect(refused).toMatchObject({
        ok: false,
        reason: "HELD",
        holder: { lease: { instanceId: "first" } },
      });
      clock.advance(TTL_MS + 1);
      const takeover = await acquireBrokerLease(store, clock, second, TTL_MS);
      expect(takeover).toMatchObject({ ok: true, version: 2 });
      // The first process's renewal now fails: it learns it lost the lease.
      expect(await renewBrokerLease(store, clock, first, 1, TTL_MS)).toEqual({
        ok: false,
        reason: "CONDITION_FAILED",
      });
      expect((await listLiveBrokerLeases(store, clock, cluster)).map((l) => l.lease.instanceId)).toEqual([
        "second",
      ]);
    });

    it("extends a lease on renewal and forgets it on release", async () => {
      const store = storeOf();
      const clock = new ManualClock();
      const cluster = name("cluster");
      const l = lease(cluster, "b", 0, "p");
      const held = await acquireBrokerLease(store, clock, l, TTL_MS);
      if (!held.ok) throw new Error("not acquired");
      clock.advance(TTL_MS - 1);
      const renewed = await renewBrokerLease(
        store,
        clock,
        { ...l, brokerAddr: "10.0.0.9:10911" },
        held.version,
        TTL_MS,
      );
      expect(renewed).toMatchObject({ ok: true, version: 2 });
      clock.advance(TTL_MS - 1);
      const live = await listLiveBrokerLeases(store, clock, cluster);
      expect(live.map((x) => x.lease.brokerAddr)).toEqual(["10.0.0.9:10911"]);
      expect((await releaseBrokerLease(store, l, 2)).ok).toBe(true);
      expect(await listLiveBrokerLeases(store, clock, cluster)).toEqual([]);
    });

    it("reports a stored lease that is not a lease as STORE_CORRUPT", async () => {
      const store = storeOf();
      const clock = new ManualClock();
      const cluster = name("cluster");
      await store.putIfAbsent(
        brokerLeaseKey(cluster, "b", 0),
        { brokerName: 7 },
        { expiresAtMs: clock.nowMs() + 1 },
      );
      const e = await listLiveBrokerLeases(store, clock, cluster).catch((err: unknown) => err);
      expect(isStratusError(e, "STORE_CORRUPT")).toBe(true);
    });

    it("lets exactly one of racing processes take a free lease", async () => {
      const store = storeOf();
      const clock = new ManualClock();
      const cluster = name("cluster");
      const outcomes = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          acquireBrokerLease(store, clock, lease(cluster, "b", 0, `p${i}`), TTL_MS),
        ),
      );
      expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    });
  });

  describe("topic configs, subscription groups and routes", () => {
    it("stores a broker's topic configs with conditional updates", async () => {
      const store = storeOf();
      const broker = name("broker/with slash");
      expect(await putTopicConfig(store, broker, topicConfig("TopicB", 4), "absent")).toEqual({
        ok: true,
        version: 1,
      });
      expect((await putTopicConfig(store, broker, topicConfig("TopicB", 9), "absent")).ok).toBe(false);
      expect((await putTopicConfig(store, broker, topicConfig("TopicB", 8), 1)).ok).toBe(true);
      await putTopicConfig(store, broker, topicConfig("%RETRY%group_1", 1), "absent");
      expect(await getTopicConfig(store, broker, "TopicB")).toEqual({
        value: topicConfig("TopicB", 8),
        version: 2,
      });
      expect((await listTopicConfigs(store, broker)).map((t) => t.value.topicName)).toEqual([
        "%RETRY%group_1",
        "TopicB",
      ]);
      expect((await deleteTopicConfig(store, broker, "TopicB", 1)).ok).toBe(false);
      expect((await deleteTopicConfig(store, broker, "TopicB", 2)).ok).toBe(true);
      expect(await getTopicConfig(store, broker, "TopicB")).toBeUndefined();
    });

    it("stores subscription groups per broker", async () => {
      const store = storeOf();
      const broker = name("broker");
      const group = { groupName: "G1", retryMaxTimes: 16, consumeEnable: true };
      expect((await putSubscriptionGroup(store, broker, group, "absent")).ok).toBe(true);
      expect((await putSubscriptionGroup(store, broker, { ...group, retryMaxTimes: 3 }, 1)).ok).toBe(true);
      expect(await getSubscriptionGroup(store, broker, "G1")).toEqual({
        value: { ...group, retryMaxTimes: 3 },
        version: 2,
      });
      expect(await listSubscriptionGroups(store, name("other"))).toEqual([]);
      expect((await listSubscriptionGroups(store, broker)).map((g) => g.value.groupName)).toEqual(["G1"]);
    });

    it("answers a topic's route from every broker that published it", async () => {
      const store = storeOf();
      const topic = name("Topic");
      const qd = (brokerName: string, n: number) => ({
        brokerName,
        readQueueNums: n,
        writeQueueNums: n,
        perm: 6,
        topicSysFlag: 0,
      });
      await publishTopicRoutes(store, "broker-b", [{ topic, queueData: qd("broker-b", 8) }]);
      await publishTopicRoutes(store, "broker-a", [
        { topic, queueData: qd("broker-a", 4) },
        { topic: `${topic}-other`, queueData: qd("broker-a", 2) },
      ]);
      expect(await getTopicRoute(store, topic)).toEqual([qd("broker-a", 4), qd("broker-b", 8)]);
      await publishTopicRoutes(store, "broker-b", [], [topic]);
      expect(await getTopicRoute(store, topic)).toEqual([qd("broker-a", 4)]);
      expect(await getTopicRoute(store, name("Unknown"))).toEqual([]);
    });
  });

  describe("consumer offsets", () => {
    it("writes offsets in batches and reads them back per broker and per group", async () => {
      const store = storeOf();
      const broker = name("broker");
      const offsets: ConsumerOffset[] = [];
      for (let g = 0; g < 3; g++)
        for (let t = 0; t < 5; t++)
          for (let q = 0; q < 16; q++)
            offsets.push({ group: `g/${g}`, topic: `T${t}`, queueId: q, offset: g * 1000 + q });
      await writeConsumerOffsets(store, broker, offsets);
      const all = await listConsumerOffsets(store, broker);
      expect(all).toHaveLength(240);
      expect(new Set(all.map((o) => JSON.stringify(o)))).toEqual(
        new Set(offsets.map((o) => JSON.stringify(o))),
      );
      const g1 = await listConsumerOffsets(store, broker, "g/1");
      expect(g1).toHaveLength(80);
      expect(g1.every((o) => o.group === "g/1")).toBe(true);
      expect(g1.slice(0, 3).map((o) => o.queueId)).toEqual([0, 1, 2]);
    });

    it("keeps the last offset written for a queue, even a smaller one (an admin reset)", async () => {
      const store = storeOf();
      const broker = name("broker");
      const q = { group: "G", topic: "T", queueId: 10 };
      await writeConsumerOffsets(store, broker, [{ ...q, offset: 500 }]);
      await writeConsumerOffsets(store, broker, [
        { ...q, offset: 700 },
        { ...q, offset: 42 },
      ]);
      expect(await listConsumerOffsets(store, broker, "G")).toEqual([{ ...q, offset: 42 }]);
      await deleteConsumerOffsets(store, broker, [q]);
      expect(await listConsumerOffsets(store, broker, "G")).toEqual([]);
    });
  });

  describe("tier manifest", () => {
    it("reports a chunk record with a field missing as STORE_CORRUPT", async () => {
      const store = storeOf();
      const broker = name("broker");
      const { objectKey: _, ...partial } = chunk(0, 10);
      await store.putIfAbsent(tierChunkKey(broker, 0), partial);
      const e = await findTierChunk(store, broker, 5).catch((err: unknown) => err);
      expect(isStratusError(e, "STORE_CORRUPT") && e.message).toContain("objectKey");
    });

    it("commits chunks with the head, lists them in offset order and finds the chunk of an offset", async () => {
      const store = storeOf();
      const broker = name("broker");
      let headVersion: "absent" | number = "absent";
      for (let i = 0; i < 12; i++) {
        const c = chunk(i * 1000, i * 1000 + 1000);
        const head = { committedOffset: c.endOffset, chunkCount: i + 1, details: {} };
        const outcome = await commitTierChunk(store, broker, c, head, headVersion);
        if (!outcome.ok) throw new Error(`chunk ${i} not committed`);
        headVersion = outcome.version;
      }
      expect(await getTierManifestHead(store, broker)).toEqual({
        value: { committedOffset: 12_000, chunkCount: 12, details: {} },
        version: 12,
      });
      const first = await listTierChunks(store, broker, { limit: 5 });
      expect(first.chunks.map((c) => c.startOffset)).toEqual([0, 1000, 2000, 3000, 4000]);
      const next = await listTierChunks(store, broker, { limit: 100, cursor: first.cursor });
      expect(next.chunks.map((c) => c.startOffset)).toEqual([5000, 6000, 7000, 8000, 9000, 10_000, 11_000]);
      const from = await listTierChunks(store, broker, { fromOffset: 9500 });
      expect(from.chunks.map((c) => c.startOffset)).toEqual([10_000, 11_000]);
      expect(await findTierChunk(store, broker, 0)).toEqual(chunk(0, 1000));
      expect((await findTierChunk(store, broker, 4999))?.startOffset).toBe(4000);
      expect((await findTierChunk(store, broker, 5000))?.startOffset).toBe(5000);
      expect(await findTierChunk(store, broker, 12_000)).toBeUndefined();
      expect(await findTierChunk(store, name("none"), 10)).toBeUndefined();
    });

    it("refuses a chunk recorded twice or a head moved from a stale version", async () => {
      const store = storeOf();
      const broker = name("broker");
      const head = (n: number) => ({ committedOffset: n, chunkCount: 1, details: {} });
      expect(await commitTierChunk(store, broker, chunk(0, 10), head(10), "absent")).toEqual({
        ok: true,
        version: 1,
      });
      expect((await commitTierChunk(store, broker, chunk(0, 10), head(10), 1)).ok).toBe(false);
      expect((await commitTierChunk(store, broker, chunk(10, 20), head(20), "absent")).ok).toBe(false);
      expect((await listTierChunks(store, broker)).chunks.map((c) => c.startOffset)).toEqual([0]);
      expect((await deleteTierChunk(store, broker, 0)).ok).toBe(true);
      expect(await findTierChunk(store, broker, 5)).toBeUndefined();
    });

    it("lets exactly one of racing uploaders commit the next chunk", async () => {
      const store = storeOf();
      const broker = name("broker");
      await commitTierChunk(
        store,
        broker,
        chunk(0, 100),
        { committedOffset: 100, chunkCount: 1, details: {} },
        "absent",
      );
      const outcomes = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          commitTierChunk(
            store,
            broker,
            chunk(100, 200 + i),
            { committedOffset: 200 + i, chunkCount: 2, details: { uploader: i } },
            1,
          ),
        ),
      );
      expect(outcomes.filter((o) => o.ok)).toEqual([{ ok: true, version: 2 }]);
      expect((await listTierChunks(store, broker)).chunks).toHaveLength(2);
    });
  });
}
