import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isStratusError } from "../../../lib/common/errors.js";
import {
  decodeDeleteSubscriptionGroupRequestHeader,
  decodeGetConsumerRunningInfoRequestHeader,
  decodeGetConsumeStatsRequestHeader,
} from "../../../lib/protocol/header/admin-group-headers.js";
import {
  decodeQueryConsumeTimeSpanRequestHeader,
  decodeTopicRequestHeader,
  parseTopicAttributes,
} from "../../../lib/protocol/header/admin-topic-headers.js";
import {
  decodeResetOffsetRequestHeader,
  encodeResetOffsetRequestHeader,
} from "../../../lib/protocol/header/reset-offset-request-header.js";

describe("admin request headers", () => {
  it("decode the fields the tools send and name a missing one", () => {
    expect(decodeTopicRequestHeader({ topic: "T" })).toEqual({ topic: "T" });
    expect(decodeQueryConsumeTimeSpanRequestHeader({ topic: "T", group: "G" })).toEqual({
      topic: "T",
      group: "G",
    });
    expect(() => decodeQueryConsumeTimeSpanRequestHeader({ topic: "T" })).toThrow(
      "the custom field <group> is null",
    );
    expect(
      decodeGetConsumerRunningInfoRequestHeader({ consumerGroup: "G", clientId: "c", jstackEnable: "true" }),
    ).toEqual({
      consumerGroup: "G",
      clientId: "c",
      jstackEnable: true,
    });
  });

  it("treat a blank GET_CONSUME_STATS topic as absent", () => {
    expect(decodeGetConsumeStatsRequestHeader({ consumerGroup: "G", topic: " " }).topic).toBeUndefined();
    expect(decodeGetConsumeStatsRequestHeader({ consumerGroup: "G", topic: "T" }).topic).toBe("T");
  });

  it("read 4.9 removeOffset and 5.x cleanOffset alike", () => {
    expect(decodeDeleteSubscriptionGroupRequestHeader({ groupName: "G" }).cleanOffset).toBe(false);
    expect(
      decodeDeleteSubscriptionGroupRequestHeader({ groupName: "G", removeOffset: "true" }).cleanOffset,
    ).toBe(true);
    expect(
      decodeDeleteSubscriptionGroupRequestHeader({ groupName: "G", cleanOffset: "true" }).cleanOffset,
    ).toBe(true);
  });

  it("round-trip the ResetOffsetRequestHeader, -1 timestamp included", () => {
    const h = { topic: "T", group: "G", timestamp: -1, isForce: true };
    expect(encodeResetOffsetRequestHeader(h)).toEqual({
      topic: "T",
      group: "G",
      timestamp: "-1",
      isForce: "true",
    });
    expect(decodeResetOffsetRequestHeader(encodeResetOffsetRequestHeader(h))).toEqual(h);
    expect(() => decodeResetOffsetRequestHeader({ topic: "T", group: "G", timestamp: "soon" })).toThrow(
      "<timestamp>",
    );
  });
});

describe("parseTopicAttributes", () => {
  it("parses additions and deletions in order", () => {
    expect(parseTopicAttributes("+message.type=FIFO,-queue.type")).toEqual([
      { op: "+", key: "message.type", value: "FIFO" },
      { op: "-", key: "queue.type", value: "" },
    ]);
    expect(parseTopicAttributes(undefined)).toEqual([]);
    expect(parseTopicAttributes("")).toEqual([]);
  });

  it("refuses malformed items and duplicate keys by name", () => {
    for (const bad of ["message.type=FIFO", "+message.type", "+=x", "-k=v", "+a=b=c", "+a=1,", "-"]) {
      expect(() => parseTopicAttributes(bad), bad).toThrow(/wrong format attribute/);
    }
    expect(() => parseTopicAttributes("+a=1,-a")).toThrow("key duplication: a");
  });

  it("raises only StratusError on any text (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        try {
          parseTopicAttributes(text);
        } catch (e) {
          expect(isStratusError(e)).toBe(true);
        }
      }),
    );
  });
});
