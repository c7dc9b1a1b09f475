import { describe, expect, it } from "vitest";
import { decodeSendMessageRequestHeader } from "../../../lib/protocol/header/send-message-request-header.js";
import { RequestCode } from "../../../lib/protocol/request-code.js";
import { bool, type FieldSpec, headerProperties, num, reqNum, reqStr, str } from "./header-properties.js";

/** SEND_MESSAGE_V2's one-letter keys, as Apache's SendMessageRequestHeaderV2 spells them. */
const V2: Record<string, string> = {
  producerGroup: "a",
  topic: "b",
  defaultTopic: "c",
  defaultTopicQueueNums: "d",
  queueId: "e",
  sysFlag: "f",
  bornTimestamp: "g",
  flag: "h",
  properties: "i",
  reconsumeTimes: "j",
  unitMode: "k",
  maxReconsumeTimes: "l",
  batch: "m",
};

function fields(v2: boolean, batchByDefault: boolean): FieldSpec[] {
  const k = (name: string) => (v2 ? (V2[name] as string) : name);
  return [
    reqStr(k("producerGroup"), "producerGroup"),
    reqStr(k("topic"), "topic"),
    str(k("defaultTopic"), { prop: "defaultTopic", absent: "TBW102" }),
    num(k("defaultTopicQueueNums"), { prop: "defaultTopicQueueNums", absent: 4 }),
    reqNum(k("queueId"), "queueId"),
    reqNum(k("sysFlag"), "sysFlag"),
    reqNum(k("bornTimestamp"), "bornTimestamp"),
    reqNum(k("flag"), "flag"),
    { ext: k("properties"), prop: "properties", kind: "raw", required: false, absent: "" },
    num(k("reconsumeTimes"), { prop: "reconsumeTimes", absent: 0 }),
    bool(k("unitMode"), { prop: "unitMode", absent: false }),
    num(k("maxReconsumeTimes"), { prop: "maxReconsumeTimes", absent: undefined }),
    bool(k("batch"), { prop: "batch", absent: batchByDefault }),
  ];
}

const V1_EXT = {
  producerGroup: "PG",
  topic: "T",
  queueId: "3",
  sysFlag: "0",
  bornTimestamp: "1700000000000",
  flag: "0",
};

describe("SendMessageRequestHeader", () => {
  describe("SEND_MESSAGE (long field names)", () => {
    headerProperties(
      (ext) => decodeSendMessageRequestHeader(RequestCode.SEND_MESSAGE, ext),
      fields(false, false),
    );
  });

  describe("SEND_MESSAGE_V2 (one-letter field names)", () => {
    headerProperties(
      (ext) => decodeSendMessageRequestHeader(RequestCode.SEND_MESSAGE_V2, ext),
      fields(true, false),
    );
  });

  describe("SEND_BATCH_MESSAGE (V2 names, batch unless told otherwise)", () => {
    headerProperties(
      (ext) => decodeSendMessageRequestHeader(RequestCode.SEND_BATCH_MESSAGE, ext),
      fields(true, true),
    );
  });

  it("names the missing field by the key the request code uses", () => {
    expect(() =>
      decodeSendMessageRequestHeader(RequestCode.SEND_MESSAGE, { ...V1_EXT, topic: "" }),
    ).toThrowError(
      expect.objectContaining({ code: "HEADER_MALFORMED", message: "the custom field <topic> is null" }),
    );
    // A V1 header sent under SEND_MESSAGE_V2 lacks the one-letter keys.
    expect(() => decodeSendMessageRequestHeader(RequestCode.SEND_MESSAGE_V2, V1_EXT)).toThrow(
      "the custom field <a> is null",
    );
  });

  it("refuses numbers that are not plain decimal integers, naming the field", () => {
    for (const [field, value] of [
      ["queueId", "one"],
      ["queueId", "1.5"],
      ["sysFlag", "0x10"],
      ["bornTimestamp", "1e12"],
      ["bornTimestamp", "99999999999999999999"],
      ["flag", ""],
    ] as const) {
      const e = expect(() =>
        decodeSendMessageRequestHeader(RequestCode.SEND_MESSAGE, { ...V1_EXT, [field]: value }),
      );
      e.toThrowError(expect.objectContaining({ code: "HEADER_MALFORMED" }));
      e.toThrow(`<${field}>`);
    }
  });

  it("keeps queueId -1 (the broker picks a queue) and clamps Long.MAX_VALUE to the safe range", () => {
    const h = decodeSendMessageRequestHeader(RequestCode.SEND_MESSAGE, {
      ...V1_EXT,
      queueId: "-1",
      bornTimestamp: "9223372036854775807",
    });
    expect(h.queueId).toBe(-1);
    expect(h.bornTimestamp).toBe(Number.MAX_SAFE_INTEGER);
  });
});
