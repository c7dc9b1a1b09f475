/**
 * ConsumeQueue unit (protocol §9.3): one per message of a topic-queue, unit index = logical queue offset.
 *
 * Layout (20 bytes, big-endian):
 *   @0   long  commitLogOffset   physical offset of the record
 *   @8   int   size              record totalSize
 *   @12  long  tagsCode          tag hash (delivery timestamp for SCHEDULE_TOPIC_XXXX)
 *
 * A "hole" unit (0, Integer.MAX_VALUE, 0) fills a gap in the queue (Apache fillPreBlank); readers skip it.
 */
import { StratusError } from "../../common/errors.js";
import { readLong, writeLong } from "../../protocol/message-record.js";
import { CQ_STORE_UNIT_SIZE } from "../store-config.js";

export const CQ_COMMIT_LOG_OFFSET_POS = 0;
export const CQ_SIZE_POS = 8;
export const CQ_TAGS_CODE_POS = 12;
export const CQ_HOLE_SIZE = 0x7fffffff;

export interface ConsumeQueueUnit {
  commitLogOffset: number;
  size: number;
  tagsCode: number;
}

/** Writes one unit at `pos` of `buf`. */
export function writeConsumeQueueUnit(buf: Buffer, pos: number, unit: ConsumeQueueUnit): void {
  writeLong(buf, pos + CQ_COMMIT_LOG_OFFSET_POS, unit.commitLogOffset);
  buf.writeInt32BE(unit.size, pos + CQ_SIZE_POS);
  writeLong(buf, pos + CQ_TAGS_CODE_POS, unit.tagsCode);
}

export function encodeConsumeQueueUnit(unit: ConsumeQueueUnit): Buffer {
  const buf = Buffer.allocUnsafe(CQ_STORE_UNIT_SIZE);
  writeConsumeQueueUnit(buf, 0, unit);
  return buf;
}

/** Reads the unit at `pos`; throws STORE_CORRUPT if it does not fit or holds a long beyond 2^53. */
export function decodeConsumeQueueUnit(buf: Buffer, pos = 0): ConsumeQueueUnit {
  if (!Number.isInteger(pos) || pos < 0 || pos + CQ_STORE_UNIT_SIZE > buf.length)
    throw new StratusError("STORE_CORRUPT", `consume queue unit at ${pos} of ${buf.length} bytes`);
  try {
    return {
      commitLogOffset: readLong(buf, pos + CQ_COMMIT_LOG_OFFSET_POS),
      size: buf.readInt32BE(pos + CQ_SIZE_POS),
      tagsCode: readLong(buf, pos + CQ_TAGS_CODE_POS),
    };
  } catch (e) {
    throw new StratusError("STORE_CORRUPT", `consume queue unit at ${pos}: ${String(e)}`);
  }
}

/** Apache's recovery rule: a unit is written when offset >= 0 and size > 0. */
export function isValidConsumeQueueUnit(unit: ConsumeQueueUnit): boolean {
  return unit.commitLogOffset >= 0 && unit.size > 0;
}

export function isHoleUnit(unit: ConsumeQueueUnit): boolean {
  return unit.size === CQ_HOLE_SIZE && unit.commitLogOffset === 0;
}
