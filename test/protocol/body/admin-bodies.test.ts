import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isStratusError } from "../../../lib/common/errors.js";
import {
  decodeGroupList,
  decodeSubscriptionGroupConfig,
  decodeSubscriptionGroupWrapper,
  decodeTopicConfigSerializeWrapper,
  encodeGroupList,
  encodeSubscriptionGroupConfig,
  encodeSubscriptionGroupWrapper,
  encodeTopicConfigSerializeWrapper,
  type SubscriptionGroupConfig,
} from "../../../lib/protocol/body/admin-bodies.js";
import { readAdminFixture } from "../../golden/admin/read-golden.js";

const group: SubscriptionGroupConfig = {
  groupName: "GroupA",
  consumeEnable: false,
  consumeFromMinEnable: false,
  consumeBroadcastEnable: false,
  consumeMessageOrderly: true,
  retryQueueNums: 3,
  retryMaxTimes: 5,
  brokerId: 1,
  whichBrokerWhenConsumeSlowly: 2,
  notifyConsumerIdsChangedEnable: false,
  groupSysFlag: 2,
  consumeTimeoutMinute: 30,
};

const dataVersion = { counter: 3, stateVersion: 0, timestamp: 1_700_000_000_789 };

describe("SubscriptionGroupConfig", () => {
  it("decodes what mqadmin 5.x sends, ignoring the fields Stratus does not keep", () => {
    expect(
      decodeSubscriptionGroupConfig(Buffer.from(readAdminFixture("subscription-group-config-java5"))),
    ).toEqual(group);
  });

  it("takes Java's defaults for missing fields", () => {
    expect(decodeSubscriptionGroupConfig(Buffer.from('{"groupName":"g"}'))).toEqual({
      groupName: "g",
      consumeEnable: true,
      consumeFromMinEnable: true,
      consumeBroadcastEnable: true,
      consumeMessageOrderly: false,
      retryQueueNums: 1,
      retryMaxTimes: 16,
      brokerId: 0,
      whichBrokerWhenConsumeSlowly: 1,
      notifyConsumerIdsChangedEnable: true,
      groupSysFlag: 0,
      consumeTimeoutMinute: 15,
    });
  });

  it("requires groupName and typed fields", () => {
    expect(() => decodeSubscriptionGroupConfig(Buffer.from("{}"))).toThrow(/groupName/);
    expect(() =>
      decodeSubscriptionGroupConfig(Buffer.from('{"groupName":"g","retryQueueNums":"x"}')),
    ).toThrow(/retryQueueNums/);
  });

  it("round-trips (property)", () => {
    const arb = fc.record({
      groupName: fc.stringMatching(/^[A-Za-z0-9_%|-]{1,30}$/),
      consumeEnable: fc.boolean(),
      consumeFromMinEnable: fc.boolean(),
      consumeBroadcastEnable: fc.boolean(),
      consumeMessageOrderly: fc.boolean(),
      retryQueueNums: fc.integer({ min: 0, max: 1024 }),
      retryMaxTimes: fc.integer({ min: -1, max: 64 }),
      brokerId: fc.nat(),
      whichBrokerWhenConsumeSlowly: fc.nat(),
      notifyConsumerIdsChangedEnable: fc.boolean(),
      groupSysFlag: fc.nat(255),
      consumeTimeoutMinute: fc.nat(1000),
    });
    fc.assert(
      fc.property(arb, (g) => {
        expect(decodeSubscriptionGroupConfig(encodeSubscriptionGroupConfig(g))).toEqual(g);
      }),
    );
  });
});

describe("SubscriptionGroupWrapper", () => {
  const wrapper = { dataVersion, subscriptionGroupTable: [group] };
  it("encodes the golden body byte for byte", () => {
    expect(encodeSubscriptionGroupWrapper(wrapper).toString()).toBe(
      readAdminFixture("subscription-group-wrapper"),
    );
  });
  it("decodes the golden body", () => {
    expect(
      decodeSubscriptionGroupWrapper(Buffer.from(readAdminFixture("subscription-group-wrapper"))),
    ).toEqual(wrapper);
  });
});

describe("TopicConfigSerializeWrapper", () => {
  const wrapper = {
    dataVersion: { counter: 12, stateVersion: 0, timestamp: 1_700_000_000_321 },
    topicConfigTable: [
      {
        topicName: "TopicA",
        readQueueNums: 3,
        writeQueueNums: 5,
        perm: 4,
        topicFilterType: "MULTI_TAG" as const,
        topicSysFlag: 1,
        order: true,
        attributes: { "message.type": "FIFO" },
      },
    ],
  };
  it("encodes the golden body byte for byte", () => {
    expect(encodeTopicConfigSerializeWrapper(wrapper).toString()).toBe(
      readAdminFixture("topic-config-serialize-wrapper"),
    );
  });
  it("decodes the golden body", () => {
    expect(
      decodeTopicConfigSerializeWrapper(Buffer.from(readAdminFixture("topic-config-serialize-wrapper"))),
    ).toEqual(wrapper);
  });
});

describe("GroupList", () => {
  it("encodes and decodes the golden body", () => {
    expect(encodeGroupList(["GroupA", "GroupB"]).toString()).toBe(readAdminFixture("group-list"));
    expect(decodeGroupList(Buffer.from(readAdminFixture("group-list")))).toEqual(["GroupA", "GroupB"]);
  });
});

describe("admin bodies on hostile input", () => {
  it("raise only StratusError on random bytes (property)", () => {
    const decoders = [
      decodeGroupList,
      decodeSubscriptionGroupConfig,
      decodeSubscriptionGroupWrapper,
      decodeTopicConfigSerializeWrapper,
    ];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), fc.nat(decoders.length - 1), (bytes, i) => {
        try {
          decoders[i]?.(Buffer.from(bytes));
        } catch (e) {
          expect(isStratusError(e)).toBe(true);
        }
      }),
    );
  });

  it("raise only StratusError on every truncation of the golden bodies", () => {
    for (const [name, decode] of [
      ["subscription-group-wrapper", decodeSubscriptionGroupWrapper],
      ["topic-config-serialize-wrapper", decodeTopicConfigSerializeWrapper],
      ["subscription-group-config-java5", decodeSubscriptionGroupConfig],
    ] as const) {
      const golden = Buffer.from(readAdminFixture(name));
      for (let cut = 0; cut < golden.length; cut++) {
        try {
          decode(golden.subarray(0, cut));
        } catch (e) {
          expect(isStratusError(e), `${name} cut at ${cut}`).toBe(true);
        }
      }
    }
  });
});
