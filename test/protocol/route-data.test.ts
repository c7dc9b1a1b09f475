import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isStratusError } from "../../lib/common/errors.js";
import {
  decodeTopicRouteData,
  encodeTopicRouteData,
  routeJsonStyle,
  type TopicRouteData,
} from "../../lib/protocol/route-data.js";
import { readBodyFixture } from "../golden/namesrv/read-golden.js";

const golden: TopicRouteData = {
  orderTopicConf: "broker-a:3",
  queueDatas: [{ brokerName: "broker-a", readQueueNums: 4, writeQueueNums: 8, perm: 6, topicSysFlag: 1 }],
  brokerDatas: [
    {
      cluster: "ClusterG",
      brokerName: "broker-a",
      brokerAddrs: new Map([
        [1, "127.0.0.2:10921"],
        [0, "127.0.0.1:10911"],
      ]),
      enableActingMaster: false,
      zoneName: "zone-1",
    },
  ],
  filterServerTable: new Map(),
};

/** The Go client's brokerAddrs parser (apache/rocketmq-client-go internal/route.go), restated as a test oracle. */
function goClientBrokerAddrs(json: string): Map<number, string> {
  const raw = /"brokerAddrs":(\{[^}]*\})/.exec(json)?.[1] ?? "{}";
  const out = new Map<number, string>();
  for (const item of raw.slice(1, -1).split(",")) {
    const i = item.indexOf(":");
    if (i < 0) continue;
    const id = /^-?\d+$/.test(item.slice(0, i)) ? Number(item.slice(0, i)) : 0;
    out.set(id, item.slice(i + 1).replaceAll('"', ""));
  }
  return out;
}

describe("TopicRouteData", () => {
  it("encodes the golden route in both styles byte for byte", () => {
    expect(encodeTopicRouteData(golden, "standard").toString()).toBe(
      readBodyFixture("topic-route-data-standard"),
    );
    expect(encodeTopicRouteData(golden, "fastjson").toString()).toBe(
      readBodyFixture("topic-route-data-fastjson"),
    );
  });

  it("decodes both golden styles to the same route", () => {
    for (const name of ["topic-route-data-standard", "topic-route-data-fastjson"]) {
      expect(decodeTopicRouteData(Buffer.from(readBodyFixture(name)))).toEqual(golden);
    }
  });

  it("reads a pre-4.9 route with topicSynFlag and a filter server", () => {
    const r = decodeTopicRouteData(Buffer.from(readBodyFixture("topic-route-data-pre-4.9")));
    expect(r.queueDatas[0]?.topicSysFlag).toBe(3);
    expect(r.brokerDatas[0]?.enableActingMaster).toBe(false);
    expect(r.brokerDatas[0]?.brokerAddrs.get(0)).toBe("127.0.0.3:10911");
    expect(r.filterServerTable.get("127.0.0.3:10911")).toEqual(["127.0.0.3:30000"]);
    expect(r.orderTopicConf).toBeUndefined();
  });

  it("answers old clients in fastjson style and 4.9.4+ or acceptStandardJsonOnly in standard JSON", () => {
    expect(routeJsonStyle(317, false)).toBe("fastjson");
    expect(routeJsonStyle(121, false)).toBe("fastjson");
    expect(routeJsonStyle(400, false)).toBe("fastjson");
    expect(routeJsonStyle(317, true)).toBe("standard");
    expect(routeJsonStyle(401, false)).toBe("standard");
    expect(routeJsonStyle(479, false)).toBe("standard");
  });

  it("keeps master and slave apart for the Go client only in fastjson style", () => {
    const bare = encodeTopicRouteData(golden, "fastjson").toString();
    expect(goClientBrokerAddrs(bare)).toEqual(
      new Map([
        [0, "127.0.0.1:10911"],
        [1, "127.0.0.2:10921"],
      ]),
    );
    const quoted = encodeTopicRouteData(golden, "standard").toString();
    expect(goClientBrokerAddrs(quoted).get(0)).toBe("127.0.0.2:10921");
  });

  it("writes no whitespace", () => {
    expect(encodeTopicRouteData(golden, "fastjson").toString()).not.toMatch(/\s/);
  });

  it("rejects malformed routes with StratusError", () => {
    const bad = [
      '{"queueDatas":{}}',
      '{"brokerDatas":[{"brokerName":"b","brokerAddrs":{"x":"a"}}]}',
      '{"brokerDatas":[{"brokerAddrs":{}}]}',
      '{"queueDatas":[{"brokerName":"b","perm":"rw"}]}',
      '{"filterServerTable":{"a":[{}]}}',
    ];
    for (const text of bad) {
      expect(() => decodeTopicRouteData(Buffer.from(text))).toThrowError(
        expect.objectContaining({ code: "ILLEGAL_ARGUMENT" }),
      );
    }
  });

  const arbRoute: fc.Arbitrary<TopicRouteData> = fc.record({
    orderTopicConf: fc.option(fc.string(), { nil: undefined }),
    queueDatas: fc.array(
      fc.record({
        brokerName: fc.string(),
        readQueueNums: fc.nat(1024),
        writeQueueNums: fc.nat(1024),
        perm: fc.nat(7),
        topicSysFlag: fc.nat(3),
      }),
      { maxLength: 3 },
    ),
    brokerDatas: fc.array(
      fc.record({
        cluster: fc.string(),
        brokerName: fc.string(),
        brokerAddrs: fc
          .uniqueArray(fc.nat(20), { maxLength: 3 })
          .chain((ids) => fc.tuple(...ids.map((id) => fc.tuple(fc.constant(id), fc.string()))))
          .map((pairs) => new Map(pairs.sort((a, b) => a[0] - b[0]))),
        enableActingMaster: fc.boolean(),
        zoneName: fc.option(fc.string(), { nil: undefined }),
      }),
      { maxLength: 3 },
    ),
    filterServerTable: fc.constant(new Map<string, string[]>()),
  });

  it("round-trips any route in both styles", () => {
    fc.assert(
      fc.property(arbRoute, fc.constantFrom("fastjson" as const, "standard" as const), (r, style) => {
        expect(decodeTopicRouteData(encodeTopicRouteData(r, style))).toEqual(r);
      }),
    );
  });

  it("never throws anything but StratusError on random or truncated bodies", () => {
    const body = encodeTopicRouteData(golden, "fastjson");
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.nat(body.length).map((n) => body.subarray(0, n)),
        ),
        (b) => {
          try {
            decodeTopicRouteData(Buffer.from(b));
          } catch (e) {
            expect(isStratusError(e, "ILLEGAL_ARGUMENT"), String(e)).toBe(true);
          }
        },
      ),
    );
  });
});
