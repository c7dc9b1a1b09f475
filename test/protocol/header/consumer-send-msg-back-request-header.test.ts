import { describe, expect, it } from "vitest";
import { decodeConsumerSendMsgBackRequestHeader } from "../../../lib/protocol/header/consumer-send-msg-back-request-header.js";
import { bool, headerProperties, num, reqNum, reqStr, str } from "./header-properties.js";

describe("ConsumerSendMsgBackRequestHeader", () => {
  headerProperties(decodeConsumerSendMsgBackRequestHeader, [
    reqNum("offset"),
    reqStr("group"),
    reqNum("delayLevel"),
    str("originMsgId"),
    str("originTopic"),
    bool("unitMode", { absent: false }),
    num("maxReconsumeTimes"),
  ]);

  it("names the missing CommitLog offset and group", () => {
    expect(() => decodeConsumerSendMsgBackRequestHeader({ group: "G", delayLevel: "0" })).toThrow(
      "the custom field <offset> is null",
    );
    expect(() => decodeConsumerSendMsgBackRequestHeader({ offset: "1", delayLevel: "0" })).toThrow(
      "the custom field <group> is null",
    );
  });

  it("refuses a non-numeric delayLevel or maxReconsumeTimes, naming it", () => {
    const base = { offset: "1", group: "G", delayLevel: "3" };
    expect(() => decodeConsumerSendMsgBackRequestHeader({ ...base, delayLevel: "three" })).toThrowError(
      expect.objectContaining({ code: "HEADER_MALFORMED", message: expect.stringContaining("<delayLevel>") }),
    );
    expect(() => decodeConsumerSendMsgBackRequestHeader({ ...base, maxReconsumeTimes: "16x" })).toThrow(
      "<maxReconsumeTimes>",
    );
  });
});
