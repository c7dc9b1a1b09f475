import { describe, expect, it } from "vitest";
import { ManualClock } from "../../lib/common/clock.js";
import { MemoryRouteInfoManager } from "../../lib/namesrv/memory-route-info-manager.js";
import { registration, topicConfig } from "./helpers.js";
import { describeRouteInfoManagerContract } from "./route-info-manager.contract.js";

describeRouteInfoManagerContract("MemoryRouteInfoManager", async (options) => {
  const clock = new ManualClock();
  const routes = new MemoryRouteInfoManager({ clock, brokerChannelExpiredTimeMs: 120_000, ...options });
  return { routes, clock, close: async () => {} };
});

describe("MemoryRouteInfoManager", () => {
  it("lists clusters and system topics in registration order, as Apache's hash tables happen to", async () => {
    const routes = new MemoryRouteInfoManager({ clock: new ManualClock() });
    await routes.registerBroker(registration({ topics: [topicConfig("A1"), topicConfig("A2")] }));
    await routes.registerBroker(
      registration({
        clusterName: "C2",
        brokerName: "broker-b",
        brokerAddr: "127.0.0.3:10911",
        topics: [topicConfig("B1"), topicConfig("B2")],
      }),
    );
    expect(await routes.getSystemTopicList()).toEqual({
      topicList: ["DefaultCluster", "broker-a", "C2", "broker-b"],
      brokerAddr: "127.0.0.1:10911",
    });
  });
});
