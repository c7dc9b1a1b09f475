/**
 * UPDATE_AND_CREATE_TOPIC answers only after the NameServer has the new topic (Apache's broker registers
 * with every NameServer and waits for the answers before it replies). A client that creates a topic and
 * looks its route up right away, as ali-ons does after `mqadmin updateTopic`, must not get TOPIC_NOT_EXIST.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRequest } from "../../lib/protocol/remoting-command.js";
import { RequestCode } from "../../lib/protocol/request-code.js";
import { ResponseCode } from "../../lib/protocol/response-code.js";
import { RemotingClient } from "../../lib/remoting/client.js";
import { createTopicRequest } from "./raw-client.js";
import { removeDir, type StratusDev, startStratusDev } from "./stratus-process.js";

/** The race is narrow (broker and NameServer share one process), so it is given many chances. */
const TOPICS = 40;

describe("a topic created with UPDATE_AND_CREATE_TOPIC", () => {
  let dev: StratusDev;
  const client = new RemotingClient();
  beforeAll(async () => {
    dev = await startStratusDev();
  });
  afterAll(async () => {
    client.close();
    await dev.stop();
    removeDir(dev.dataDir);
  });

  it("has a route on the NameServer as soon as the broker has answered", async () => {
    const notRouted: string[] = [];
    for (let i = 0; i < TOPICS; i++) {
      const topic = `RouteAfterCreate${i}`;
      const created = await client.invoke(dev.brokerAddr, createTopicRequest(topic, 6, 4), 10_000);
      expect(created.code, created.remark).toBe(ResponseCode.SUCCESS);
      const route = await client.invoke(
        dev.namesrvAddr,
        createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic }),
        5000,
      );
      if (route.code !== ResponseCode.SUCCESS)
        notRouted.push(`${topic}: ${route.code} ${route.remark ?? ""}`);
    }
    expect(notRouted).toEqual([]);
  });
});
