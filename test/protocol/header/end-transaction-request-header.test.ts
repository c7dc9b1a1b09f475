import { describe, expect, it } from "vitest";
import { decodeEndTransactionRequestHeader } from "../../../lib/protocol/header/end-transaction-request-header.js";
import { bool, headerProperties, reqNum, reqStr, str } from "./header-properties.js";

describe("EndTransactionRequestHeader", () => {
  headerProperties(decodeEndTransactionRequestHeader, [
    reqStr("producerGroup"),
    reqNum("tranStateTableOffset"),
    reqNum("commitLogOffset"),
    reqNum("commitOrRollback"),
    bool("fromTransactionCheck", { absent: false }),
    str("msgId", { absent: "" }),
    str("transactionId"),
  ]);

  const VALID = {
    producerGroup: "PG",
    tranStateTableOffset: "7",
    commitLogOffset: "1024",
    commitOrRollback: "8",
  };

  it("names a missing commitOrRollback and a non-numeric commitLogOffset", () => {
    expect(() => decodeEndTransactionRequestHeader({ ...VALID, commitOrRollback: "" })).toThrow(
      "the custom field <commitOrRollback> is null",
    );
    expect(() => decodeEndTransactionRequestHeader({ ...VALID, commitLogOffset: "COMMIT" })).toThrowError(
      expect.objectContaining({
        code: "HEADER_MALFORMED",
        message: "the custom field <commitLogOffset> is not an integer: COMMIT",
      }),
    );
  });

  it("cuts a long bad value to 40 characters in the message", () => {
    expect(() =>
      decodeEndTransactionRequestHeader({ ...VALID, tranStateTableOffset: "x".repeat(10_000) }),
    ).toThrow(`the custom field <tranStateTableOffset> is not an integer: ${"x".repeat(40)}`);
  });
});
