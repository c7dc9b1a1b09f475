import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  getCompressionType,
  getTransactionValue,
  isPreparedOrRollback,
  MessageSysFlag,
  resetTransactionValue,
} from "../../lib/protocol/message-sys-flag.js";

describe("MessageSysFlag", () => {
  it("has Apache's bit values", () => {
    expect(MessageSysFlag).toMatchObject({
      COMPRESSED_FLAG: 1,
      MULTI_TAGS_FLAG: 2,
      TRANSACTION_PREPARED_TYPE: 4,
      TRANSACTION_COMMIT_TYPE: 8,
      TRANSACTION_ROLLBACK_TYPE: 12,
      BORNHOST_V6_FLAG: 16,
      STOREHOSTADDRESS_V6_FLAG: 32,
      NEED_UNWRAP_FLAG: 64,
      INNER_BATCH_FLAG: 128,
      COMPRESSION_ZLIB_TYPE: 0x300,
    });
  });

  it("reads the transaction type out of other bits", () => {
    expect(getTransactionValue(0x1 | 0x4 | 0x10)).toBe(MessageSysFlag.TRANSACTION_PREPARED_TYPE);
    expect(getTransactionValue(0x301)).toBe(MessageSysFlag.TRANSACTION_NOT_TYPE);
  });

  it("replaces only the transaction bits", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x7ff }), fc.constantFrom(0, 4, 8, 12), (flag, type) => {
        const out = resetTransactionValue(flag, type);
        expect(getTransactionValue(out)).toBe(type);
        expect(out & ~0xc).toBe(flag & ~0xc);
      }),
    );
  });

  it("knows which records skip the ConsumeQueue", () => {
    expect(isPreparedOrRollback(MessageSysFlag.TRANSACTION_PREPARED_TYPE)).toBe(true);
    expect(isPreparedOrRollback(MessageSysFlag.TRANSACTION_ROLLBACK_TYPE | 1)).toBe(true);
    expect(isPreparedOrRollback(MessageSysFlag.TRANSACTION_COMMIT_TYPE)).toBe(false);
    expect(isPreparedOrRollback(0)).toBe(false);
  });

  it("reads the compression type", () => {
    expect(getCompressionType(0x301)).toBe(MessageSysFlag.COMPRESSION_ZLIB_TYPE);
    expect(getCompressionType(0x1)).toBe(0);
  });
});
