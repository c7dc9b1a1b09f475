import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isStratusError } from "../../lib/common/errors.js";
import {
  decodeBrokerHeartbeatRequestHeader,
  decodeBrokerIdentityHeader,
  decodeDeleteTopicFromNamesrvRequestHeader,
  decodeGetRouteInfoRequestHeader,
  decodeKVConfigKeyHeader,
  decodePutKVConfigRequestHeader,
  encodeBrokerIdentityHeader,
  encodeGetRouteInfoRequestHeader,
  encodeKVConfigHeader,
  toExtFields,
} from "../../lib/protocol/namesrv-headers.js";

describe("NameServer headers", () => {
  it("round-trip the broker identity header", () => {
    const h = { brokerName: "b", brokerAddr: "127.0.0.1:10911", clusterName: "c", brokerId: 2 };
    expect(encodeBrokerIdentityHeader(h)).toEqual({ ...h, brokerId: "2" });
    expect(decodeBrokerIdentityHeader(encodeBrokerIdentityHeader(h))).toEqual(h);
  });

  it("read acceptStandardJsonOnly as false when absent", () => {
    expect(decodeGetRouteInfoRequestHeader({ topic: "T" })).toEqual({
      topic: "T",
      acceptStandardJsonOnly: false,
    });
    expect(
      decodeGetRouteInfoRequestHeader(
        encodeGetRouteInfoRequestHeader({ topic: "T", acceptStandardJsonOnly: true }),
      ),
    ).toEqual({ topic: "T", acceptStandardJsonOnly: true });
  });

  it("require namespace, key and value for PUT_KV_CONFIG, only namespace and key otherwise", () => {
    const ext = encodeKVConfigHeader({ namespace: "ORDER_TOPIC_CONFIG", key: "T", value: "b:4" });
    expect(decodePutKVConfigRequestHeader(ext)).toEqual({
      namespace: "ORDER_TOPIC_CONFIG",
      key: "T",
      value: "b:4",
    });
    expect(decodeKVConfigKeyHeader({ namespace: "n", key: "k" })).toEqual({ namespace: "n", key: "k" });
    expect(() => decodePutKVConfigRequestHeader({ namespace: "n", key: "k" })).toThrowError(
      expect.objectContaining({ code: "HEADER_MALFORMED", message: "the custom field <value> is null" }),
    );
  });

  it("treat an empty value as absent, as Java's binary header does", () => {
    expect(decodeDeleteTopicFromNamesrvRequestHeader({ topic: "T", clusterName: "" })).toEqual({
      topic: "T",
      clusterName: undefined,
    });
  });

  it("read the 5.x heartbeat header with optional fields", () => {
    expect(
      decodeBrokerHeartbeatRequestHeader({
        clusterName: "c",
        brokerAddr: "a:1",
        brokerName: "b",
        heartbeatTimeoutMillis: "5000",
      }),
    ).toEqual({
      clusterName: "c",
      brokerAddr: "a:1",
      brokerName: "b",
      brokerId: undefined,
      heartbeatTimeoutMillis: 5000,
    });
  });

  it("write numbers without exponents and drop undefined", () => {
    expect(toExtFields({ a: 1e21, b: undefined, c: true, d: "x" })).toEqual({
      a: "1000000000000000000000",
      c: "true",
      d: "x",
    });
  });

  it("only ever fail with HEADER_MALFORMED on an arbitrary brokerId", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 25 }), (s) => {
        try {
          const h = decodeBrokerIdentityHeader({
            brokerName: "b",
            brokerAddr: "a:1",
            clusterName: "c",
            brokerId: s,
          });
          expect(Number.isSafeInteger(h.brokerId)).toBe(true);
        } catch (e) {
          expect(isStratusError(e, "HEADER_MALFORMED"), String(e)).toBe(true);
        }
      }),
    );
  });
});
