import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RebalanceLockManager } from "../../../lib/broker/rebalance-lock-manager.js";
import type { MessageQueue } from "../../../lib/protocol/body/json-body.js";
import { RPC_ONEWAY } from "../../../lib/protocol/remoting-command.js";
import { RequestCode } from "../../../lib/protocol/request-code.js";
import { ResponseCode } from "../../../lib/protocol/response-code.js";
import { type AdminFixture, createAdminFixture } from "./admin-fixture.js";

const mq = (queueId: number): MessageQueue => ({ topic: "TopicA", brokerName: "broker-a", queueId });

function lockBody(clientId: string, mqs: MessageQueue[], group = "GroupA"): string {
  const mqSet = mqs.map((m) => ({ brokerName: m.brokerName, queueId: m.queueId, topic: m.topic }));
  return JSON.stringify({ clientId, consumerGroup: group, mqSet, onlyThisBroker: false });
}

let f: AdminFixture;
let locks: RebalanceLockManager;
beforeEach(() => {
  f = createAdminFixture([], (clock) => {
    locks = new RebalanceLockManager(clock);
    return { lockManager: locks };
  });
});
afterEach(() => f.cleanup());

async function lock(clientId: string, mqs: MessageQueue[]): Promise<string> {
  const r = await f.call(RequestCode.LOCK_BATCH_MQ, {}, lockBody(clientId, mqs));
  expect(r.code).toBe(ResponseCode.SUCCESS);
  return r.body?.toString() ?? "";
}

describe("LOCK_BATCH_MQ / UNLOCK_BATCH_MQ", () => {
  it("grants free queues and answers them as lockOKMQSet", async () => {
    expect(await lock("c1", [mq(0), mq(1)])).toBe(
      '{"lockOKMQSet":[{"brokerName":"broker-a","queueId":0,"topic":"TopicA"},{"brokerName":"broker-a","queueId":1,"topic":"TopicA"}]}',
    );
  });

  it("answers only the queues this client holds when another client holds some", async () => {
    await lock("c1", [mq(0)]);
    expect(await lock("c2", [mq(0), mq(1)])).toBe(
      '{"lockOKMQSet":[{"brokerName":"broker-a","queueId":1,"topic":"TopicA"}]}',
    );
  });

  it("hands a queue over after its holder's lease expired (60 s)", async () => {
    await lock("c1", [mq(0)]);
    f.clock.advance(60_000);
    expect(await lock("c2", [mq(0)])).toBe('{"lockOKMQSet":[]}');
    f.clock.advance(1);
    expect(await lock("c2", [mq(0)])).toContain('"queueId":0');
  });

  it("releases on unlock, and answers nothing to a oneway unlock", async () => {
    await lock("c1", [mq(0)]);
    const r = await f.call(RequestCode.UNLOCK_BATCH_MQ, {}, lockBody("c1", [mq(0)]));
    expect(r.code).toBe(ResponseCode.SUCCESS);
    expect(await lock("c2", [mq(0)])).toContain('"queueId":0');
    const dispatcherAnswer = f.call(RequestCode.UNLOCK_BATCH_MQ, {}, lockBody("c2", [mq(0)]), {
      flag: RPC_ONEWAY,
    });
    await expect(dispatcherAnswer).rejects.toThrow(/no response/);
    expect(locks.isLocked("GroupA", mq(0), "c2")).toBe(false);
  });

  it("answers SYSTEM_ERROR for a body that is empty, not JSON, or without clientId", async () => {
    for (const body of [undefined, "{oops", JSON.stringify({ consumerGroup: "g", mqSet: [] })]) {
      const r = await f.call(RequestCode.LOCK_BATCH_MQ, {}, body);
      expect(r.code).toBe(ResponseCode.SYSTEM_ERROR);
      expect(r.remark).toContain("LOCK_BATCH_MQ");
    }
  });
});
