/**
 * The real Java clients judge Stratus's cloud state (issue 3): NameServers as separate `stratus namesrv
 * --cloud embedded` processes over one MetadataStore, and a `stratus broker --cloud embedded` (registered
 * with both, as deployed) whose topics and consumer offsets live there. Stratus-only (Apache has no shared NameServer state), so it ignores
 * STRATUS_COMPAT_TARGET.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRequest } from "../../lib/protocol/remoting-command.js";
import { RequestCode } from "../../lib/protocol/request-code.js";
import { ResponseCode } from "../../lib/protocol/response-code.js";
import { RemotingClient } from "../../lib/remoting/client.js";
import {
  embeddedCloud,
  eventually,
  type StratusProcess,
  startBroker,
  startNamesrv,
  type TestCloud,
} from "../integration/cloud-cluster.js";
import { createTopicRequest } from "../integration/raw-client.js";
import { CLIENT_VERSIONS } from "../setup/java-deps.mjs";
import type { RunningCluster } from "../support/cluster.js";
import { explain, runScenario } from "./java-runners.js";

const SCENARIO_TEST_MS = 240_000;

function portOf(addr: string): number {
  return Number(addr.slice(addr.lastIndexOf(":") + 1));
}

describe.each(CLIENT_VERSIONS)("Java client %s over stateless NameServers", (clientVersion) => {
  let cloud: TestCloud;
  let ns1: StratusProcess;
  let ns2: StratusProcess;
  let broker: StratusProcess;
  const client = new RemotingClient();

  beforeAll(async () => {
    cloud = embeddedCloud();
    ns1 = await startNamesrv(cloud);
    ns2 = await startNamesrv(cloud);
    broker = await startBroker(cloud, { namesrvAddr: `${ns1.addr};${ns2.addr}` });
  }, 120_000);
  afterAll(async () => {
    client.close();
    for (const p of [broker, ns2, ns1]) await p?.stop();
    cloud?.remove();
  }, 60_000);

  async function committedSum(topic: string, consumerGroup: string): Promise<number> {
    let sum = 0;
    for (let queueId = 0; queueId < 4; queueId++) {
      const r = await client.invoke(
        broker.addr,
        createRequest(RequestCode.QUERY_CONSUMER_OFFSET, { consumerGroup, topic, queueId: String(queueId) }),
      );
      if (r.code === ResponseCode.SUCCESS) sum += Number(r.extFields.offset);
    }
    return sum;
  }

  function cluster(namesrvAddr: string): RunningCluster {
    return {
      target: "stratus",
      description: "stratus namesrv x2 + broker, --cloud embedded",
      namesrvAddr,
      brokerAddr: broker.addr,
      clusterName: undefined,
      brokerName: "broker-a",
      dataDir: cloud.dataDir,
      recentOutput: () =>
        [ns1, ns2, broker].map((p) => `--- ${p.process.name}\n${p.process.recentOutput()}`).join("\n"),
      stop: async () => {},
    };
  }

  it(
    "keeps a group's committed offsets across a broker restart, with no offset file on the broker's disk",
    async () => {
      const topic = `Stateless_${clientVersion.replaceAll(".", "_")}`;
      const create = createTopicRequest(topic, 6, 4);
      expect((await client.invoke(broker.addr, create)).code).toBe(ResponseCode.SUCCESS);
      const via = cluster(ns2.addr);
      const group = `${topic}_group`;
      const first = await runScenario(clientVersion, "produce", via, { topic, count: 8 });
      expect(first.result.ok, explain(first)).toBe(true);
      const consumed = await runScenario(clientVersion, "consume", via, { topic, group, expect: 8 });
      expect(consumed.result.ok, explain(consumed)).toBe(true);

      await broker.stop();
      broker = await startBroker(cloud, {
        namesrvAddr: `${ns1.addr};${ns2.addr}`,
        port: portOf(broker.addr),
      });
      expect(existsSync(join(cloud.dataDir, "broker", "config", "consumerOffset.json"))).toBe(false);
      await eventually("the restarted broker routed", async () => {
        const r = await client.invoke(ns2.addr, createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic }));
        return r.code === ResponseCode.SUCCESS ? true : undefined;
      });
      const second = await runScenario(clientVersion, "produce", via, {
        topic,
        count: 8,
        keyPrefix: "second",
      });
      expect(second.result.ok, explain(second)).toBe(true);
      const resumed = await runScenario(clientVersion, "consume", via, { topic, group, expect: 8 });
      expect(resumed.result.ok, explain(resumed)).toBe(true);
      expect(resumed.result.consumed, explain(resumed)).toBe(8);
      const committed = await eventually("the group's offsets committed past both batches", async () => {
        const sum = await committedSum(topic, group);
        return sum === 16 ? sum : undefined;
      });
      expect(committed).toBe(16);
    },
    SCENARIO_TEST_MS,
  );

  it(
    "sends and reads back through the other NameServer when one of the two is killed",
    async () => {
      const dead = ns1.addr;
      await ns1.kill();
      try {
        const run = await runScenario(clientVersion, "send", cluster(`${dead};${ns2.addr}`), {
          mode: "sync",
          count: 300,
          queues: 4,
        });
        const why = explain(run);
        expect(run.result.acked, why).toBe(300);
        expect(run.result.readBackDistinct, why).toBe(300);
        expect(run.result.failures, why).toEqual([]);
      } finally {
        ns1 = await startNamesrv(cloud, { port: portOf(dead) });
      }
    },
    SCENARIO_TEST_MS,
  );
});
