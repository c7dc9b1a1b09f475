import { deflateSync, inflateSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isStratusError } from "../../lib/common/errors.js";
import {
  decodeRegisterBrokerBody,
  decodeRegisterBrokerRequestHeader,
  decodeRegisterBrokerResponseHeader,
  decodeTopicConfigSerializeWrapper,
  encodeRegisterBrokerBody,
  encodeRegisterBrokerRequestHeader,
  encodeRegisterBrokerResponseHeader,
  type RegisterBrokerBody,
  registerBrokerBodyCrc32,
} from "../../lib/protocol/register-broker-body.js";
import type { TopicConfig } from "../../lib/protocol/topic-config.js";
import { readBodyFixture, readHexFixture } from "../golden/namesrv/read-golden.js";

function topic(
  topicName: string,
  read: number,
  write: number,
  perm: number,
  sysFlag = 0,
  order = false,
): TopicConfig {
  return {
    topicName,
    readQueueNums: read,
    writeQueueNums: write,
    perm,
    topicFilterType: "SINGLE_TAG",
    topicSysFlag: sysFlag,
    order,
    attributes: {},
  };
}

const golden: RegisterBrokerBody = {
  topicConfigSerializeWrapper: {
    dataVersion: { counter: 7, stateVersion: 0, timestamp: 1700000000456 },
    topicConfigTable: new Map([
      ["TBW102", topic("TBW102", 8, 8, 7)],
      ["TopicA", topic("TopicA", 3, 5, 6, 1, true)],
    ]),
  },
  filterServerList: [],
};

function expectIllegal(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    expect(isStratusError(e, "ILLEGAL_ARGUMENT"), String(e)).toBe(true);
    return;
  }
  throw new Error("expected a StratusError");
}

describe("RegisterBrokerBody, uncompressed", () => {
  it("encodes and decodes the golden body", () => {
    const body = readBodyFixture("register-broker-body");
    expect(encodeRegisterBrokerBody(golden).toString()).toBe(body);
    expect(decodeRegisterBrokerBody(Buffer.from(body), false)).toEqual(golden);
  });

  it("reads a Java 5.x body with mapping extras and a 4.9-style TopicConfig", () => {
    const b = decodeRegisterBrokerBody(Buffer.from(readBodyFixture("register-broker-body-java5")), false);
    expect(b.filterServerList).toEqual(["127.0.0.9:30000"]);
    expect(b.topicConfigSerializeWrapper.dataVersion).toEqual({
      counter: 11,
      stateVersion: 2,
      timestamp: 1700000000789,
    });
    expect(b.topicConfigSerializeWrapper.topicConfigTable.get("TopicJ")).toEqual(topic("TopicJ", 2, 2, 6));
  });

  it("reads the bare wrapper pre-V3_0_11 brokers send", () => {
    const w = decodeTopicConfigSerializeWrapper(
      Buffer.from('{"dataVersion":{"counter":1,"timestamp":2},"topicConfigTable":{"T":{"topicName":"T"}}}'),
    );
    expect(w.dataVersion).toEqual({ counter: 1, timestamp: 2, stateVersion: 0 });
    expect(w.topicConfigTable.get("T")?.readQueueNums).toBe(16);
  });

  it("treats a body without a wrapper as an empty registration", () => {
    expect(decodeRegisterBrokerBody(Buffer.from("{}"), false)).toEqual({
      topicConfigSerializeWrapper: {
        dataVersion: { counter: 0, stateVersion: 0, timestamp: 0 },
        topicConfigTable: new Map(),
      },
      filterServerList: [],
    });
  });

  it("rejects wrong shapes with StratusError", () => {
    for (const bad of [
      "",
      "[]",
      '{"filterServerList":{}}',
      '{"topicConfigSerializeWrapper":{"topicConfigTable":{"T":{"perm":"x"}}}}',
      '{"topicConfigSerializeWrapper":{"dataVersion":[]}}',
    ]) {
      expectIllegal(() => decodeRegisterBrokerBody(Buffer.from(bad), false));
    }
  });
});

