import { describe, expect, it } from "vitest";
import {
  decodeQueryMessageRequestHeader,
  decodeViewMessageRequestHeader,
  UNIQUE_MSG_QUERY_FLAG,
} from "../../../lib/protocol/header/query-message-headers.js";
import { bool, headerProperties, reqNum, reqStr } from "./header-properties.js";

describe("QueryMessageRequestHeader", () => {
  headerProperties(decodeQueryMessageRequestHeader, [
    reqStr("topic"),
    reqStr("key"),
    reqNum("maxNum"),
    reqNum("beginTimestamp"),
    reqNum("endTimestamp"),
    bool(UNIQUE_MSG_QUERY_FLAG, { prop: "uniqueKeyQuery", absent: false }),
  ]);

  const VALID = {
    topic: "T",
    key: "k",
    maxNum: "32",
    beginTimestamp: "0",
    endTimestamp: "9223372036854775807",
  };

  it("reads Long.MAX_VALUE as the open end of the range", () => {
    expect(decodeQueryMessageRequestHeader(VALID).endTimestamp).toBe(Number.MAX_SAFE_INTEGER);
  });

  it("names a missing key and a non-numeric maxNum", () => {
    expect(() => decodeQueryMessageRequestHeader({ ...VALID, key: "" })).toThrow(
      "the custom field <key> is null",
    );
    expect(() => decodeQueryMessageRequestHeader({ ...VALID, maxNum: "all" })).toThrowError(
      expect.objectContaining({ code: "HEADER_MALFORMED", message: expect.stringContaining("<maxNum>") }),
    );
  });
});

describe("ViewMessageRequestHeader", () => {
  headerProperties(decodeViewMessageRequestHeader, [reqNum("offset")]);

  it("names a missing or non-numeric offset", () => {
    expect(() => decodeViewMessageRequestHeader({})).toThrow("the custom field <offset> is null");
    expect(() => decodeViewMessageRequestHeader({ offset: "0A0B" })).toThrow(
      "the custom field <offset> is not an integer",
    );
  });
});
