import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isStratusError } from "../../../lib/common/errors.js";
import {
  type ConsumeStats,
  decodeConsumeStats,
  decodeQueryConsumeTimeSpanBody,
  decodeResetOffsetBody,
  decodeResetOffsetBodyForC,
  decodeTopicStatsTable,
  encodeConsumeStats,
  encodeQueryConsumeTimeSpanBody,
  encodeResetOffsetBody,
  encodeResetOffsetBodyForC,
  encodeTopicStatsTable,
  formatTimeSpanDate,
  type QueueTimeSpan,
  type TopicStatsTable,
} from "../../../lib/protocol/body/queue-stats-bodies.js";
import { readAdminFixture } from "../../golden/admin/read-golden.js";

const mqA0 = { topic: "TopicA", brokerName: "broker-a", queueId: 0 };
const mqA1 = { topic: "TopicA", brokerName: "broker-a", queueId: 1 };

const topicStats: TopicStatsTable = {
  offsetTable: [
    [mqA0, { minOffset: 7, maxOffset: 42, lastUpdateTimestamp: 1_700_000_000_123 }],
    [mqA1, { minOffset: 1, maxOffset: 3, lastUpdateTimestamp: 0 }],
  ],
  topicPutTps: 0,
};

const consumeStats: ConsumeStats = {
  consumeTps: 2.5,
  offsetTable: [
    [
      { topic: "TopicA", brokerName: "broker-a", queueId: 3 },
      { brokerOffset: 10, consumerOffset: 8, pullOffset: 9, lastTimestamp: 1_700_000_000_456 },
    ],
    [
      { topic: "TopicB", brokerName: "broker-b", queueId: 0 },
      { brokerOffset: 0, consumerOffset: 0, pullOffset: 0, lastTimestamp: 0 },
    ],
  ],
};

const resetOffsets: Array<[typeof mqA0, number]> = [
  [mqA0, 5],
  [mqA1, 17],
];

const span: QueueTimeSpan = {
  messageQueue: { topic: "TopicA", brokerName: "broker-a", queueId: 2 },
  minTimeStamp: 1_700_000_000_007,
  maxTimeStamp: 1_700_000_002_000,
  consumeTimeStamp: 1_700_000_001_000,
  delayTime: 2500,
};

function both<T>(name: string, value: T, encode: (v: T) => Buffer, decode: (b: Buffer) => T): void {
  describe(name, () => {
    it("encodes the golden body byte for byte", () => {
      expect(encode(value).toString("utf8")).toBe(readAdminFixture(name));
    });
    it("decodes the golden body", () => {
      expect(decode(Buffer.from(readAdminFixture(name)))).toEqual(value);
    });
    it("raises only StratusError on truncated golden bytes", () => {
      const golden = Buffer.from(readAdminFixture(name));
      for (let cut = 0; cut < golden.length; cut++) {
        try {
          decode(golden.subarray(0, cut));
        } catch (e) {
          expect(isStratusError(e), `cut at ${cut}: ${e}`).toBe(true);
        }
      }
    });
  });
}

both("topic-stats-table", topicStats, encodeTopicStatsTable, (b) => decodeTopicStatsTable(b));
both("consume-stats", consumeStats, encodeConsumeStats, (b) => decodeConsumeStats(b));
both("reset-offset-body", resetOffsets, encodeResetOffsetBody, (b) => decodeResetOffsetBody(b));
both("reset-offset-body-for-c", resetOffsets, encodeResetOffsetBodyForC, (b) => decodeResetOffsetBodyForC(b));
both("query-consume-time-span", [span], encodeQueryConsumeTimeSpanBody, (b) =>
  decodeQueryConsumeTimeSpanBody(b),
);

describe("queue stats bodies", () => {
  it("writes a zero consumeTps as Java's 0.0 and an empty table as {}", () => {
    expect(encodeConsumeStats({ consumeTps: 0, offsetTable: [] }).toString()).toBe(
      '{"consumeTps":0.0,"offsetTable":{}}',
    );
  });

  it("writes a non-finite TPS as 0.0 rather than invalid JSON", () => {
    expect(encodeConsumeStats({ consumeTps: Number.NaN, offsetTable: [] }).toString()).toContain(
      '"consumeTps":0.0',
    );
  });

  it("reads a 4.9 ConsumeStats without pullOffset", () => {
    const body =
      '{"consumeTps":0.0,"offsetTable":{{"brokerName":"b","queueId":7,"topic":"t"}:{"brokerOffset":4,"consumerOffset":2,"lastTimestamp":0}}}';
    expect(decodeConsumeStats(Buffer.from(body)).offsetTable).toEqual([
      [
        { topic: "t", brokerName: "b", queueId: 7 },
        { brokerOffset: 4, consumerOffset: 2, pullOffset: 0, lastTimestamp: 0 },
      ],
    ]);
  });

  it("formats time-span dates as yyyy-MM-dd#HH:mm:ss:SSS", () => {
    expect(formatTimeSpanDate(0)).toBe("1970-01-01#00:00:00:000");
    expect(formatTimeSpanDate(-1)).toBe("1969-12-31#23:59:59:999");
  });

  it("round-trips ConsumeStats (property)", () => {
    const arb = fc.record({
      consumeTps: fc.double({ min: 0, max: 1e6, noNaN: true }),
      offsetTable: fc.uniqueArray(
        fc.tuple(
          fc.record({
            topic: fc.stringMatching(/^[A-Za-z0-9_%|-]{1,20}$/),
            brokerName: fc.stringMatching(/^[a-z-]{1,10}$/),
            queueId: fc.nat(1023),
          }),
          fc.record({
            brokerOffset: fc.nat(),
            consumerOffset: fc.nat(),
            pullOffset: fc.nat(),
            lastTimestamp: fc.nat(),
          }),
        ),
        { selector: ([mq]) => JSON.stringify(mq), maxLength: 6 },
      ),
    });
    fc.assert(
      fc.property(arb, (stats) => {
        expect(decodeConsumeStats(encodeConsumeStats(stats))).toEqual(stats);
      }),
    );
  });

  it("raises only StratusError on random bytes (property)", () => {
    const decoders = [
      decodeTopicStatsTable,
      decodeConsumeStats,
      decodeResetOffsetBody,
      decodeResetOffsetBodyForC,
      decodeQueryConsumeTimeSpanBody,
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
});