describe("RegisterBrokerBody, compressed", () => {
  const payload = readHexFixture("register-broker-body-compressed");

  it("deflates exactly the golden payload", () => {
    expect(inflateSync(encodeRegisterBrokerBody(golden, true)).toString("hex")).toBe(payload.toString("hex"));
  });

  it("decodes the golden payload, losing sysFlag and order like Java's text form", () => {
    const b = decodeRegisterBrokerBody(deflateSync(payload), true);
    expect(b.topicConfigSerializeWrapper.dataVersion).toEqual(golden.topicConfigSerializeWrapper.dataVersion);
    expect([...b.topicConfigSerializeWrapper.topicConfigTable.values()]).toEqual([
      topic("TBW102", 8, 8, 7),
      topic("TopicA", 3, 5, 6),
    ]);
    expect(b.filterServerList).toEqual([]);
  });

  it("accepts the 4.9.x layout without a mapping count", () => {
    const b = decodeRegisterBrokerBody(deflateSync(payload.subarray(0, payload.length - 4)), true);
    expect(b.topicConfigSerializeWrapper.topicConfigTable.size).toBe(2);
  });

  it("skips 5.x static-topic mapping entries", () => {
    const mapping = Buffer.from('{"topic":"S","bname":"b"}');
    const len = Buffer.alloc(4);
    len.writeInt32BE(mapping.length);
    const withMapping = Buffer.concat([
      payload.subarray(0, payload.length - 4),
      Buffer.from([0, 0, 0, 1]),
      len,
      mapping,
    ]);
    expect(
      decodeRegisterBrokerBody(deflateSync(withMapping), true).topicConfigSerializeWrapper.topicConfigTable
        .size,
    ).toBe(2);
  });

  it("rejects bad streams, truncation and lying counts with StratusError", () => {
    expectIllegal(() => decodeRegisterBrokerBody(Buffer.from("not zlib"), true));
    for (let n = 0; n < payload.length - 4; n += 7) {
      expectIllegal(() => decodeRegisterBrokerBody(deflateSync(payload.subarray(0, n)), true));
    }
    const lying = Buffer.from(payload);
    lying.writeInt32BE(0x7fffffff, 4 + 56);
    expectIllegal(() => decodeRegisterBrokerBody(deflateSync(lying), true));
    const negative = Buffer.from(payload);
    negative.writeInt32BE(-1, 0);
    expectIllegal(() => decodeRegisterBrokerBody(deflateSync(negative), true));
  });

  it("rejects a body that inflates past the limit", () => {
    const bomb = deflateSync(Buffer.alloc(65 * 1024 * 1024));
    expectIllegal(() => decodeRegisterBrokerBody(bomb, true));
  });

  it("round-trips any topic table", () => {
    const arbTopic = fc.record({
      topicName: fc.stringMatching(/^[%|a-zA-Z0-9_-]{1,30}$/),
      readQueueNums: fc.nat(1024),
      writeQueueNums: fc.nat(1024),
      perm: fc.nat(7),
      topicFilterType: fc.constantFrom("SINGLE_TAG" as const, "MULTI_TAG" as const),
      topicSysFlag: fc.constant(0),
      order: fc.constant(false),
      attributes: fc.dictionary(fc.stringMatching(/^[+a-z.]{1,8}$/), fc.stringMatching(/^[A-Z]{0,6}$/), {
        maxKeys: 2,
      }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(arbTopic, { selector: (t) => t.topicName, maxLength: 8 }),
        fc.boolean(),
        (topics, compressed) => {
          const body: RegisterBrokerBody = {
            topicConfigSerializeWrapper: {
              dataVersion: { counter: topics.length, stateVersion: 1, timestamp: 99 },
              topicConfigTable: new Map(topics.map((t) => [t.topicName, t])),
            },
            filterServerList: ["f:1"],
          };
          expect(decodeRegisterBrokerBody(encodeRegisterBrokerBody(body, compressed), compressed)).toEqual(
            body,
          );
        },
      ),
    );
  });

  it("never throws anything but StratusError on random compressed or plain bodies", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (b, deflate) => {
        const body = deflate ? deflateSync(b) : Buffer.from(b);
        try {
          decodeRegisterBrokerBody(body, true);
          decodeRegisterBrokerBody(body, false);
        } catch (e) {
          expect(isStratusError(e, "ILLEGAL_ARGUMENT"), String(e)).toBe(true);
        }
      }),
    );
  });
});

describe("REGISTER_BROKER headers", () => {
  it("round-trips the request header with every value as a string", () => {
    const h = {
      brokerName: "broker-a",
      brokerAddr: "127.0.0.1:10911",
      clusterName: "ClusterG",
      haServerAddr: "127.0.0.1:10912",
      brokerId: 1,
      heartbeatTimeoutMillis: 30000,
      enableActingMaster: false,
      compressed: true,
      bodyCrc32: 123456,
    };
    const ext = encodeRegisterBrokerRequestHeader(h);
    expect(ext).toEqual({
      brokerName: "broker-a",
      brokerAddr: "127.0.0.1:10911",
      clusterName: "ClusterG",
      haServerAddr: "127.0.0.1:10912",
      brokerId: "1",
      heartbeatTimeoutMillis: "30000",
      enableActingMaster: "false",
      compressed: "true",
      bodyCrc32: "123456",
    });
    expect(decodeRegisterBrokerRequestHeader(ext)).toEqual(h);
  });

  it("defaults the optional fields the way a 4.9.8 broker leaves them out", () => {
    const h = decodeRegisterBrokerRequestHeader({
      brokerName: "b",
      brokerAddr: "a:1",
      clusterName: "c",
      haServerAddr: "a:2",
      brokerId: "0",
    });
    expect(h).toMatchObject({
      compressed: false,
      bodyCrc32: 0,
      enableActingMaster: undefined,
      heartbeatTimeoutMillis: undefined,
    });
  });

  it("names the missing required field like Java does", () => {
    expect(() => decodeRegisterBrokerRequestHeader({ brokerName: "b" })).toThrowError(
      expect.objectContaining({ code: "HEADER_MALFORMED", message: "the custom field <brokerAddr> is null" }),
    );
    expect(() =>
      decodeRegisterBrokerRequestHeader({
        brokerName: "b",
        brokerAddr: "a",
        clusterName: "c",
        haServerAddr: "h",
        brokerId: "x",
      }),
    ).toThrowError(expect.objectContaining({ code: "HEADER_MALFORMED" }));
  });

  it("writes the response header only with the addresses it has", () => {
    expect(encodeRegisterBrokerResponseHeader({})).toEqual({});
    const ext = encodeRegisterBrokerResponseHeader({ haServerAddr: "m:10912", masterAddr: "m:10911" });
    expect(decodeRegisterBrokerResponseHeader(ext)).toEqual({
      haServerAddr: "m:10912",
      masterAddr: "m:10911",
    });
  });

  it("computes the body CRC as Java's UtilAll.crc32 (masked to a non-negative int)", () => {
    expect(registerBrokerBodyCrc32(Buffer.from("123456789"))).toBe(0xcbf43926 & 0x7fffffff);
    expect(registerBrokerBodyCrc32(Buffer.alloc(0))).toBe(0);
  });
});
