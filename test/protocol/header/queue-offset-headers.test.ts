import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeQueryConsumerOffsetRequestHeader,
  decodeSearchOffsetRequestHeader,
  decodeTopicQueueHeader,
  decodeUpdateConsumerOffsetRequestHeader,
} from "../../../lib/protocol/header/queue-offset-headers.js";
import { bool, headerProperties, reqNum, reqStr } from "./header-properties.js";

describe("TopicQueueHeader (GET_MAX_OFFSET, GET_MIN_OFFSET, GET_EARLIEST_MSG_STORETIME)", () => {
  headerProperties(decodeTopicQueueHeader, [reqStr("topic"), reqNum("queueId")]);

  it("names a missing topic and a queueId that is not a 19-digit-at-most integer", () => {
    expect(() => decodeTopicQueueHeader({ queueId: "0" })).toThrow("the custom field <topic> is null");
    for (const bad of ["q0", "0.0", "12345678901234567890", "--1"]) {
      expect(() => decodeTopicQueueHeader({ topic: "T", queueId: bad }), bad).toThrowError(
        expect.objectContaining({
          code: "HEADER_MALFORMED",
          message: expect.stringContaining("the custom field <queueId> is not an integer"),
        }),
      );
    }
  });
});

describe("QueryConsumerOffsetRequestHeader", () => {
  headerProperties(decodeQueryConsumerOffsetRequestHeader, [
    reqStr("topic"),
    reqNum("queueId"),
    reqStr("consumerGroup"),
    bool("setZeroIfNotFound"),
  ]);

  it("names a missing consumerGroup", () => {
    expect(() => decodeQueryConsumerOffsetRequestHeader({ topic: "T", queueId: "0" })).toThrow(
      "the custom field <consumerGroup> is null",
    );
  });
});

describe("UpdateConsumerOffsetRequestHeader", () => {
  headerProperties(decodeUpdateConsumerOffsetRequestHeader, [
    reqStr("topic"),
    reqNum("queueId"),
    reqStr("consumerGroup"),
    reqNum("commitOffset"),
  ]);

  it("names a missing or non-numeric commitOffset", () => {
    const base = { topic: "T", queueId: "0", consumerGroup: "G" };
    expect(() => decodeUpdateConsumerOffsetRequestHeader(base)).toThrow(
      "the custom field <commitOffset> is null",
    );
    expect(() => decodeUpdateConsumerOffsetRequestHeader({ ...base, commitOffset: "1_000" })).toThrow(
      "the custom field <commitOffset> is not an integer",
    );
  });
});

describe("SearchOffsetRequestHeader", () => {
  headerProperties(decodeSearchOffsetRequestHeader, [
    reqStr("topic"),
    reqNum("queueId"),
    reqNum("timestamp"),
    {
      ext: "boundaryType",
      prop: "boundaryType",
      kind: "string",
      required: false,
      absent: "LOWER",
      values: fc.constantFrom(
        ["UPPER", "UPPER"],
        ["upper", "UPPER"],
        ["LOWER", "LOWER"],
        ["lower", "LOWER"],
        ["sideways", "LOWER"],
      ),
    },
  ]);

  it("names a non-numeric timestamp", () => {
    expect(() =>
      decodeSearchOffsetRequestHeader({ topic: "T", queueId: "0", timestamp: "yesterday" }),
    ).toThrow("the custom field <timestamp> is not an integer: yesterday");
  });
});
