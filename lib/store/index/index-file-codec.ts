/**
 * IndexFile layout (protocol §9.4).
 *
 * Header (40 bytes, big-endian):
 *   @0   long  beginTimestamp    store time of the first indexed message
 *   @8   long  endTimestamp      store time of the last indexed message
 *   @16  long  beginPhyOffset
 *   @24  long  endPhyOffset
 *   @32  int   hashSlotCount     slots in use
 *   @36  int   indexCount        next item index; starts at 1 (item 0 unused, 0 = empty)
 * Hash slots: hashSlotNum × int at 40 + slot*4: index of the newest item in the bucket (0 = empty).
 * Items: indexNum × 20 bytes at 40 + hashSlotNum*4 + index*20:
 *   @0   int   keyHash           abs(String.hashCode(key)), Integer.MIN_VALUE → 0
 *   @4   long  phyOffset
 *   @12  int   timeDiff          seconds since beginTimestamp, clamped to [0, Integer.MAX_VALUE]
 *   @16  int   prevIndex         previous item in the bucket (0 = end of chain)
 */
import { StratusError } from "../../common/errors.js";
import { readLong, writeLong } from "../../protocol/message-record.js";
import { javaStringHashCode } from "../../protocol/tags.js";

export const INDEX_HEADER_SIZE = 40;
export const HASH_SLOT_SIZE = 4;
export const INDEX_ITEM_SIZE = 20;
export const BEGIN_TIMESTAMP_POS = 0;
export const END_TIMESTAMP_POS = 8;
export const BEGIN_PHY_OFFSET_POS = 16;
export const END_PHY_OFFSET_POS = 24;
export const HASH_SLOT_COUNT_POS = 32;
export const INDEX_COUNT_POS = 36;
export const ITEM_KEY_HASH_POS = 0;
export const ITEM_PHY_OFFSET_POS = 4;
export const ITEM_TIME_DIFF_POS = 12;
export const ITEM_PREV_INDEX_POS = 16;

export interface IndexHeader {
  beginTimestamp: number;
  endTimestamp: number;
  beginPhyOffset: number;
  endPhyOffset: number;
  hashSlotCount: number;
  indexCount: number;
}

export interface IndexItem {
  keyHash: number;
  phyOffset: number;
  timeDiff: number;
  prevIndex: number;
}

function corrupt(what: string, e?: unknown): StratusError {
  return new StratusError("STORE_CORRUPT", `index file: ${what}${e ? `: ${String(e)}` : ""}`);
}

export function indexFileSize(hashSlotNum: number, indexNum: number): number {
  return INDEX_HEADER_SIZE + hashSlotNum * HASH_SLOT_SIZE + indexNum * INDEX_ITEM_SIZE;
}

export function itemPosition(hashSlotNum: number, index: number): number {
  return INDEX_HEADER_SIZE + hashSlotNum * HASH_SLOT_SIZE + index * INDEX_ITEM_SIZE;
}

/** The non-negative key hash Apache stores (abs of Java hashCode, MIN_VALUE → 0). */
export function indexKeyHash(key: string): number {
  const h = javaStringHashCode(key);
  return h === -2147483648 ? 0 : Math.abs(h);
}

export function encodeIndexHeader(h: IndexHeader): Buffer {
  const buf = Buffer.allocUnsafe(INDEX_HEADER_SIZE);
  writeLong(buf, BEGIN_TIMESTAMP_POS, h.beginTimestamp);
  writeLong(buf, END_TIMESTAMP_POS, h.endTimestamp);
  writeLong(buf, BEGIN_PHY_OFFSET_POS, h.beginPhyOffset);
  writeLong(buf, END_PHY_OFFSET_POS, h.endPhyOffset);
  buf.writeInt32BE(h.hashSlotCount, HASH_SLOT_COUNT_POS);
  buf.writeInt32BE(h.indexCount, INDEX_COUNT_POS);
  return buf;
}

export function decodeIndexHeader(buf: Buffer): IndexHeader {
  if (buf.length < INDEX_HEADER_SIZE) throw corrupt(`header of ${buf.length} bytes`);
  try {
    return {
      beginTimestamp: readLong(buf, BEGIN_TIMESTAMP_POS),
      endTimestamp: readLong(buf, END_TIMESTAMP_POS),
      beginPhyOffset: readLong(buf, BEGIN_PHY_OFFSET_POS),
      endPhyOffset: readLong(buf, END_PHY_OFFSET_POS),
      hashSlotCount: buf.readInt32BE(HASH_SLOT_COUNT_POS),
      indexCount: buf.readInt32BE(INDEX_COUNT_POS),
    };
  } catch (e) {
    throw corrupt("header", e);
  }
}

export function writeIndexItem(buf: Buffer, pos: number, item: IndexItem): void {
  buf.writeInt32BE(item.keyHash, pos + ITEM_KEY_HASH_POS);
  writeLong(buf, pos + ITEM_PHY_OFFSET_POS, item.phyOffset);
  buf.writeInt32BE(item.timeDiff, pos + ITEM_TIME_DIFF_POS);
  buf.writeInt32BE(item.prevIndex, pos + ITEM_PREV_INDEX_POS);
}

export function encodeIndexItem(item: IndexItem): Buffer {
  const buf = Buffer.allocUnsafe(INDEX_ITEM_SIZE);
  writeIndexItem(buf, 0, item);
  return buf;
}

export function decodeIndexItem(buf: Buffer, pos = 0): IndexItem {
  if (!Number.isInteger(pos) || pos < 0 || pos + INDEX_ITEM_SIZE > buf.length)
    throw corrupt(`item at ${pos}`);
  try {
    return {
      keyHash: buf.readInt32BE(pos + ITEM_KEY_HASH_POS),
      phyOffset: readLong(buf, pos + ITEM_PHY_OFFSET_POS),
      timeDiff: buf.readInt32BE(pos + ITEM_TIME_DIFF_POS),
      prevIndex: buf.readInt32BE(pos + ITEM_PREV_INDEX_POS),
    };
  } catch (e) {
    throw corrupt(`item at ${pos}`, e);
  }
}

/** Seconds since the file's begin timestamp, clamped to [0, Integer.MAX_VALUE]. */
export function indexTimeDiff(storeTimestamp: number, beginTimestamp: number): number {
  const d = Math.floor((storeTimestamp - beginTimestamp) / 1000);
  return d < 0 ? 0 : Math.min(d, 0x7fffffff);
}
