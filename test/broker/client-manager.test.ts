import { describe, expect, it } from "vitest";
import { ConsumerManager } from "../../lib/broker/client-manager.js";
import { ManualClock } from "../../lib/common/clock.js";
import type { ConsumerData, SubscriptionData } from "../../lib/protocol/body/heartbeat-data.js";
import type { RemotingCommand } from "../../lib/protocol/remoting-command.js";
import { RequestCode } from "../../lib/protocol/request-code.js";
import type { Connection } from "../../lib/remoting/connection.js";

/** A connection that records the oneway requests the manager pushes to it. */
function fakeConnection(): { connection: Connection; notified: () => number } {
  const sent: RemotingCommand[] = [];
  const connection = {
    isClosed: () => false,
    invokeOneway: (r: RemotingCommand) => sent.push(r),
    close: () => undefined,
  } as unknown as Connection;
  const notified = () => sent.filter((r) => r.code === RequestCode.NOTIFY_CONSUMER_IDS_CHANGED).length;
  return { connection, notified };
}

function sub(topic: string, subString: string, subVersion: number): SubscriptionData {
  return {
    topic,
    subString,
    tagsSet: [],
    codeSet: [],
    subVersion,
    expressionType: "TAG",
    classFilterMode: false,
  };
}

function consumer(subs: SubscriptionData[], messageModel = "CLUSTERING"): ConsumerData {
  return {
    groupName: "g",
    consumeType: "CONSUME_PASSIVELY",
    messageModel,
    consumeFromWhere: "CONSUME_FROM_LAST_OFFSET",
    unitMode: false,
    subscriptionDataSet: subs,
  };
}

function setup() {
  const manager = new ConsumerManager(new ManualClock(), 120_000, () => true);
  const a = fakeConnection();
  const join = (subs: SubscriptionData[], model?: string) =>
    manager.registerConsumer(consumer(subs, model), {
      connection: a.connection,
      clientId: "A",
      language: "JAVA",
      version: 0,
    });
  return { manager, a, join };
}

describe("ConsumerManager subscriptions (Apache ConsumerGroupInfo.updateSubscription)", () => {
  it("notifies when a member joins or a topic is added or dropped, not on a plain refresh", () => {
    const { a, join } = setup();
    join([sub("t1", "*", 1)]);
    expect(a.notified()).toBe(1);
    join([sub("t1", "*", 1)]);
    expect(a.notified()).toBe(1);
    join([sub("t1", "*", 1), sub("t2", "*", 1)]);
    expect(a.notified()).toBe(2);
    join([sub("t2", "*", 1)]);
    expect(a.notified()).toBe(3);
  });

  it("takes a newer expression for a topic without a rebalance and ignores an older one", () => {
    const { manager, a, join } = setup();
    join([sub("t1", "TagA", 10)]);
    join([sub("t1", "TagB", 20)]);
    expect(manager.findSubscriptionData("g", "t1")?.subString).toBe("TagB");
    join([sub("t1", "TagA", 10)]);
    expect(manager.findSubscriptionData("g", "t1")?.subString).toBe("TagB");
    expect(a.notified()).toBe(1);
  });

  it("never notifies a broadcasting group", () => {
    const { a, join } = setup();
    join([sub("t1", "*", 1)], "BROADCASTING");
    join([sub("t2", "*", 1)], "BROADCASTING");
    expect(a.notified()).toBe(0);
  });
});
