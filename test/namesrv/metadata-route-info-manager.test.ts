import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../lib/common/clock.js";
import { StratusError } from "../../lib/common/errors.js";
import {
  MetadataRouteInfoManager,
  ROUTE_CACHE_TTL_MS,
} from "../../lib/namesrv/metadata-route-info-manager.js";
import { SqliteMetadataStore } from "../../lib/ports/embedded/sqlite-metadata-store.js";
import type { MetadataStore } from "../../lib/ports/metadata-store.js";
import { registration, testChannel, topicConfig } from "./helpers.js";
import { describeRouteInfoManagerContract } from "./route-info-manager.contract.js";

const dirs: string[] = [];
function storePath(): string {
  const dir = mkdtempSync(join(tmpdir(), "stratus-namesrv-md-"));
  dirs.push(dir);
  return join(dir, "metadata.sqlite");
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describeRouteInfoManagerContract("MetadataRouteInfoManager on SQLite", async (options) => {
  const clock = new ManualClock();
  const store = new SqliteMetadataStore(storePath());
  const routes = new MetadataRouteInfoManager({
    store,
    clock,
    brokerChannelExpiredTimeMs: 120_000,
    ...options,
  });
  return { routes, clock, close: () => store.close() };
});

/** Two NameServers' route tables over one store file, each with its own connection, on one clock. */
function twoNameServers() {
  const path = storePath();
  const clock = new ManualClock();
  const stores = [new SqliteMetadataStore(path), new SqliteMetadataStore(path)];
  const [a, b] = stores.map((store) => new MetadataRouteInfoManager({ store, clock })) as [
    MetadataRouteInfoManager,
    MetadataRouteInfoManager,
  ];
  return { a, b, clock, path, close: async () => Promise.all(stores.map((s) => s.close())) };
}

describe("MetadataRouteInfoManager shared by several NameServers", () => {
  it("answers on every NameServer the routes of a broker registered with one of them", async () => {
    const { a, b, close } = twoNameServers();
    await a.registerBroker(registration());
    expect(await b.pickupTopicRouteData("TopicA")).toEqual(await a.pickupTopicRouteData("TopicA"));
    expect(await b.getAllClusterInfo()).toEqual(await a.getAllClusterInfo());
    expect((await b.getAllTopicList()).sort()).toEqual(["TBW102", "TopicA"]);
    await close();
  });

  it("serves a cached route for the TTL, then what another NameServer wrote", async () => {
    const { a, b, clock, close } = twoNameServers();
    await a.registerBroker(registration());
    expect((await b.pickupTopicRouteData("TopicA"))?.queueDatas[0]?.readQueueNums).toBe(4);
    await a.registerBroker(
      registration({ counter: 2, topics: [topicConfig("TopicA", 8), topicConfig("TBW102")] }),
    );
    expect((await a.pickupTopicRouteData("TopicA"))?.queueDatas[0]?.readQueueNums).toBe(8);
    expect((await b.pickupTopicRouteData("TopicA"))?.queueDatas[0]?.readQueueNums).toBe(4);
    clock.advance(ROUTE_CACHE_TTL_MS);
    expect((await b.pickupTopicRouteData("TopicA"))?.queueDatas[0]?.readQueueNums).toBe(8);
    await close();
  });

  it("drops a broker from every NameServer's routes the moment its lease lapses, before any sweep", async () => {
    const { a, b, clock, close } = twoNameServers();
    await a.registerBroker(registration({ heartbeatTimeoutMillis: 10_000 }));
    expect(await b.pickupTopicRouteData("TopicA")).toBeDefined();
    clock.advance(6_000);
    expect(await b.updateBrokerInfoUpdateTimestamp("DefaultCluster", "127.0.0.1:10911")).toBe(true);
    clock.advance(10_000);
    expect(await a.pickupTopicRouteData("TopicA")).toBeDefined();
    clock.advance(1);
    expect(await a.pickupTopicRouteData("TopicA")).toBeUndefined();
    expect(await b.pickupTopicRouteData("TopicA")).toBeUndefined();
    expect(await b.getAllClusterInfo()).toEqual({ brokerAddrTable: new Map(), clusterAddrTable: new Map() });
    expect(await a.scanNotActiveBroker()).toEqual(["127.0.0.1:10911"]);
    expect(await b.scanNotActiveBroker()).toEqual([]);
    await close();
  });

  it("keeps a broker whose channel to one NameServer closed after it renewed through another", async () => {
    const { a, b, close } = twoNameServers();
    const channelA = testChannel("a-1");
    await a.registerBroker(registration({}, channelA));
    await b.registerBroker(registration({}, testChannel("b-1")));
    await a.onChannelDestroy(channelA);
    expect(await a.pickupTopicRouteData("TopicA")).toBeDefined();
    await close();
  });

  it("loses nothing when a NameServer restarts over the same store", async () => {
    const { a, clock, path, close } = twoNameServers();
    await a.registerBroker(registration());
    await a.wipeWritePermOfBroker("broker-a");
    const before = await a.pickupTopicRouteData("TopicA");
    await close();
    const store = new SqliteMetadataStore(path);
    const restarted = new MetadataRouteInfoManager({ store, clock });
    expect(await restarted.pickupTopicRouteData("TopicA")).toEqual(before);
    expect(before?.queueDatas[0]?.perm).toBe(4);
    expect(
      await restarted.isBrokerTopicConfigChanged(
        "DefaultCluster",
        "127.0.0.1:10911",
        registration().topicConfigWrapper.dataVersion,
      ),
    ).toBe(false);
    await store.close();
  });

  it("lets the registrations of one broker through two NameServers race without losing the lease", async () => {
    const { a, b, close } = twoNameServers();
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).registerBroker(registration({ counter: i + 1 }))),
    );
    expect(await a.updateBrokerInfoUpdateTimestamp("DefaultCluster", "127.0.0.1:10911")).toBe(true);
    expect((await b.getAllClusterInfo()).brokerAddrTable.get("broker-a")?.brokerAddrs.get(0)).toBe(
      "127.0.0.1:10911",
    );
    await close();
  });
});

/** A store whose reads fail on demand (the MetadataStore went away). */
function flakyStore(inner: MetadataStore): MetadataStore & { down: boolean } {
  const s = Object.create(inner) as MetadataStore & { down: boolean };
  s.down = false;
  const fail = () => {
    throw new StratusError("METADATA_UNAVAILABLE", "store down (test)");
  };
  s.query = async (...args) => (s.down ? fail() : inner.query(...args));
  s.get = async (...args) => (s.down ? fail() : inner.get(...args));
  return s;
}

describe("MetadataRouteInfoManager when the store fails", () => {
  it("answers from what it read last while the store is down for a short while, then raises", async () => {
    const clock = new ManualClock();
    const inner = new SqliteMetadataStore(storePath());
    const store = flakyStore(inner);
    const routes = new MetadataRouteInfoManager({ store, clock });
    await routes.registerBroker(registration({ heartbeatTimeoutMillis: 600_000 }));
    const route = await routes.pickupTopicRouteData("TopicA");
    store.down = true;
    clock.advance(5_000);
    expect(await routes.pickupTopicRouteData("TopicA")).toEqual(route);
    clock.advance(60_000);
    await expect(routes.pickupTopicRouteData("TopicA")).rejects.toThrow(/store down/);
    await inner.close();
  });
});
