import { connect, createServer, type Server, type Socket } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decodeGroupList } from "../../../lib/protocol/body/admin-bodies.js";
import {
  decodeConsumerConnection,
  decodeProducerConnection,
} from "../../../lib/protocol/body/connection-bodies.js";
import {
  decodeConsumeStats,
  decodeQueryConsumeTimeSpanBody,
  decodeResetOffsetBody,
  decodeResetOffsetBodyForC,
  decodeTopicStatsTable,
} from "../../../lib/protocol/body/queue-stats-bodies.js";
import { createResponse, type RemotingCommand } from "../../../lib/protocol/remoting-command.js";
import { RequestCode } from "../../../lib/protocol/request-code.js";
import { ResponseCode } from "../../../lib/protocol/response-code.js";
import { Connection, type RequestHandler } from "../../../lib/remoting/connection.js";
import { type AdminFixture, createAdminFixture, FakeConnection, subscription } from "./admin-fixture.js";

const T0 = 1_700_000_000_000;
let f: AdminFixture;

function createTopic(topic: string, read: number, write: number): void {
  f.ctx.topicConfigManager.update({
    topicName: topic,
    readQueueNums: read,
    writeQueueNums: write,
    perm: 6,
    topicFilterType: "SINGLE_TAG",
    topicSysFlag: 0,
    order: false,
    attributes: {},
  });
}

const body = (r: RemotingCommand): Buffer => r.body ?? Buffer.alloc(0);

beforeEach(() => {
  f = createAdminFixture([], { callConsumerTimeoutMs: 200 });
});
afterEach(() => f.cleanup());

