import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type BrokerConfig, buildBrokerConfig } from "../../lib/broker/broker-config.js";
import { ConsumerOffsetManager } from "../../lib/broker/consumer-offset-manager.js";
import { metadataConfigStores } from "../../lib/broker/metadata-config-stores.js";
import {
  defaultSubscriptionGroupConfig,
  SubscriptionGroupManager,
} from "../../lib/broker/subscription-group-manager.js";
import { newTopicConfig, TopicConfigManager } from "../../lib/broker/topic-config-manager.js";
import { ManualClock } from "../../lib/common/clock.js";
import { StratusError } from "../../lib/common/errors.js";
import { SqliteMetadataStore } from "../../lib/ports/embedded/sqlite-metadata-store.js";
import type { BatchOp, MetadataStore } from "../../lib/ports/metadata-store.js";
import { getTopicConfig, putTopicConfig, topicConfigKey } from "../../lib/ports/records/broker-configs.js";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "stratus-broker-md-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function brokerConfig(brokerName = "broker-a"): BrokerConfig {
  return buildBrokerConfig("test", [
    ["storePathRootDir", tempDir()],
    ["brokerName", brokerName],
  ]).config;
}

/** The three managers of one broker process over `store`, loaded. */
async function brokerOver(store: MetadataStore, brokerName = "broker-a", log: string[] = []) {
  const config = brokerConfig(brokerName);
  const stores = metadataConfigStores(store, brokerName, (line) => log.push(line));
  const topics = new TopicConfigManager(config, new ManualClock(), stores.topics);
  const groups = new SubscriptionGroupManager(config, stores.groups);
  const offsets = new ConsumerOffsetManager(config, stores.offsets);
  await topics.load();
  await groups.load();
  await offsets.load();
  return {
    topics,
    groups,
    offsets,
    stores,
    async stop() {
      await topics.flush();
      await groups.flush();
      await offsets.shutdown();
      stores.close();
    },
  };
}

/** Wraps a store so that its writes fail while `down`, and counts batch writes. */
function controllable(inner: MetadataStore) {
  const state = { down: false, batches: [] as BatchOp[][] };
  const store = Object.create(inner) as MetadataStore;
  const guard =
    <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      if (state.down) throw new StratusError("METADATA_UNAVAILABLE", "store down (test)");
      return f.apply(inner, a);
    };
  store.putIfAbsent = guard(inner.putIfAbsent);
  store.putIfVersion = guard(inner.putIfVersion);
  store.deleteIfVersion = guard(inner.deleteIfVersion);
  store.batchWrite = guard(async (ops: readonly BatchOp[]) => {
    state.batches.push([...ops]);
    return inner.batchWrite(ops);
  });
  return { store, state };
}

