import { describe, expect, it } from "vitest";
import { decodeCreateTopicRequestHeader } from "../../../lib/protocol/header/create-topic-request-header.js";
import { bool, headerProperties, num, reqNum, reqStr, str } from "./header-properties.js";

describe("CreateTopicRequestHeader", () => {
  headerProperties(decodeCreateTopicRequestHeader, [
    reqStr("topic"),
    str("defaultTopic"),
    reqNum("readQueueNums"),
    reqNum("writeQueueNums"),
    reqNum("perm"),
    str("topicFilterType", { absent: "SINGLE_TAG" }),
    num("topicSysFlag", { absent: 0 }),
    bool("order", { absent: false }),
    str("attributes"),
  ]);

  const VALID = { topic: "T", readQueueNums: "8", writeQueueNums: "8", perm: "6" };

  it("names the missing queue counts and perm", () => {
    for (const field of ["readQueueNums", "writeQueueNums", "perm"]) {
      const { [field as keyof typeof VALID]: _, ...rest } = VALID;
      expect(() => decodeCreateTopicRequestHeader(rest), field).toThrow(
        `the custom field <${field}> is null`,
      );
    }
  });

  it("refuses queue counts that are not integers, naming them", () => {
    expect(() => decodeCreateTopicRequestHeader({ ...VALID, readQueueNums: "8.5" })).toThrow(
      "the custom field <readQueueNums> is not an integer: 8.5",
    );
    expect(() => decodeCreateTopicRequestHeader({ ...VALID, perm: "rw" })).toThrowError(
      expect.objectContaining({ code: "HEADER_MALFORMED", message: expect.stringContaining("<perm>") }),
    );
  });
});
