import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../lib/common/clock.js";
import { NameServer } from "../../lib/namesrv/namesrv.js";
import { decodeClusterInfo } from "../../lib/protocol/cluster-info.js";
import { encodeGetRouteInfoRequestHeader } from "../../lib/protocol/namesrv-headers.js";
import { createRequest, type RemotingCommand } from "../../lib/protocol/remoting-command.js";
import { RequestCode } from "../../lib/protocol/request-code.js";
import { ResponseCode } from "../../lib/protocol/response-code.js";
import { decodeTopicRouteData } from "../../lib/protocol/route-data.js";
import { RemotingClient } from "../../lib/remoting/client.js";
import { registerRequest } from "./helpers.js";

const running: Array<{ close(): Promise<void> | void }> = [];

afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.close();
});

async function startNameServer(
  clock = new ManualClock(),
): Promise<{ namesrv: NameServer; clock: ManualClock }> {
  const namesrv = new NameServer({
    host: "127.0.0.1",
    port: 0,
    clock,
    config: { scanNotActiveBrokerInterval: 10 },
  });
  await namesrv.start();
  running.push({ close: () => namesrv.shutdown() });
  return { namesrv, clock };
}

function client(): RemotingClient {
  const c = new RemotingClient();
  running.push(c);
  return c;
}

function routeRequest(topic: string): RemotingCommand {
  return createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, encodeGetRouteInfoRequestHeader({ topic }));
}

/** Polls `check` until it holds (the sweep runs on a real 10 ms timer); fails after 2 s. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met within 2 s");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("NameServer over TCP", () => {
  it("binds an ephemeral port and reports it", async () => {
    const { namesrv } = await startNameServer();
    expect(namesrv.address()).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(namesrv.address()).not.toBe("127.0.0.1:0");
  });

  it("registers a broker and serves its routes and cluster info", async () => {
    const { namesrv } = await startNameServer();
    const broker = client();
    const registered = await broker.invoke(namesrv.address(), registerRequest());
    expect(registered.code).toBe(ResponseCode.SUCCESS);

    const tools = client();
    const route = await tools.invoke(namesrv.address(), routeRequest("TopicA"));
    expect(route.code).toBe(ResponseCode.SUCCESS);
    expect(decodeTopicRouteData(route.body ?? Buffer.alloc(0)).brokerDatas[0]?.brokerAddrs.get(0)).toBe(
      "127.0.0.1:10911",
    );
    const info = await tools.invoke(namesrv.address(), createRequest(RequestCode.GET_BROKER_CLUSTER_INFO));
    expect([...decodeClusterInfo(info.body ?? Buffer.alloc(0)).clusterAddrTable.keys()]).toEqual([
      "DefaultCluster",
    ]);
  });

  it("drops a broker that stops registering once brokerChannelExpiredTime passes", async () => {
    const { namesrv, clock } = await startNameServer();
    await client().invoke(namesrv.address(), registerRequest());
    const tools = client();
    clock.advance(119_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await tools.invoke(namesrv.address(), routeRequest("TopicA"))).code).toBe(ResponseCode.SUCCESS);
    clock.advance(1_001);
    await eventually(
      async () =>
        (await tools.invoke(namesrv.address(), routeRequest("TopicA"))).code === ResponseCode.TOPIC_NOT_EXIST,
    );
  });

  it("drops a broker as soon as the connection it registered on closes", async () => {
    const { namesrv } = await startNameServer();
    const broker = new RemotingClient();
    await broker.invoke(namesrv.address(), registerRequest());
    const tools = client();
    expect((await tools.invoke(namesrv.address(), routeRequest("TopicA"))).code).toBe(ResponseCode.SUCCESS);
    broker.close();
    await eventually(
      async () =>
        (await tools.invoke(namesrv.address(), routeRequest("TopicA"))).code === ResponseCode.TOPIC_NOT_EXIST,
    );
  });

  it("answers an unknown request code with REQUEST_CODE_NOT_SUPPORTED and Apache's remark", async () => {
    const { namesrv } = await startNameServer();
    const response = await client().invoke(namesrv.address(), createRequest(RequestCode.SEND_MESSAGE_V2));
    expect(response.code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
    expect(response.remark).toBe(" request type 310 not supported");
  });

  it("answers a request with a missing header field with SYSTEM_ERROR naming the field", async () => {
    const { namesrv } = await startNameServer();
    const response = await client().invoke(
      namesrv.address(),
      createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC),
    );
    expect(response.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(response.remark).toBe("the custom field <topic> is null");
  });

  it("stops accepting connections on shutdown", async () => {
    const namesrv = new NameServer({ host: "127.0.0.1", port: 0 });
    await namesrv.start();
    const address = namesrv.address();
    await namesrv.shutdown();
    await expect(client().invoke(address, routeRequest("T"), 500)).rejects.toMatchObject({
      name: "StratusError",
    });
  });
});
