/**
 * Stateless NameServers as separate `stratus namesrv --cloud ...` processes over one MetadataStore (the
 * embedded SQLite file, and DynamoDB on moto), with a `stratus broker` registered with only one of them:
 * identical routes everywhere, nothing lost by a restart, clients carrying on when one is killed, and a
 * broker that stops renewing its lease leaving every NameServer's routes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient } from "../../lib/client/admin-client.js";
import { ResponseCode } from "../../lib/protocol/response-code.js";
import type { TopicRouteData } from "../../lib/protocol/route-data.js";
import { RemotingClient } from "../../lib/remoting/client.js";
import {
  AWS_ENDPOINT_SETUP_TIMEOUT_MS,
  type AwsTestEndpoint,
  startAwsTestEndpoint,
} from "../ports/aws-endpoint.js";
import {
  awsCloud,
  embeddedCloud,
  eventually,
  type StratusProcess,
  startBroker,
  startNamesrv,
  type TestCloud,
} from "./cloud-cluster.js";
import { createTopicRequest, pull, sendV2 } from "./raw-client.js";

const TEST_MS = 120_000;

function portOf(addr: string): number {
  return Number(addr.slice(addr.lastIndexOf(":") + 1));
}

describe.each(["embedded", "aws"] as const)("stateless NameServers on the %s cloud", (kind) => {
  let endpoint: AwsTestEndpoint | undefined;
  const client = new RemotingClient();
  const running: StratusProcess[] = [];
  const clouds: TestCloud[] = [];

  beforeAll(async () => {
    if (kind === "aws") endpoint = await startAwsTestEndpoint();
  }, AWS_ENDPOINT_SETUP_TIMEOUT_MS);
  afterAll(async () => {
    client.close();
    for (const p of running.splice(0)) await p.stop();
    for (const c of clouds.splice(0)) c.remove();
    await endpoint?.stop();
  }, 60_000);

  async function cloud(): Promise<TestCloud> {
    const c = kind === "aws" && endpoint ? await awsCloud(endpoint) : embeddedCloud();
    clouds.push(c);
    return c;
  }

  async function started(p: Promise<StratusProcess>): Promise<StratusProcess> {
    const proc = await p;
    running.push(proc);
    return proc;
  }

  function route(namesrvAddr: string, topic: string): Promise<TopicRouteData | undefined> {
    return new AdminClient({ namesrvAddr, remoting: client, timeoutMs: 3000 }).getRouteInfo(topic);
  }

  it(
    "answer identical routes for a broker registered with one of them, keep them over a restart, and serve clients when one is killed",
    async () => {
      const c = await cloud();
      const ns1 = await started(startNamesrv(c));
      const ns2 = await started(startNamesrv(c));
      const broker = await started(startBroker(c, { namesrvAddr: ns1.addr }));
      expect((await client.invoke(broker.addr, createTopicRequest("Orders", 6, 4))).code).toBe(
        ResponseCode.SUCCESS,
      );
      const onNs1 = await eventually("the route on the NameServer the broker registered with", () =>
        route(ns1.addr, "Orders"),
      );
      expect(onNs1.brokerDatas[0]?.brokerAddrs.get(0)).toBe(broker.addr);
      expect(onNs1.queueDatas).toEqual([
        { brokerName: "broker-a", readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0 },
      ]);
      expect(await eventually("the route on the other NameServer", () => route(ns2.addr, "Orders"))).toEqual(
        onNs1,
      );

      await ns2.stop();
      const ns2again = await started(startNamesrv(c, { port: portOf(ns2.addr) }));
      expect(await route(ns2again.addr, "Orders")).toEqual(onNs1);

      await ns1.kill();
      const admin = new AdminClient({
        namesrvAddr: `${ns1.addr};${ns2again.addr}`,
        remoting: client,
        timeoutMs: 3000,
      });
      const seen = await admin.getRouteInfo("Orders");
      const brokerAddr = seen?.brokerDatas[0]?.brokerAddrs.get(0);
      expect(brokerAddr).toBe(broker.addr);
      const sent = await sendV2(
        client,
        brokerAddr ?? "",
        "Orders",
        2,
        Buffer.from("after the NameServer died"),
      );
      expect(sent.code).toBe(ResponseCode.SUCCESS);
      const { messages } = await pull(client, brokerAddr ?? "", "g", "Orders", 2, 0);
      expect(messages.map((m) => m.body.toString())).toEqual(["after the NameServer died"]);
    },
    TEST_MS,
  );

  it(
    "drop a broker whose lease lapsed from every NameServer's routes, and route it again once it renews",
    async () => {
      const c = await cloud();
      const ns1 = await started(startNamesrv(c, { brokerExpiredMs: 3000 }));
      const ns2 = await started(startNamesrv(c));
      const broker = await started(
        startBroker(c, { namesrvAddr: ns1.addr, conf: "registerNameServerPeriod=500" }),
      );
      await eventually("the route on the other NameServer", () => route(ns2.addr, "TBW102"));
      broker.pause();
      const pausedAt = Date.now();
      try {
        await eventually(
          "the lapsed broker leaving the other NameServer's routes",
          async () => ((await route(ns2.addr, "TBW102")) === undefined ? true : undefined),
          15_000,
        );
        expect(Date.now() - pausedAt).toBeGreaterThanOrEqual(2000);
        expect(await route(ns1.addr, "TBW102")).toBeUndefined();
      } finally {
        broker.resume();
      }
      const back = await eventually(
        "the renewed broker routed again",
        () => route(ns2.addr, "TBW102"),
        15_000,
      );
      expect(back.brokerDatas[0]?.brokerAddrs.get(0)).toBe(broker.addr);
    },
    TEST_MS,
  );
});
