/**
 * The broker's consumer-facing requests over real sockets, against a `stratus dev` process: client registration
 * (HEART_BEAT, GET_CONSUMER_LIST_BY_GROUP, UNREGISTER_CLIENT), the NOTIFY_CONSUMER_IDS_CHANGED it pushes to group
 * members, queue bounds, long-poll expiry, the pull's commit-offset piggyback and send permissions.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PullSysFlag } from "../../lib/protocol/header/pull-message-request-header.js";
import { createRequest, isOneway, type RemotingCommand } from "../../lib/protocol/remoting-command.js";
import { RequestCode } from "../../lib/protocol/request-code.js";
import { ResponseCode } from "../../lib/protocol/response-code.js";
import { decodeTopicRouteData } from "../../lib/protocol/route-data.js";
import { RemotingClient } from "../../lib/remoting/client.js";
import {
  consumerHeartbeatRequest,
  createTopicRequest,
  pull,
  ServerRequests,
  sendV2,
  unregisterConsumerRequest,
} from "./raw-client.js";
import { removeDir, type StratusDev, startStratusDev } from "./stratus-process.js";

describe("broker client requests", () => {
  let dev: StratusDev;
  const admin = new RemotingClient();
  /** Consumer connections opened by a test; closed at the end even when the test fails. */
  const consumers: RemotingClient[] = [];

  /** A client with its own connection to the broker that records what the broker sends it. */
  function consumerClient(): { client: RemotingClient; inbox: ServerRequests } {
    const inbox = new ServerRequests();
    const client = new RemotingClient({ handler: inbox.handler });
    consumers.push(client);
    return { client, inbox };
  }

  async function createTopic(topic: string, perm = 6, queues = 1): Promise<void> {
    const r = await admin.invoke(dev.brokerAddr, createTopicRequest(topic, perm, queues));
    expect(r.code, r.remark).toBe(ResponseCode.SUCCESS);
  }

  async function consumerList(group: string): Promise<RemotingCommand> {
    return admin.invoke(
      dev.brokerAddr,
      createRequest(RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: group }),
    );
  }

  async function consumerIds(group: string): Promise<string[]> {
    const r = await consumerList(group);
    expect(r.code, r.remark).toBe(ResponseCode.SUCCESS);
    const body = JSON.parse(r.body?.toString("utf8") ?? "{}") as { consumerIdList?: string[] };
    return [...(body.consumerIdList ?? [])].sort();
  }

  async function queueOffset(code: number, topic: string, queueId: number): Promise<number> {
    const r = await admin.invoke(dev.brokerAddr, createRequest(code, { topic, queueId: String(queueId) }));
    expect(r.code, r.remark).toBe(ResponseCode.SUCCESS);
    return Number(r.extFields.offset);
  }

  async function consumerOffset(group: string, topic: string, queueId: number): Promise<string | undefined> {
    const r = await admin.invoke(
      dev.brokerAddr,
      createRequest(RequestCode.QUERY_CONSUMER_OFFSET, {
        consumerGroup: group,
        topic,
        queueId: String(queueId),
      }),
    );
    return r.code === ResponseCode.SUCCESS ? r.extFields.offset : `code ${r.code}`;
  }

  /** PULL_MESSAGE with an explicit sysFlag, commitOffset and suspend time (the expression is always sent). */
  function pullWith(
    group: string,
    topic: string,
    offset: number,
    opts: { sysFlag: number; commitOffset?: number; suspendMs?: number },
    timeoutMs = 10_000,
  ): Promise<RemotingCommand> {
    const ext = {
      consumerGroup: group,
      topic,
      queueId: "0",
      queueOffset: String(offset),
      maxMsgNums: "32",
      sysFlag: String(opts.sysFlag | PullSysFlag.FLAG_SUBSCRIPTION),
      commitOffset: String(opts.commitOffset ?? 0),
      suspendTimeoutMillis: String(opts.suspendMs ?? 0),
      subscription: "*",
      subVersion: "0",
      expressionType: "TAG",
    };
    return admin.invoke(dev.brokerAddr, createRequest(RequestCode.PULL_MESSAGE, ext), timeoutMs);
  }

  /** The perm of each queueData in the NameServer's route for `topic`. */
  async function routePerms(topic: string): Promise<number[]> {
    const route = await admin.invoke(
      dev.namesrvAddr,
      createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic }),
    );
    expect(route.code, route.remark).toBe(ResponseCode.SUCCESS);
    return decodeTopicRouteData(route.body ?? Buffer.alloc(0)).queueDatas.map((q) => q.perm);
  }

  /** PULL_MESSAGE without the expression (sysFlag 0), as a push consumer sends it. */
  function pullRegistered(group: string, topic: string): Promise<RemotingCommand> {
    const ext = {
      consumerGroup: group,
      topic,
      queueId: "0",
      queueOffset: "0",
      maxMsgNums: "32",
      sysFlag: "0",
      commitOffset: "0",
      suspendTimeoutMillis: "0",
      subVersion: "0",
    };
    return admin.invoke(dev.brokerAddr, createRequest(RequestCode.PULL_MESSAGE, ext));
  }

  /** UPDATE_BROKER_CONFIG with one `key=value` line. */
  function updateBrokerConfig(line: string): Promise<RemotingCommand> {
    return admin.invoke(
      dev.brokerAddr,
      createRequest(RequestCode.UPDATE_BROKER_CONFIG, {}, Buffer.from(`${line}\n`)),
    );
  }

  async function sendN(topic: string, n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      const r = await sendV2(admin, dev.brokerAddr, topic, 0, Buffer.from(`m${i}`));
      expect(r.code, r.remark).toBe(ResponseCode.SUCCESS);
    }
  }

  beforeAll(async () => {
    dev = await startStratusDev({ brokerConf: "autoCreateTopicEnable=false\n" });
  });
  afterAll(async () => {
    for (const c of consumers) c.close();
    admin.close();
    await dev.stop();
    removeDir(dev.dataDir);
  });

  it("registers a consumer group by HEART_BEAT, lists its client ids, and drops them on UNREGISTER_CLIENT", async () => {
    await createTopic("HbTopic");
    const group = "hb-group";
    const before = await consumerList(group);
    expect(before.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(before.remark).toBe(`no consumer for this group, ${group}`);
    // a pull that does not carry its expression (push consumers) needs the subscription a heartbeat registered
    const unsubscribed = await pullRegistered(group, "HbTopic");
    expect(unsubscribed.code).toBe(ResponseCode.SUBSCRIPTION_NOT_EXIST);
    expect(unsubscribed.remark).toBe(`the consumer's group info not exist, ${group}`);

    const a = consumerClient();
    const b = consumerClient();
    const idA = "10.0.0.1@consumer-a";
    const idB = "10.0.0.2@consumer-b";
    expect(
      (await a.client.invoke(dev.brokerAddr, consumerHeartbeatRequest(idA, group, "HbTopic"))).code,
    ).toBe(ResponseCode.SUCCESS);
    expect(await consumerIds(group)).toEqual([idA]);
    const subscribed = await pullRegistered(group, "HbTopic");
    expect(subscribed.code, subscribed.remark).toBe(ResponseCode.PULL_NOT_FOUND);

    expect(
      (await b.client.invoke(dev.brokerAddr, consumerHeartbeatRequest(idB, group, "HbTopic"))).code,
    ).toBe(ResponseCode.SUCCESS);
    expect(await consumerIds(group)).toEqual([idA, idB]);

    expect((await b.client.invoke(dev.brokerAddr, unregisterConsumerRequest(idB, group))).code).toBe(
      ResponseCode.SUCCESS,
    );
    expect(await consumerIds(group)).toEqual([idA]);
    expect((await a.client.invoke(dev.brokerAddr, unregisterConsumerRequest(idA, group))).code).toBe(
      ResponseCode.SUCCESS,
    );
    const after = await consumerList(group);
    expect(after.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(after.remark).toBe(`no consumer for this group, ${group}`);
  });

  it("sends NOTIFY_CONSUMER_IDS_CHANGED (oneway, consumerGroup) to the group's members when one joins or leaves", async () => {
    await createTopic("NotifyTopic");
    const group = "notify-group";
    const NOTIFY = RequestCode.NOTIFY_CONSUMER_IDS_CHANGED;
    const a = consumerClient();
    const b = consumerClient();
    const idA = "10.0.0.1@notify-a";
    const idB = "10.0.0.2@notify-b";
    const expectNotify = (req: RemotingCommand) => {
      expect(req.code).toBe(NOTIFY);
      expect(isOneway(req)).toBe(true);
      expect(req.extFields.consumerGroup).toBe(group);
    };

    // a new channel makes the broker notify every channel of the group, the newcomer included (Apache does too)
    await a.client.invoke(dev.brokerAddr, consumerHeartbeatRequest(idA, group, "NotifyTopic", "*", 1));
    expectNotify(await a.inbox.next(NOTIFY, 0));

    // the broker writes a notify before the heartbeat's response on the same connection: none came for a refresh
    const refresh = await a.client.invoke(
      dev.brokerAddr,
      consumerHeartbeatRequest(idA, group, "NotifyTopic", "*", 1),
    );
    expect(refresh.code).toBe(ResponseCode.SUCCESS);
    expect(a.inbox.count(NOTIFY)).toBe(1);

    await b.client.invoke(dev.brokerAddr, consumerHeartbeatRequest(idB, group, "NotifyTopic", "*", 1));
    expectNotify(await a.inbox.next(NOTIFY, 1));
    expectNotify(await b.inbox.next(NOTIFY, 0));

    // B leaves: A hears of it, B (no longer a member) does not
    const bCount = b.inbox.count(NOTIFY);
    const left = await b.client.invoke(dev.brokerAddr, unregisterConsumerRequest(idB, group));
    expect(left.code).toBe(ResponseCode.SUCCESS);
    expectNotify(await a.inbox.next(NOTIFY, 2));
    expect(b.inbox.count(NOTIFY)).toBe(bCount);

    // B joins again and then its connection drops: A is told both times
    await b.client.invoke(dev.brokerAddr, consumerHeartbeatRequest(idB, group, "NotifyTopic", "*", 1));
    expectNotify(await a.inbox.next(NOTIFY, 3));
    b.client.close();
    expectNotify(await a.inbox.next(NOTIFY, 4));
    expect(await consumerIds(group)).toEqual([idA]);
  });

  it("answers GET_MIN_OFFSET: 0 on a fresh queue, still 0 after sends while the max offset grows", async () => {
    await createTopic("MinOffset");
    expect(await queueOffset(RequestCode.GET_MIN_OFFSET, "MinOffset", 0)).toBe(0);
    expect(await queueOffset(RequestCode.GET_MAX_OFFSET, "MinOffset", 0)).toBe(0);
    await sendN("MinOffset", 3);
    const min = await queueOffset(RequestCode.GET_MIN_OFFSET, "MinOffset", 0);
    expect(min).toBe(0);
    expect(await queueOffset(RequestCode.GET_MAX_OFFSET, "MinOffset", 0)).toBe(3);
    // the min offset is where the queue's first message still is
    const first = await pull(admin, dev.brokerAddr, "min-reader", "MinOffset", 0, min, 1);
    expect(first.response.code).toBe(ResponseCode.SUCCESS);
    expect(first.messages[0]?.body.toString()).toBe("m0");
    expect(first.messages[0]?.queueOffset).toBe(min);
  });

  it("answers a long-polled pull at the max offset with PULL_NOT_FOUND once its suspend time runs out", async () => {
    await createTopic("LongPollExpiry");
    await sendN("LongPollExpiry", 2);
    const suspendMs = 1500;
    const started = Date.now();
    const r = await pullWith("lp-expiry", "LongPollExpiry", 2, {
      sysFlag: PullSysFlag.FLAG_SUSPEND,
      suspendMs,
    });
    const elapsed = Date.now() - started;
    expect(r.code).toBe(ResponseCode.PULL_NOT_FOUND);
    expect(r.extFields.nextBeginOffset).toBe("2");
    expect(r.extFields.maxOffset).toBe("2");
    expect(elapsed).toBeGreaterThanOrEqual(suspendMs - 150);
    expect(elapsed).toBeLessThan(suspendMs + 3000);
  });

  it("stores the pull's commitOffset as the group's offset only when the commit-offset flag is set", async () => {
    await createTopic("CommitFlag");
    await sendN("CommitFlag", 5);
    const group = "commit-group";
    const committed = await pullWith(group, "CommitFlag", 0, {
      sysFlag: PullSysFlag.FLAG_COMMIT_OFFSET,
      commitOffset: 3,
    });
    expect(committed.code).toBe(ResponseCode.SUCCESS);
    expect(await consumerOffset(group, "CommitFlag", 0)).toBe("3");

    const plain = await pullWith(group, "CommitFlag", 3, { sysFlag: 0, commitOffset: 4 });
    expect(plain.code).toBe(ResponseCode.SUCCESS);
    expect(await consumerOffset(group, "CommitFlag", 0)).toBe("3");

    // a pull that gets parked stores its commitOffset right away (first processing), not when it is answered
    const parked = pullWith(group, "CommitFlag", 5, {
      sysFlag: PullSysFlag.FLAG_COMMIT_OFFSET | PullSysFlag.FLAG_SUSPEND,
      commitOffset: 5,
      suspendMs: 1000,
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(await consumerOffset(group, "CommitFlag", 0)).toBe("5");
    expect((await parked).code).toBe(ResponseCode.PULL_NOT_FOUND);
  });

  it("stores a send to a read-only topic (perm=4) as Apache does: only its route keeps producers away", async () => {
    // Apache's send path checks no topic perm (AbstractSendMessageProcessor.msgCheck, protocol doc §4.2-4.3);
    // the NameServer route carries the perm, and producers pick only writable queues from it.
    await createTopic("ReadOnlyTopic", 4);
    expect(await routePerms("ReadOnlyTopic")).toEqual([4]);
    const before = await queueOffset(RequestCode.GET_MAX_OFFSET, "ReadOnlyTopic", 0);
    const sent = await sendV2(admin, dev.brokerAddr, "ReadOnlyTopic", 0, Buffer.from("ro"));
    expect(sent.code, sent.remark).toBe(ResponseCode.SUCCESS);
    expect(await queueOffset(RequestCode.GET_MAX_OFFSET, "ReadOnlyTopic", 0)).toBe(before + 1);
  });

  it("refuses a send to an order topic on a read-only broker with NO_PERMISSION and stores nothing", async () => {
    const order = createTopicRequest("OrderTopic", 6, 1);
    const created = await admin.invoke(dev.brokerAddr, {
      ...order,
      extFields: { ...order.extFields, order: "true" },
    });
    expect(created.code, created.remark).toBe(ResponseCode.SUCCESS);
    await createTopic("PlainTopic");
    const setPerm = (perm: number) => updateBrokerConfig(`brokerPermission=${perm}`);
    expect((await setPerm(4)).code).toBe(ResponseCode.SUCCESS);
    try {
      // the broker re-registers with the read-only perm ANDed into its topics' route perms
      await expect.poll(() => routePerms("OrderTopic"), { timeout: 5000 }).toEqual([4]);

      const before = await queueOffset(RequestCode.GET_MAX_OFFSET, "OrderTopic", 0);
      const refused = await sendV2(admin, dev.brokerAddr, "OrderTopic", 0, Buffer.from("o"));
      expect(refused.code).toBe(ResponseCode.NO_PERMISSION);
      // Apache names the broker by its brokerIP1 (the host of its address), not its brokerName
      const brokerIP1 = dev.brokerAddr.slice(0, dev.brokerAddr.lastIndexOf(":"));
      expect(refused.remark).toBe(`the broker[${brokerIP1}] sending message is forbidden`);
      expect(await queueOffset(RequestCode.GET_MAX_OFFSET, "OrderTopic", 0)).toBe(before);
      // an ordinary topic on the same read-only broker still takes the send (Apache checks order topics only)
      expect((await sendV2(admin, dev.brokerAddr, "PlainTopic", 0, Buffer.from("p"))).code).toBe(
        ResponseCode.SUCCESS,
      );
    } finally {
      expect((await setPerm(6)).code).toBe(ResponseCode.SUCCESS);
    }
  });

  it("refuses a transaction half message with NO_PERMISSION when rejectTransactionMessage is on, storing nothing", async () => {
    await createTopic("TxRejected");
    const halfTopic = "RMQ_SYS_TRANS_HALF_TOPIC";
    expect((await updateBrokerConfig("rejectTransactionMessage=true")).code).toBe(ResponseCode.SUCCESS);
    try {
      const halfBefore = await queueOffset(RequestCode.GET_MAX_OFFSET, halfTopic, 0);
      const refused = await sendV2(admin, dev.brokerAddr, "TxRejected", 0, Buffer.from("tx"), {
        TRAN_MSG: "true",
        PGROUP: "tx-producer",
      });
      expect(refused.code).toBe(ResponseCode.NO_PERMISSION);
      const brokerIP1 = dev.brokerAddr.slice(0, dev.brokerAddr.lastIndexOf(":"));
      expect(refused.remark).toBe(`the broker[${brokerIP1}] sending transaction message is forbidden`);
      expect(await queueOffset(RequestCode.GET_MAX_OFFSET, "TxRejected", 0)).toBe(0);
      expect(await queueOffset(RequestCode.GET_MAX_OFFSET, halfTopic, 0)).toBe(halfBefore);
    } finally {
      expect((await updateBrokerConfig("rejectTransactionMessage=false")).code).toBe(ResponseCode.SUCCESS);
    }
  });
});
