import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../lib/common/clock.js";
import { MAX_KV_CONFIG_ENTRIES } from "../../lib/common/limits.js";
import { type KVConfigManager, MemoryKVConfigManager } from "../../lib/namesrv/kv-config-manager.js";
import { MetadataKVConfigManager } from "../../lib/namesrv/metadata-kv-config-manager.js";
import { ROUTE_CACHE_TTL_MS } from "../../lib/namesrv/metadata-route-info-manager.js";
import { kvKey, kvNamespaceKey } from "../../lib/namesrv/namesrv-records.js";
import { SqliteMetadataStore } from "../../lib/ports/embedded/sqlite-metadata-store.js";

const dir = mkdtempSync(join(tmpdir(), "stratus-kv-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const newPath = () => join(dir, `kv-${files++}.sqlite`);

const implementations: Array<[string, () => KVConfigManager]> = [
  ["MemoryKVConfigManager", () => new MemoryKVConfigManager()],
  [
    "MetadataKVConfigManager",
    () =>
      new MetadataKVConfigManager({ store: new SqliteMetadataStore(newPath()), clock: new ManualClock() }),
  ],
];

describe.each(implementations)("%s", (_name, make) => {
  it("puts, reads, overwrites and deletes values per namespace", async () => {
    const kv = make();
    await kv.putKVConfig("ORDER_TOPIC_CONFIG", "TopicA", "broker-a:4");
    await kv.putKVConfig("other", "TopicA", "x");
    await kv.putKVConfig("ORDER_TOPIC_CONFIG", "TopicA", "broker-a:8;broker-b:8");
    expect(await kv.getKVConfig("ORDER_TOPIC_CONFIG", "TopicA")).toBe("broker-a:8;broker-b:8");
    expect(await kv.getKVConfig("ORDER_TOPIC_CONFIG", "nope")).toBeUndefined();
    expect(await kv.getKVListByNamespace("other")).toEqual({ TopicA: "x" });
    await kv.deleteKVConfig("other", "TopicA");
    expect(await kv.getKVConfig("other", "TopicA")).toBeUndefined();
  });

  it("keeps an emptied namespace, as Apache does", async () => {
    const kv = make();
    await kv.putKVConfig("ns", "k", "v");
    await kv.deleteKVConfig("ns", "k");
    expect(await kv.getKVListByNamespace("ns")).toEqual({});
    expect(await kv.getKVListByNamespace("never")).toBeUndefined();
  });
});

describe("MemoryKVConfigManager", () => {
  it("refuses new entries past MAX_KV_CONFIG_ENTRIES but still overwrites existing ones", async () => {
    const kv = new MemoryKVConfigManager();
    for (let i = 0; i < MAX_KV_CONFIG_ENTRIES; i++) await kv.putKVConfig("ns", `k${i}`, "v");
    await expect(kv.putKVConfig("ns", "one-more", "v")).rejects.toMatchObject({ code: "LIMIT_EXCEEDED" });
    await kv.putKVConfig("ns", "k0", "changed");
    expect(await kv.getKVConfig("ns", "k0")).toBe("changed");
    await kv.deleteKVConfig("ns", "k1");
    await kv.putKVConfig("ns", "one-more", "v");
    expect(await kv.getKVConfig("ns", "one-more")).toBe("v");
  });
});

describe("MetadataKVConfigManager", () => {
  it("shares the table between NameServers (within the cache TTL) and keeps it over a restart", async () => {
    const path = newPath();
    const clock = new ManualClock();
    const storeA = new SqliteMetadataStore(path);
    const storeB = new SqliteMetadataStore(path);
    const a = new MetadataKVConfigManager({ store: storeA, clock });
    const b = new MetadataKVConfigManager({ store: storeB, clock });
    expect(await b.getKVConfig("ns", "k")).toBeUndefined();
    await a.putKVConfig("ns", "k", "v1");
    expect(await b.getKVConfig("ns", "k")).toBeUndefined();
    clock.advance(ROUTE_CACHE_TTL_MS);
    expect(await b.getKVConfig("ns", "k")).toBe("v1");
    await storeA.close();
    await storeB.close();
    const reopened = new SqliteMetadataStore(path);
    const c = new MetadataKVConfigManager({ store: reopened, clock });
    expect(await c.getKVListByNamespace("ns")).toEqual({ k: "v1" });
    await reopened.close();
  });

  it("refuses a new key in a namespace holding MAX_KV_CONFIG_ENTRIES but overwrites existing ones", async () => {
    const store = new SqliteMetadataStore(newPath());
    await store.batchWrite([{ op: "put", key: kvNamespaceKey("ns"), value: {} }]);
    for (let i = 0; i < MAX_KV_CONFIG_ENTRIES; i += 10_000) {
      await store.batchWrite(
        Array.from({ length: 10_000 }, (_, j) => ({
          op: "put" as const,
          key: kvKey("ns", `k${i + j}`),
          value: { value: "v" },
        })),
      );
    }
    const kv = new MetadataKVConfigManager({ store, clock: new ManualClock() });
    await expect(kv.putKVConfig("ns", "one-more", "v")).rejects.toMatchObject({ code: "LIMIT_EXCEEDED" });
    await kv.putKVConfig("ns", "k0", "changed");
    expect(await kv.getKVConfig("ns", "k0")).toBe("changed");
    await kv.putKVConfig("other", "fine", "v");
    await store.close();
  }, 60_000);
});
