/**
 * What every RouteInfoManager does, in-memory or over a MetadataStore: Apache's registration rules, broker
 * removal (unregister, expiry, closed channel) and topic administration. Orders that depend on the
 * implementation (cluster listing order) are compared as sets.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { ManualClock } from "../../lib/common/clock.js";
import type { RouteInfoManager } from "../../lib/namesrv/route-info-manager.js";
import { registration, testChannel, topicConfig } from "./helpers.js";

export interface RouteHarness {
  routes: RouteInfoManager;
  clock: ManualClock;
  close(): Promise<void>;
}

export type RouteFactory = (options: {
  deleteTopicWithBrokerRegistration?: boolean;
}) => Promise<RouteHarness>;

const slave = { brokerId: 1, brokerAddr: "127.0.0.2:10911", haServerAddr: "127.0.0.2:10912" };
const unregisterA = {
  clusterName: "DefaultCluster",
  brokerAddr: "127.0.0.1:10911",
  brokerName: "broker-a",
  brokerId: 0,
};

export function describeRouteInfoManagerContract(name: string, factory: RouteFactory): void {
  let open: RouteHarness[] = [];
  async function manager(options: { deleteTopicWithBrokerRegistration?: boolean } = {}) {
    const h = await factory(options);
    open.push(h);
    return h;
  }
  afterEach(async () => {
    for (const h of open) await h.close();
    open = [];
  });

  describe(`${name}: registration`, () => {
    it("serves a registered master's topics, including TBW102 for auto-creation", async () => {
      const { routes } = await manager();
      expect(await routes.registerBroker(registration())).toEqual({});
      const route = await routes.pickupTopicRouteData("TBW102");
      expect(route?.queueDatas).toEqual([
        { brokerName: "broker-a", readQueueNums: 8, writeQueueNums: 8, perm: 7, topicSysFlag: 0 },
      ]);
      expect(route?.brokerDatas[0]?.brokerAddrs).toEqual(new Map([[0, "127.0.0.1:10911"]]));
      expect(route?.brokerDatas[0]?.cluster).toBe("DefaultCluster");
      expect(await routes.pickupTopicRouteData("Unknown")).toBeUndefined();
    });

    it("tells a slave its master's address and HA address, and keeps slave topics out of the routes", async () => {
      const { routes } = await manager();
      await routes.registerBroker(registration());
      const result = await routes.registerBroker(
        registration({ ...slave, topics: [topicConfig("SlaveOnly"), topicConfig("SlaveToo")] }),
      );
      expect(result).toEqual({ masterAddr: "127.0.0.1:10911", haServerAddr: "127.0.0.1:10912" });
      expect(await routes.pickupTopicRouteData("SlaveOnly")).toBeUndefined();
      const route = await routes.pickupTopicRouteData("TopicA");
      expect(route?.brokerDatas[0]?.brokerAddrs).toEqual(
        new Map([
          [0, "127.0.0.1:10911"],
          [1, "127.0.0.2:10911"],
        ]),
      );
    });

    it("refuses a lone topic from a broker id never registered, as Apache does", async () => {
      const { routes } = await manager();
      expect(await routes.registerBroker(registration({ topics: [topicConfig("Only")] }))).toBeUndefined();
      expect(await routes.pickupTopicRouteData("Only")).toBeUndefined();
      await routes.registerBroker(registration());
      expect(
        await routes.registerBroker(registration({ topics: [topicConfig("Only")], counter: 2 })),
      ).toEqual({});
      expect(await routes.pickupTopicRouteData("Only")).toBeDefined();
    });

    it("moves an address promoted from slave to master out of its old id", async () => {
      const { routes } = await manager();
      await routes.registerBroker(registration({ ...slave, brokerAddr: "127.0.0.1:10911" }));
      await routes.registerBroker(registration());
      const info = await routes.getAllClusterInfo();
      expect(info.brokerAddrTable.get("broker-a")?.brokerAddrs).toEqual(new Map([[0, "127.0.0.1:10911"]]));
    });

    it("ignores a second address for an occupied id when its stateVersion is older", async () => {
      const { routes } = await manager();
      await routes.registerBroker(registration({ stateVersion: 5 }));
      expect(
        await routes.registerBroker(registration({ brokerAddr: "127.0.0.9:10911", stateVersion: 4 })),
      ).toEqual({});
      const info = await routes.getAllClusterInfo();
      expect(info.brokerAddrTable.get("broker-a")?.brokerAddrs.get(0)).toBe("127.0.0.1:10911");
      expect(await routes.queryBrokerTopicConfig("DefaultCluster", "127.0.0.9:10911")).toBeUndefined();
    });

    it("re-reads topics only when the DataVersion changes", async () => {
      const { routes } = await manager();
      await routes.registerBroker(registration());
      const bigger = [topicConfig("TopicA", 16), topicConfig("TBW102", 8, 7)];
      await routes.registerBroker(registration({ topics: bigger }));
      expect((await routes.pickupTopicRouteData("TopicA"))?.queueDatas[0]?.readQueueNums).toBe(4);
      await routes.registerBroker(registration({ counter: 2, topics: bigger }));
      expect((await routes.pickupTopicRouteData("TopicA"))?.queueDatas[0]?.readQueueNums).toBe(16);
    });

    it("gives the prime slave of an acting-master broker read-only queues", async () => {
      const { routes } = await manager();
      await routes.registerBroker(registration({ ...slave, enableActingMaster: true }));
      expect((await routes.pickupTopicRouteData("TopicA"))?.queueDatas[0]?.perm).toBe(4);
    });

    it("reports DataVersion changes and renews liveness", async () => {
      const { routes } = await manager();
      const reg = registration();
      await routes.registerBroker(reg);
      const dv = reg.topicConfigWrapper.dataVersion;
      expect(await routes.isBrokerTopicConfigChanged("DefaultCluster", reg.brokerAddr, dv)).toBe(false);
      expect(
        await routes.isBrokerTopicConfigChanged("DefaultCluster", reg.brokerAddr, { ...dv, counter: 9 }),
      ).toBe(true);
      expect(await routes.isBrokerTopicConfigChanged("Other", reg.brokerAddr, dv)).toBe(true);
      expect(await routes.queryBrokerTopicConfig("DefaultCluster", reg.brokerAddr)).toEqual(dv);
      expect(await routes.updateBrokerInfoUpdateTimestamp("DefaultCluster", reg.brokerAddr)).toBe(true);
      expect(await routes.updateBrokerInfoUpdateTimestamp("DefaultCluster", "nobody:1")).toBe(false);
    });
  });

  describe(`${name}: removal`, () => {
    it("drops the broker, its cluster and its topics on unregister", async () => {
      const { routes } = await manager();
      await routes.registerBroker(registration());
      await routes.unregisterBroker(unregisterA);
      expect(await routes.getAllTopicList()).toEqual([]);
      expect(await routes.pickupTopicRouteData("TopicA")).toBeUndefined();
      expect(await routes.getAllClusterInfo()).toEqual({
        brokerAddrTable: new Map(),
        clusterAddrTable: new Map(),
      });
    });

    it("keeps a topic served by another broker when one broker leaves", async () => {
      const { routes } = await manager();
      await routes.registerBroker(registration());
      await routes.registerBroker(registration({ brokerName: "broker-b", brokerAddr: "127.0.0.3:10911" }));
      await routes.unregisterBroker(unregisterA);
      const route = await routes.pickupTopicRouteData("TopicA");
      expect(route?.queueDatas.map((q) => q.brokerName)).toEqual(["broker-b"]);
      expect(route?.brokerDatas.map((b) => b.brokerName)).toEqual(["broker-b"]);
    });

    it("expires a broker that stops registering after its timeout, closing its channel", async () => {
      const { routes, clock } = await manager();
      const channel = testChannel();
      await routes.registerBroker(registration({}, channel));
      clock.advance(120_000);
      expect(await routes.scanNotActiveBroker()).toEqual([]);
      expect(await routes.pickupTopicRouteData("TopicA")).toBeDefined();
      clock.advance(1);
      expect(await routes.scanNotActiveBroker()).toEqual(["127.0.0.1:10911"]);
      expect(channel.closed).toBe(true);
      expect(await routes.pickupTopicRouteData("TopicA")).toBeUndefined();
    });

    it("honours a broker's own heartbeatTimeoutMillis and renewals", async () => {
      const { routes, clock } = await manager();
      await routes.registerBroker(registration({ heartbeatTimeoutMillis: 10_000 }));
      clock.advance(8_000);
      await routes.updateBrokerInfoUpdateTimestamp("DefaultCluster", "127.0.0.1:10911");
      clock.advance(8_000);
      expect(await routes.scanNotActiveBroker()).toEqual([]);
      clock.advance(2_001);
      expect(await routes.scanNotActiveBroker()).toEqual(["127.0.0.1:10911"]);
    });

    it("drops only the brokers registered on a closed channel", async () => {
      const { routes } = await manager();
      const a = testChannel("conn-a");
      await routes.registerBroker(registration({}, a));
      await routes.registerBroker(
        registration({ brokerName: "broker-b", brokerAddr: "127.0.0.3:10911" }, testChannel("conn-b")),
      );
      await routes.onChannelDestroy(a);
      expect([...(await routes.getAllClusterInfo()).brokerAddrTable.keys()]).toEqual(["broker-b"]);
    });

    it("wipes write permission from an acting-master broker whose master left", async () => {
      const { routes } = await manager();
      await routes.registerBroker(registration({ enableActingMaster: true }));
      await routes.registerBroker(registration({ ...slave, enableActingMaster: true }));
      expect((await routes.pickupTopicRouteData("TopicA"))?.queueDatas[0]?.perm).toBe(6);
      await routes.unregisterBroker(unregisterA);
      expect((await routes.pickupTopicRouteData("TopicA"))?.queueDatas[0]?.perm).toBe(4);
    });

    it("serves only the topics a broker has when it registers again after expiring", async () => {
      const { routes, clock } = await manager();
      await routes.registerBroker(registration());
      clock.advance(120_001);
      await routes.scanNotActiveBroker();
      await routes.registerBroker(
        registration({ counter: 2, topics: [topicConfig("New"), topicConfig("X")] }),
      );
      expect((await routes.getAllTopicList()).sort()).toEqual(["New", "X"]);
      expect(await routes.pickupTopicRouteData("TopicA")).toBeUndefined();
    });
  });

  describe(`${name}: topic administration`, () => {
    it("lists topics by cluster, unit flags and system topics", async () => {
      const { routes } = await manager();
      await routes.registerBroker(
        registration({
          topics: [topicConfig("Unit", 4, 6, 1), topicConfig("Sub", 4, 6, 2), topicConfig("Both", 4, 6, 3)],
        }),
      );
      await routes.registerBroker(
        registration({
          clusterName: "C2",
          brokerName: "broker-b",
          brokerAddr: "127.0.0.3:10911",
          topics: [topicConfig("B1"), topicConfig("B2")],
        }),
      );
      expect((await routes.getTopicsByCluster("C2")).sort()).toEqual(["B1", "B2"]);
      expect(await routes.getTopicsByCluster("Nope")).toEqual([]);
      expect((await routes.getAllTopicList()).sort()).toEqual(["B1", "B2", "Both", "Sub", "Unit"]);
      expect((await routes.getUnitTopicList("UNIT")).sort()).toEqual(["Both", "Unit"]);
      expect((await routes.getUnitTopicList("UNIT_SUB")).sort()).toEqual(["Both", "Sub"]);
      expect(await routes.getUnitTopicList("UNIT_SUB_UNUNIT")).toEqual(["Sub"]);
      const system = await routes.getSystemTopicList();
      expect([...system.topicList].sort()).toEqual(["C2", "DefaultCluster", "broker-a", "broker-b"]);
      const pairs = system.topicList.join(",");
      expect(pairs.includes("DefaultCluster,broker-a") && pairs.includes("C2,broker-b")).toBe(true);
      expect(["127.0.0.1:10911", "127.0.0.3:10911"]).toContain(system.brokerAddr);
    });

    it("deletes a topic everywhere or only from one cluster's brokers", async () => {
      const { routes } = await manager();
      await routes.registerBroker(registration());
      await routes.registerBroker(
        registration({ clusterName: "C2", brokerName: "broker-b", brokerAddr: "127.0.0.3:10911" }),
      );
      await routes.deleteTopic("TopicA", "C2");
      expect((await routes.pickupTopicRouteData("TopicA"))?.queueDatas.map((q) => q.brokerName)).toEqual([
        "broker-a",
      ]);
      await routes.deleteTopic("TopicA");
      expect(await routes.pickupTopicRouteData("TopicA")).toBeUndefined();
      expect(await routes.getAllTopicList()).toEqual(["TBW102"]);
    });

    it("wipes and restores write permission, counting topics", async () => {
      const { routes } = await manager();
      await routes.registerBroker(registration());
      expect(await routes.wipeWritePermOfBroker("broker-a")).toBe(2);
      expect((await routes.pickupTopicRouteData("TBW102"))?.queueDatas[0]?.perm).toBe(5);
      await routes.registerBroker(registration());
      expect((await routes.pickupTopicRouteData("TBW102"))?.queueDatas[0]?.perm).toBe(5);
      expect(await routes.addWritePermOfBroker("broker-a")).toBe(2);
      expect((await routes.pickupTopicRouteData("TBW102"))?.queueDatas[0]?.perm).toBe(6);
      expect(await routes.wipeWritePermOfBroker("nobody")).toBe(0);
    });

    it("registers a new topic only on known brokers and never overwrites one", async () => {
      const { routes } = await manager();
      await routes.registerBroker(registration());
      const qd = { brokerName: "broker-a", readQueueNums: 2, writeQueueNums: 2, perm: 6, topicSysFlag: 0 };
      await routes.registerTopic("New", [qd]);
      expect((await routes.pickupTopicRouteData("New"))?.queueDatas).toEqual([qd]);
      await routes.registerTopic("Ghost", [{ ...qd, brokerName: "ghost" }]);
      expect(await routes.pickupTopicRouteData("Ghost")).toBeUndefined();
      await routes.registerTopic("TopicA", [qd]);
      expect((await routes.pickupTopicRouteData("TopicA"))?.queueDatas[0]?.readQueueNums).toBe(4);
    });

    it("removes topics a master no longer has when deleteTopicWithBrokerRegistration is on", async () => {
      const { routes } = await manager({ deleteTopicWithBrokerRegistration: true });
      await routes.registerBroker(registration());
      await routes.registerBroker(
        registration({ counter: 2, topics: [topicConfig("TBW102", 8, 7), topicConfig("X")] }),
      );
      expect((await routes.getAllTopicList()).sort()).toEqual(["TBW102", "X"]);
    });
  });
}