describe("metadataConfigStores", () => {
  it("gives a replacement broker with the same brokerName the same topics, permissions, groups and offsets", async () => {
    const path = join(tempDir(), "metadata.sqlite");
    const first = new SqliteMetadataStore(path);
    const a = await brokerOver(first);
    a.topics.update({ ...newTopicConfig("Orders", 8, 4), attributes: { "+message.type": "NORMAL" } });
    a.topics.createTopicIfAbsent("%RETRY%G1", 1);
    a.topics.update(newTopicConfig("Gone"));
    a.topics.delete("Gone");
    a.groups.update({ ...defaultSubscriptionGroupConfig("G1"), retryMaxTimes: 3, consumeEnable: false });
    a.offsets.commitOffset("G1", "Orders", 5, 1234);
    a.offsets.commitOffset("G1", "Orders", 6, 99);
    await a.stop();
    await first.close();

    const second = new SqliteMetadataStore(path);
    const b = await brokerOver(second);
    expect(b.topics.select("Orders")).toEqual({
      ...newTopicConfig("Orders", 8, 4),
      attributes: { "+message.type": "NORMAL" },
    });
    expect(b.topics.select("%RETRY%G1")?.perm).toBe(6);
    expect(b.topics.select("Gone")).toBeUndefined();
    expect(b.topics.select("SELF_TEST_TOPIC")).toBeDefined();
    expect(b.groups.get("G1")).toMatchObject({ retryMaxTimes: 3, consumeEnable: false });
    expect(b.offsets.queryOffset("G1", "Orders", 5)).toBe(1234);
    expect(b.offsets.queryOffset("G1", "Orders", 6)).toBe(99);
    const other = await brokerOver(second, "broker-b");
    expect(other.topics.select("Orders")).toBeUndefined();
    expect(other.offsets.queryOffset("G1", "Orders", 5)).toBe(-1);
    await b.stop();
    await other.stop();
    await second.close();
  });

  it("writes a broker's own value over a record another process changed, and says so", async () => {
    const store = new SqliteMetadataStore(join(tempDir(), "m.sqlite"));
    const log: string[] = [];
    const a = await brokerOver(store, "broker-a", log);
    a.topics.update(newTopicConfig("T", 4));
    await a.topics.flush();
    const stored = await getTopicConfig(store, "broker-a", "T");
    if (!stored) throw new Error("not stored");
    expect((await putTopicConfig(store, "broker-a", newTopicConfig("T", 1), stored.version)).ok).toBe(true);
    a.topics.update(newTopicConfig("T", 16));
    await a.topics.flush();
    expect((await getTopicConfig(store, "broker-a", "T"))?.value.readQueueNums).toBe(16);
    expect(log.join("\n")).toContain("another process changed topic-config/broker-a T");
    await a.stop();
    await store.close();
  });

  it("keeps changes queued while the store is down and writes them when it is back", async () => {
    const inner = new SqliteMetadataStore(join(tempDir(), "m.sqlite"));
    const { store, state } = controllable(inner);
    const log: string[] = [];
    const a = await brokerOver(store, "broker-a", log);
    state.down = true;
    a.topics.update(newTopicConfig("Late", 2));
    let flushed = false;
    const flush = a.topics.flush().then(() => {
      flushed = true;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(flushed).toBe(false);
    expect(a.stores.backlog()).toBeGreaterThan(0);
    state.down = false;
    await flush;
    expect((await getTopicConfig(inner, "broker-a", "Late"))?.value.readQueueNums).toBe(2);
    expect(log.some((l) => l.includes("retrying"))).toBe(true);
    expect(log.some((l) => l.includes("resumed"))).toBe(true);
    await a.stop();
    await inner.close();
  });

  it("drops, and reports, a write the store will never accept", async () => {
    const store = new SqliteMetadataStore(join(tempDir(), "m.sqlite"));
    const log: string[] = [];
    const a = await brokerOver(store, "broker-a", log);
    a.topics.update({ ...newTopicConfig("Huge"), attributes: { big: "x".repeat(400 * 1024) } });
    a.topics.update(newTopicConfig("Fine"));
    await a.topics.flush();
    expect(await store.get(topicConfigKey("broker-a", "Huge"))).toBeUndefined();
    expect(await store.get(topicConfigKey("broker-a", "Fine"))).toBeDefined();
    expect(log.join("\n")).toMatch(/dropped the write of topic-config\/broker-a Huge/);
    await a.stop();
    await store.close();
  });

  it("stores consumer offsets as one blind batch per save, not one write per commit", async () => {
    const inner = new SqliteMetadataStore(join(tempDir(), "m.sqlite"));
    const { store, state } = controllable(inner);
    const a = await brokerOver(store);
    for (let i = 0; i < 300; i++) a.offsets.commitOffset("G", "T", i % 3, i);
    await a.offsets.persist();
    expect(state.batches).toHaveLength(1);
    expect(state.batches[0]).toHaveLength(3);
    a.offsets.removeGroup("G");
    await a.offsets.persist();
    expect(state.batches[1]?.map((op) => op.op)).toEqual(["delete", "delete", "delete"]);
    await a.stop();
    const b = await brokerOver(inner);
    expect(b.offsets.whichTopicByConsumer("G")).toEqual([]);
    await b.stop();
    await inner.close();
  });
});
