/** The broker's request handling over real sockets, against a `stratus dev` process. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PermName } from "../../lib/protocol/perm-name.js";
import { createRequest } from "../../lib/protocol/remoting-command.js";
import { RequestCode } from "../../lib/protocol/request-code.js";
import { ResponseCode } from "../../lib/protocol/response-code.js";
import { decodeTopicRouteData } from "../../lib/protocol/route-data.js";
import { RemotingClient } from "../../lib/remoting/client.js";
import { createTopicRequest, pull, sendV2 } from "./raw-client.js";
import { removeDir, type StratusDev, startStratusDev } from "./stratus-process.js";

describe("broker requests", () => {
  let dev: StratusDev;
  const client = new RemotingClient();
  beforeAll(async () => {
    dev = await startStratusDev({ brokerConf: "autoCreateTopicEnable=false\n" });
  });
  afterAll(async () => {
    client.close();
    await dev.stop();
    removeDir(dev.dataDir);
  });

  it("refuses sends to an unknown topic with TOPIC_NOT_EXIST when auto-create is off", async () => {
    const r = await sendV2(client, dev.brokerAddr, "NoSuchTopic", 0, Buffer.from("x"));
    expect(r.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    expect(r.remark).toContain("NoSuchTopic");
  });

  it("stores a message and serves it back from the offset it was given", async () => {
    expect((await client.invoke(dev.brokerAddr, createTopicRequest("RoundTrip", 6))).code).toBe(
      ResponseCode.SUCCESS,
    );
    const sent = await sendV2(client, dev.brokerAddr, "RoundTrip", 2, Buffer.from("hello"), {
      TAGS: "TagA",
      KEYS: "k1",
    });
    expect(sent.code).toBe(ResponseCode.SUCCESS);
    expect(sent.extFields.msgId).toMatch(/^[0-9A-F]{32}$/);
    const offset = Number(sent.extFields.queueOffset);
    const { response, messages } = await pull(client, dev.brokerAddr, "g1", "RoundTrip", 2, offset);
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(messages[0]?.body.toString()).toBe("hello");
    expect(messages[0]?.properties.get("TAGS")).toBe("TagA");
    expect(messages[0]?.queueOffset).toBe(offset);
  });

  it("answers PULL_OFFSET_MOVED past the max offset and PULL_NOT_FOUND at it", async () => {
    const max = await client.invoke(
      dev.brokerAddr,
      createRequest(RequestCode.GET_MAX_OFFSET, { topic: "RoundTrip", queueId: "2" }),
    );
    const maxOffset = Number(max.extFields.offset);
    expect(maxOffset).toBeGreaterThan(0);
    expect((await pull(client, dev.brokerAddr, "g1", "RoundTrip", 2, maxOffset)).response.code).toBe(
      ResponseCode.PULL_NOT_FOUND,
    );
    const moved = await pull(client, dev.brokerAddr, "g1", "RoundTrip", 2, maxOffset + 5);
    expect(moved.response.code).toBe(ResponseCode.PULL_OFFSET_MOVED);
    expect(Number(moved.response.extFields.nextBeginOffset)).toBe(maxOffset);
  });

  it("enforces topic permissions: a write-only topic refuses pulls, a read-only route carries no write", async () => {
    expect((await client.invoke(dev.brokerAddr, createTopicRequest("WriteOnly", 2))).code).toBe(
      ResponseCode.SUCCESS,
    );
    expect((await sendV2(client, dev.brokerAddr, "WriteOnly", 0, Buffer.from("w"))).code).toBe(
      ResponseCode.SUCCESS,
    );
    const r = await pull(client, dev.brokerAddr, "g1", "WriteOnly", 0, 0);
    expect(r.response.code).toBe(ResponseCode.NO_PERMISSION);
    // a read-only topic's route on the NameServer (what producers choose queues from) has no write bit
    expect((await client.invoke(dev.brokerAddr, createTopicRequest("ReadOnly", 4))).code).toBe(
      ResponseCode.SUCCESS,
    );
    const route = await client.invoke(
      dev.namesrvAddr,
      createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: "ReadOnly" }),
    );
    expect(route.code, route.remark).toBe(ResponseCode.SUCCESS);
    const perms = decodeTopicRouteData(route.body ?? Buffer.alloc(0)).queueDatas.map((q) => q.perm);
    expect(perms).toEqual([PermName.PERM_READ]);
  });

  it("wakes a long-polled pull when a message arrives", async () => {
    expect((await client.invoke(dev.brokerAddr, createTopicRequest("LongPoll", 6, 1))).code).toBe(
      ResponseCode.SUCCESS,
    );
    const ext = {
      consumerGroup: "lp",
      topic: "LongPoll",
      queueId: "0",
      queueOffset: "0",
      maxMsgNums: "32",
      sysFlag: String(2 | 4),
      commitOffset: "0",
      suspendTimeoutMillis: "15000",
      subscription: "*",
      subVersion: "0",
    };
    const started = Date.now();
    const parked = client.invoke(dev.brokerAddr, createRequest(RequestCode.PULL_MESSAGE, ext), 20_000);
    await new Promise((r) => setTimeout(r, 300));
    expect((await sendV2(client, dev.brokerAddr, "LongPoll", 0, Buffer.from("wake"))).code).toBe(
      ResponseCode.SUCCESS,
    );
    const res = await parked;
    expect(res.code).toBe(ResponseCode.SUCCESS);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("stores and answers consumer offsets", async () => {
    const upd = createRequest(RequestCode.UPDATE_CONSUMER_OFFSET, {
      consumerGroup: "og",
      topic: "RoundTrip",
      queueId: "1",
      commitOffset: "42",
    });
    expect((await client.invoke(dev.brokerAddr, upd)).code).toBe(ResponseCode.SUCCESS);
    const q = await client.invoke(
      dev.brokerAddr,
      createRequest(RequestCode.QUERY_CONSUMER_OFFSET, {
        consumerGroup: "og",
        topic: "RoundTrip",
        queueId: "1",
      }),
    );
    expect(q.code).toBe(ResponseCode.SUCCESS);
    expect(q.extFields.offset).toBe("42");
  });

  it("serves the same requests on the VIP channel (listenPort - 2)", async () => {
    const [host, port] = dev.brokerAddr.split(":");
    const vip = `${host}:${Number(port) - 2}`;
    const r = await client.invoke(
      vip,
      createRequest(RequestCode.GET_MAX_OFFSET, { topic: "RoundTrip", queueId: "2" }),
    );
    expect(r.code).toBe(ResponseCode.SUCCESS);
  });

  it("answers a malformed header with an error and a remark naming the field", async () => {
    const r = await client.invoke(
      dev.brokerAddr,
      createRequest(RequestCode.GET_MAX_OFFSET, { topic: "RoundTrip" }),
    );
    expect(r.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(r.remark).toContain("queueId");
  });
});
