import { describe, expect, it } from "vitest";
import { decodePullMessageRequestHeader } from "../../../lib/protocol/header/pull-message-request-header.js";
import { headerProperties, num, reqNum, reqStr, str } from "./header-properties.js";

const VALID = {
  consumerGroup: "G",
  topic: "T",
  queueId: "1",
  queueOffset: "42",
  maxMsgNums: "32",
  sysFlag: "6",
};

describe("PullMessageRequestHeader", () => {
  headerProperties(decodePullMessageRequestHeader, [
    reqStr("consumerGroup"),
    reqStr("topic"),
    reqNum("queueId"),
    reqNum("queueOffset"),
    reqNum("maxMsgNums"),
    reqNum("sysFlag"),
    num("commitOffset", { absent: 0 }),
    num("suspendTimeoutMillis", { absent: 0 }),
    str("subscription"),
    num("subVersion", { absent: 0 }),
    str("expressionType"),
    num("maxMsgBytes"),
  ]);

  it("names each missing required field", () => {
    for (const field of Object.keys(VALID)) {
      expect(() => decodePullMessageRequestHeader({ ...VALID, [field]: "" }), field).toThrowError(
        expect.objectContaining({ code: "HEADER_MALFORMED", message: `the custom field <${field}> is null` }),
      );
    }
  });

  it("refuses a queueId or offset that is not a decimal integer of at most 19 digits, naming it", () => {
    for (const [field, value] of [
      ["queueId", "0x1"],
      ["queueId", "12345678901234567890"],
      ["queueOffset", "-"],
      ["maxMsgNums", "32.0"],
      ["sysFlag", "NaN"],
    ] as const) {
      expect(() => decodePullMessageRequestHeader({ ...VALID, [field]: value }), value).toThrow(
        `the custom field <${field}> is not an integer`,
      );
    }
  });

  it("treats empty optional fields as absent", () => {
    const h = decodePullMessageRequestHeader({
      ...VALID,
      subscription: "",
      maxMsgBytes: "",
      commitOffset: "",
    });
    expect([h.subscription, h.maxMsgBytes, h.commitOffset]).toEqual([undefined, undefined, 0]);
  });
});