describe("GET_TOPIC_STATS_INFO", () => {
  it("answers min/max offsets and the last store time of every write queue", async () => {
    createTopic("TopicA", 2, 3);
    for (let i = 0; i < 5; i++) f.store.put("TopicA", 1, { storeTimestamp: T0 + i });
    f.store.minOffsets.set("TopicA@1", 2);
    const r = await f.call(RequestCode.GET_TOPIC_STATS_INFO, { topic: "TopicA" });
    expect(r.code).toBe(ResponseCode.SUCCESS);
    expect(body(r).toString()).toContain('{"brokerName":"broker-a","queueId":0,"topic":"TopicA"}:');
    const mq = (queueId: number) => ({ topic: "TopicA", brokerName: "broker-a", queueId });
    expect(decodeTopicStatsTable(body(r))).toEqual({
      offsetTable: [
        [mq(0), { minOffset: 0, maxOffset: 0, lastUpdateTimestamp: 0 }],
        [mq(1), { minOffset: 2, maxOffset: 5, lastUpdateTimestamp: T0 + 4 }],
        [mq(2), { minOffset: 0, maxOffset: 0, lastUpdateTimestamp: 0 }],
      ],
      topicPutTps: 0,
    });
  });

  it("answers TOPIC_NOT_EXIST for an unknown topic", async () => {
    const r = await f.call(RequestCode.GET_TOPIC_STATS_INFO, { topic: "Nope" });
    expect(r.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    expect(r.remark).toBe("topic[Nope] not exist");
  });
});

describe("GET_CONSUME_STATS", () => {
  beforeEach(() => {
    createTopic("TopicA", 2, 2);
    createTopic("TopicB", 1, 1);
    for (let i = 0; i < 4; i++) f.store.put("TopicA", 0, { storeTimestamp: T0 + i * 10 });
    f.ctx.consumerOffsetManager.commitOffset("GroupA", "TopicA", 0, 3);
    f.ctx.consumerOffsetManager.commitOffset("GroupA", "TopicB", 0, 0);
  });

  it("answers broker and consumer offsets per read queue of every topic the group has offsets for", async () => {
    const r = await f.call(RequestCode.GET_CONSUME_STATS, { consumerGroup: "GroupA" });
    expect(r.code).toBe(ResponseCode.SUCCESS);
    expect(body(r).toString()).toMatch(
      /^\{"consumeTps":0\.0,"offsetTable":\{\{"brokerName":"broker-a","queueId":0,"topic":"TopicA"\}:/,
    );
    const stats = decodeConsumeStats(body(r));
    expect(stats.offsetTable).toEqual([
      [
        { topic: "TopicA", brokerName: "broker-a", queueId: 0 },
        { brokerOffset: 4, consumerOffset: 3, pullOffset: 3, lastTimestamp: T0 + 20 },
      ],
      [
        { topic: "TopicA", brokerName: "broker-a", queueId: 1 },
        { brokerOffset: 0, consumerOffset: 0, pullOffset: 0, lastTimestamp: 0 },
      ],
      [
        { topic: "TopicB", brokerName: "broker-a", queueId: 0 },
        { brokerOffset: 0, consumerOffset: 0, pullOffset: 0, lastTimestamp: 0 },
      ],
    ]);
  });

  it("answers only the requested topic", async () => {
    const stats = decodeConsumeStats(
      body(await f.call(RequestCode.GET_CONSUME_STATS, { consumerGroup: "GroupA", topic: "TopicB" })),
    );
    expect(stats.offsetTable.map(([mq]) => mq.topic)).toEqual(["TopicB"]);
  });

  it("leaves out topics an online group no longer subscribes to", async () => {
    f.heartbeat("GroupA", "c1", [subscription("TopicB")]);
    const stats = decodeConsumeStats(
      body(await f.call(RequestCode.GET_CONSUME_STATS, { consumerGroup: "GroupA" })),
    );
    expect(stats.offsetTable.map(([mq]) => mq.topic)).toEqual(["TopicB"]);
  });

  it("answers an empty table for an unknown group", async () => {
    const r = await f.call(RequestCode.GET_CONSUME_STATS, { consumerGroup: "Nobody" });
    expect(body(r).toString()).toBe('{"consumeTps":0.0,"offsetTable":{}}');
  });
});

describe("connection lists", () => {
  it("GET_CONSUMER_CONNECTION_LIST answers the group's clients and subscriptions", async () => {
    f.heartbeat(
      "GroupA",
      "10.0.0.7@1",
      [subscription("TopicA", "TagA")],
      new FakeConnection("10.0.0.7:50001"),
      317,
    );
    const r = await f.call(RequestCode.GET_CONSUMER_CONNECTION_LIST, { consumerGroup: "GroupA" });
    expect(r.code).toBe(ResponseCode.SUCCESS);
    const c = decodeConsumerConnection(body(r));
    expect(c.connectionSet).toEqual([
      { clientId: "10.0.0.7@1", clientAddr: "10.0.0.7:50001", language: "JAVA", version: 317 },
    ]);
    expect(c.subscriptionTable).toEqual([subscription("TopicA", "TagA")]);
    expect([c.consumeType, c.messageModel, c.consumeFromWhere]).toEqual([
      "CONSUME_PASSIVELY",
      "CLUSTERING",
      "CONSUME_FROM_LAST_OFFSET",
    ]);
  });

  it("GET_CONSUMER_CONNECTION_LIST answers CONSUMER_NOT_ONLINE for a group without clients", async () => {
    const r = await f.call(RequestCode.GET_CONSUMER_CONNECTION_LIST, { consumerGroup: "GroupA" });
    expect(r.code).toBe(ResponseCode.CONSUMER_NOT_ONLINE);
    expect(r.remark).toBe("the consumer group[GroupA] not online");
  });

  it("GET_PRODUCER_CONNECTION_LIST answers the group's producers, SYSTEM_ERROR when there are none", async () => {
    const conn = new FakeConnection("10.0.0.8:40001");
    f.ctx.producerManager.registerProducer("PG", {
      connection: conn.asConnection(),
      clientId: "p1",
      language: "GO",
      version: 317,
    });
    const r = await f.call(RequestCode.GET_PRODUCER_CONNECTION_LIST, { producerGroup: "PG" });
    expect(decodeProducerConnection(body(r))).toEqual([
      { clientId: "p1", clientAddr: "10.0.0.8:40001", language: "GO", version: 317 },
    ]);
    const none = await f.call(RequestCode.GET_PRODUCER_CONNECTION_LIST, { producerGroup: "Nope" });
    expect(none.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(none.remark).toBe("the producer group[Nope] not exist");
  });

  it("QUERY_TOPIC_CONSUME_BY_WHO merges subscribed groups and groups with offsets", async () => {
    f.heartbeat("GroupB", "c1", [subscription("TopicA")]);
    f.ctx.consumerOffsetManager.commitOffset("GroupA", "TopicA", 0, 1);
    f.ctx.consumerOffsetManager.commitOffset("GroupB", "TopicA", 0, 1);
    f.ctx.consumerOffsetManager.commitOffset("GroupC", "TopicZ", 0, 1);
    const r = await f.call(RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, { topic: "TopicA" });
    expect(decodeGroupList(body(r))).toEqual(["GroupA", "GroupB"]);
  });
});

describe("QUERY_CONSUME_TIME_SPAN", () => {
  it("answers min/max/consumed store times and the delay of the next message", async () => {
    createTopic("TopicA", 1, 1);
    for (let i = 0; i < 3; i++) f.store.put("TopicA", 0, { storeTimestamp: T0 - 3000 + i * 1000 });
    f.ctx.consumerOffsetManager.commitOffset("GroupA", "TopicA", 0, 1);
    const r = await f.call(RequestCode.QUERY_CONSUME_TIME_SPAN, { topic: "TopicA", group: "GroupA" });
    expect(decodeQueryConsumeTimeSpanBody(body(r))).toEqual([
      {
        messageQueue: { topic: "TopicA", brokerName: "broker-a", queueId: 0 },
        minTimeStamp: T0 - 3000,
        maxTimeStamp: T0 - 1000,
        consumeTimeStamp: T0 - 3000,
        delayTime: 2000,
      },
    ]);
    expect((await f.call(RequestCode.QUERY_CONSUME_TIME_SPAN, { topic: "Nope", group: "G" })).code).toBe(
      ResponseCode.TOPIC_NOT_EXIST,
    );
  });
});

/** A broker-side Connection and a consumer-side Connection over a real loopback socket. */
async function socketPair(
  clientHandler: RequestHandler,
): Promise<{ broker: Connection; client: Connection; close: () => void }> {
  const server: Server = createServer();
  const accepted = new Promise<Socket>((resolve) => server.once("connection", resolve));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const socket = connect({ host: "127.0.0.1", port });
  await new Promise((resolve) => socket.once("connect", resolve));
  const broker = new Connection(await accepted);
  const client = new Connection(socket, { handler: clientHandler });
  return {
    broker,
    client,
    close: () => {
      broker.close();
      client.close();
      server.close();
    },
  };
}

describe("GET_CONSUMER_RUNNING_INFO", () => {
  const header = { consumerGroup: "GroupA", clientId: "c1", jstackEnable: "false" };

  it("forwards the same request to the consumer and answers with its reply", async () => {
    const seen: RemotingCommand[] = [];
    const pair = await socketPair((req) => {
      seen.push(req);
      return createResponse(
        req,
        ResponseCode.SUCCESS,
        undefined,
        { x: "1" },
        Buffer.from('{"properties":{}}'),
      );
    });
    try {
      f.heartbeat("GroupA", "c1", [subscription("TopicA")], pair.broker);
      const r = await f.call(RequestCode.GET_CONSUMER_RUNNING_INFO, header);
      expect(r.code).toBe(ResponseCode.SUCCESS);
      expect(r.body?.toString()).toBe('{"properties":{}}');
      expect(r.extFields.x).toBe("1");
      expect(seen[0]?.code).toBe(RequestCode.GET_CONSUMER_RUNNING_INFO);
      expect(seen[0]?.extFields).toEqual(header);
    } finally {
      pair.close();
    }
  });

  it("answers CONSUME_MSG_TIMEOUT when the consumer does not answer in time", async () => {
    const pair = await socketPair(() => new Promise<undefined>(() => {}));
    try {
      f.heartbeat("GroupA", "c1", [], pair.broker);
      const r = await f.call(RequestCode.GET_CONSUMER_RUNNING_INFO, header);
      expect(r.code).toBe(ResponseCode.CONSUME_MSG_TIMEOUT);
      expect(r.remark).toMatch(/^consumer <GroupA> <c1> Timeout: /);
    } finally {
      pair.close();
    }
  });

  it("answers SYSTEM_ERROR when the consumer is not connected, too old, or drops the connection", async () => {
    const offline = await f.call(RequestCode.GET_CONSUMER_RUNNING_INFO, header);
    expect(offline.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(offline.remark).toBe("The Consumer <GroupA> <c1> not online");

    f.heartbeat("GroupA", "old", [], new FakeConnection(), 61);
    const old = await f.call(RequestCode.GET_CONSUMER_RUNNING_INFO, { ...header, clientId: "old" });
    expect(old.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(old.remark).toContain("too low to finish");

    const pair = await socketPair((req) => {
      pair.client.close();
      return createResponse(req, ResponseCode.SUCCESS);
    });
    f.heartbeat("GroupA", "c1", [], pair.broker);
    const dropped = await f.call(RequestCode.GET_CONSUMER_RUNNING_INFO, header);
    pair.close();
    expect(dropped.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(dropped.remark).toMatch(/^invoke consumer <GroupA> <c1> Exception: /);
  });
});

describe("INVOKE_BROKER_TO_RESET_OFFSET", () => {
  beforeEach(() => {
    createTopic("TopicA", 2, 2);
    for (let i = 0; i < 5; i++) f.store.put("TopicA", 0, { storeTimestamp: T0 + i * 100 });
    for (let i = 0; i < 5; i++) f.store.put("TopicA", 1, { storeTimestamp: T0 + i * 100 });
    f.ctx.consumerOffsetManager.commitOffset("GroupA", "TopicA", 0, 1);
    f.ctx.consumerOffsetManager.commitOffset("GroupA", "TopicA", 1, 4);
  });
  const mq = (queueId: number) => ({ topic: "TopicA", brokerName: "broker-a", queueId });

  it("moves offsets back to the timestamp, stores them and pushes them to every consumer", async () => {
    const conn = f.heartbeat("GroupA", "c1", [subscription("TopicA")]) as FakeConnection;
    const r = await f.call(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, {
      topic: "TopicA",
      group: "GroupA",
      timestamp: String(T0 + 250),
      isForce: "false",
    });
    expect(r.code).toBe(ResponseCode.SUCCESS);
    expect(decodeResetOffsetBody(body(r))).toEqual([
      [mq(0), 1],
      [mq(1), 3],
    ]);
    expect(f.ctx.consumerOffsetManager.queryOffset("GroupA", "TopicA", 1)).toBe(3);
    const pushed = conn.oneway[0];
    expect(pushed?.code).toBe(RequestCode.RESET_CONSUMER_CLIENT_OFFSET);
    expect(pushed?.extFields).toEqual({
      topic: "TopicA",
      group: "GroupA",
      timestamp: String(T0 + 250),
      isForce: "false",
    });
    expect(decodeResetOffsetBody(pushed?.body ?? Buffer.alloc(0))).toEqual([
      [mq(0), 1],
      [mq(1), 3],
    ]);
  });

  it("moves offsets forward too when forced, and to the max offset for timestamp -1", async () => {
    f.heartbeat("GroupA", "c1", [subscription("TopicA")]);
    const forced = await f.call(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, {
      topic: "TopicA",
      group: "GroupA",
      timestamp: String(T0 + 250),
      isForce: "true",
    });
    expect(decodeResetOffsetBody(body(forced))).toEqual([
      [mq(0), 3],
      [mq(1), 3],
    ]);
    const latest = await f.call(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, {
      topic: "TopicA",
      group: "GroupA",
      timestamp: "-1",
      isForce: "true",
    });
    expect(decodeResetOffsetBody(body(latest))).toEqual([
      [mq(0), 5],
      [mq(1), 5],
    ]);
  });

  it("pushes the list form to CPP clients", async () => {
    const conn = f.heartbeat("GroupA", "c1", [subscription("TopicA")]) as FakeConnection;
    await f.call(
      RequestCode.INVOKE_BROKER_TO_RESET_OFFSET,
      { topic: "TopicA", group: "GroupA", timestamp: "-1", isForce: "true" },
      undefined,
      { language: "CPP" },
    );
    expect(decodeResetOffsetBodyForC(conn.oneway[0]?.body ?? Buffer.alloc(0))).toEqual([
      [mq(0), 5],
      [mq(1), 5],
    ]);
  });

  it("answers CONSUMER_NOT_ONLINE (mqadmin then resets offset by offset) and changes nothing", async () => {
    const r = await f.call(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, {
      topic: "TopicA",
      group: "GroupA",
      timestamp: String(T0),
      isForce: "true",
    });
    expect(r.code).toBe(ResponseCode.CONSUMER_NOT_ONLINE);
    expect(r.remark).toBe(
      `Consumer not online, so can not reset offset, Group: GroupA Topic: TopicA Timestamp: ${T0}`,
    );
    expect(f.ctx.consumerOffsetManager.queryOffset("GroupA", "TopicA", 1)).toBe(4);
  });

  it("answers SYSTEM_ERROR for an unknown topic or a group without offsets", async () => {
    const noTopic = await f.call(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, {
      topic: "Nope",
      group: "GroupA",
      timestamp: "-1",
    });
    expect(noTopic.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(noTopic.remark).toContain("no topic in this broker. topic=Nope");
    const noGroup = await f.call(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, {
      topic: "TopicA",
      group: "GroupZ",
      timestamp: "-1",
    });
    expect(noGroup.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(noGroup.remark).toBe("THe consumer group <GroupZ> not exist");
  });
});
