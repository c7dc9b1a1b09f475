/**
 * The sysFlag bits of a message (protocol §8.3, Apache MessageSysFlag).
 *
 *   bit 0      0x1    COMPRESSED_FLAG
 *   bit 1      0x2    MULTI_TAGS_FLAG
 *   bits 2-3   0xC    transaction type: NOT_TYPE 0x0, PREPARED 0x4, COMMIT 0x8, ROLLBACK 0xC
 *   bit 4      0x10   BORNHOST_V6_FLAG (bornHost is 20 bytes)
 *   bit 5      0x20   STOREHOSTADDRESS_V6_FLAG (storeHost is 20 bytes)
 *   bit 6      0x40   NEED_UNWRAP_FLAG (5.x inner batch)
 *   bit 7      0x80   INNER_BATCH_FLAG (5.x inner batch)
 *   bits 8-10  0x700  compression type: 0 (4.x zlib), LZ4 0x100, ZSTD 0x200, ZLIB 0x300
 */
export const MessageSysFlag = {
  COMPRESSED_FLAG: 0x1,
  MULTI_TAGS_FLAG: 0x2,
  TRANSACTION_NOT_TYPE: 0x0,
  TRANSACTION_PREPARED_TYPE: 0x4,
  TRANSACTION_COMMIT_TYPE: 0x8,
  TRANSACTION_ROLLBACK_TYPE: 0xc,
  BORNHOST_V6_FLAG: 0x10,
  STOREHOSTADDRESS_V6_FLAG: 0x20,
  NEED_UNWRAP_FLAG: 0x40,
  INNER_BATCH_FLAG: 0x80,
  COMPRESSION_LZ4_TYPE: 0x100,
  COMPRESSION_ZSTD_TYPE: 0x200,
  COMPRESSION_ZLIB_TYPE: 0x300,
  COMPRESSION_TYPE_COMPARATOR: 0x700,
} as const;

/** The transaction type bits (one of the TRANSACTION_*_TYPE values). */
export function getTransactionValue(sysFlag: number): number {
  return sysFlag & MessageSysFlag.TRANSACTION_ROLLBACK_TYPE;
}

/** sysFlag with its transaction type replaced by `type`. */
export function resetTransactionValue(sysFlag: number, type: number): number {
  return (
    (sysFlag & ~MessageSysFlag.TRANSACTION_ROLLBACK_TYPE) | (type & MessageSysFlag.TRANSACTION_ROLLBACK_TYPE)
  );
}

/** The compression type bits (0 = zlib for 4.x producers). */
export function getCompressionType(sysFlag: number): number {
  return sysFlag & MessageSysFlag.COMPRESSION_TYPE_COMPARATOR;
}

/** PREPARED and ROLLBACK records go to no ConsumeQueue and carry queueOffset 0. */
export function isPreparedOrRollback(sysFlag: number): boolean {
  const t = getTransactionValue(sysFlag);
  return t === MessageSysFlag.TRANSACTION_PREPARED_TYPE || t === MessageSysFlag.TRANSACTION_ROLLBACK_TYPE;
}
