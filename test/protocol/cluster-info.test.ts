import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isStratusError } from "../../lib/common/errors.js";
import {
  type ClusterInfo,
  decodeClusterInfo,
  decodeKVTable,
  decodeTopicList,
  encodeClusterInfo,
  encodeKVTable,
  encodeTopicList,
} from "../../lib/protocol/cluster-info.js";
import { readBodyFixture } from "../golden/namesrv/read-golden.js";

const golden: ClusterInfo = {
  brokerAddrTable: new Map([
    [
      "broker-a",
      {
        cluster: "ClusterG",
        brokerName: "broker-a",
        brokerAddrs: new Map([
          [0, "127.0.0.1:10911"],
          [2, "127.0.0.2:10921"],
        ]),
        enableActingMaster: true,
        zoneName: undefined,
      },
    ],
    [
      "broker-b",
      {
        cluster: "C2",
        brokerName: "broker-b",
        brokerAddrs: new Map([[0, "127.0.0.3:10911"]]),
        enableActingMaster: false,
        zoneName: undefined,
      },
    ],
  ]),
  clusterAddrTable: new Map([
    ["ClusterG", ["broker-a"]],
    ["C2", ["broker-b"]],
  ]),
};

function expectOnlyStratusErrors(decode: (b: Buffer) => unknown): void {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
      try {
        decode(Buffer.from(b));
      } catch (e) {
        expect(isStratusError(e, "ILLEGAL_ARGUMENT"), String(e)).toBe(true);
      }
    }),
  );
}

describe("ClusterInfo", () => {
  it("encodes and decodes the golden body", () => {
    const body = readBodyFixture("cluster-info");
    expect(encodeClusterInfo(golden).toString()).toBe(body);
    expect(decodeClusterInfo(Buffer.from(body))).toEqual(golden);
  });

  it("reads the bare-key form Apache writes", () => {
    const bare = encodeClusterInfo(golden, "fastjson").toString();
    expect(bare).toContain('{0:"127.0.0.1:10911",2:"127.0.0.2:10921"}');
    expect(decodeClusterInfo(Buffer.from(bare))).toEqual(golden);
  });

  it("reads an empty object as empty tables and rejects wrong shapes", () => {
    expect(decodeClusterInfo(Buffer.from("{}"))).toEqual({
      brokerAddrTable: new Map(),
      clusterAddrTable: new Map(),
    });
    for (const bad of ['{"clusterAddrTable":{"c":"b"}}', '{"brokerAddrTable":{"b":[]}}', "[]"]) {
      expect(() => decodeClusterInfo(Buffer.from(bad))).toThrowError(
        expect.objectContaining({ code: "ILLEGAL_ARGUMENT" }),
      );
    }
    expectOnlyStratusErrors(decodeClusterInfo);
  });
});

describe("TopicList", () => {
  it("encodes and decodes the golden body", () => {
    const list = { brokerAddr: "127.0.0.1:10911", topicList: ["ClusterG", "broker-a", "%RETRY%cg"] };
    const body = readBodyFixture("topic-list");
    expect(encodeTopicList(list).toString()).toBe(body);
    expect(decodeTopicList(Buffer.from(body))).toEqual(list);
  });

  it("omits brokerAddr when there is none", () => {
    expect(encodeTopicList({ topicList: ["T"] }).toString()).toBe('{"topicList":["T"]}');
    expectOnlyStratusErrors(decodeTopicList);
  });

  it("round-trips any list", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string()),
        fc.option(fc.string(), { nil: undefined }),
        (topicList, brokerAddr) => {
          expect(decodeTopicList(encodeTopicList({ topicList, brokerAddr }))).toEqual({
            topicList,
            brokerAddr,
          });
        },
      ),
    );
  });
});

describe("KVTable", () => {
  it("encodes and decodes the golden body", () => {
    const kv = { table: { T2: "broker-a:1", OrderTopic: "broker-a:4;broker-b:2" } };
    const body = readBodyFixture("kv-table");
    expect(encodeKVTable(kv).toString()).toBe(body);
    expect(decodeKVTable(Buffer.from(body))).toEqual(kv);
    expectOnlyStratusErrors(decodeKVTable);
  });
});
