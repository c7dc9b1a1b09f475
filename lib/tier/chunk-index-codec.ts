/**
 * The chunk index: what a tier chunk object carries after its CommitLog bytes so that pulls and queries can be
 * served from the object store alone — the ConsumeQueue units of every topic-queue with records in the chunk,
 * and the index keys (KEYS entries and UNIQ_KEY) of its records. Pure codec: no I/O.
 *
 * Layout (big-endian):
 *   @0   int   magic             0x53544349 ("STCI")
 *   @4   short version           1
 *   @6   short reserved          0
 *   @8   long  startOffset       CommitLog offset of the chunk's first byte
 *   @16  long  endOffset         CommitLog offset just past its last byte
 *   @24  int   queueCount
 *   @28  int   keyCount
 *   @32  queueCount queue sections, ordered by (topic, queueId):
 *          short topicBytes, topic (UTF-8), int queueId, long firstQueueOffset, int unitCount,
 *          unitCount ConsumeQueue units of 20 bytes (long commitLogOffset, int size, long tagsCode)
 *        keyCount key entries of 16 bytes, in CommitLog order:
 *          int hash (IndexFile hash of "topic#key"), int relativeOffset (record offset - startOffset),
 *          long storeTimestamp
 *   end-4 int  crc32 of every byte before it
 */
import { crc32 } from "node:zlib";
import { StratusError } from "../common/errors.js";
import { MAX_TIER_CHUNK_BYTES, MAX_TIER_CHUNK_INDEX_BYTES, MAX_TOPIC_LENGTH } from "../common/limits.js";
import { readLong, writeLong } from "../protocol/message-record.js";
import { CQ_STORE_UNIT_SIZE } from "../store/store-config.js";

export const CHUNK_INDEX_MAGIC = 0x53544349;
export const CHUNK_INDEX_VERSION = 1;
export const MAGIC_POS = 0;
export const VERSION_POS = 4;
export const START_OFFSET_POS = 8;
export const END_OFFSET_POS = 16;
export const QUEUE_COUNT_POS = 24;
export const KEY_COUNT_POS = 28;
export const HEADER_BYTES = 32;
/** Queue section head without the topic: short topicBytes + int queueId + long firstQueueOffset + int unitCount. */
export const QUEUE_HEAD_BYTES = 2 + 4 + 8 + 4;
export const KEY_ENTRY_BYTES = 16;
export const CRC_BYTES = 4;
/** Longest topic in UTF-8 bytes (topics are ASCII, but the codec does not rely on it). */
const MAX_TOPIC_BYTES = MAX_TOPIC_LENGTH * 3;

export interface ChunkQueue {
  readonly topic: string;
  readonly queueId: number;
  readonly firstQueueOffset: number;
  /** unitCount × 20 bytes, the local ConsumeQueue format. */
  readonly units: Buffer;
}

export interface ChunkKey {
  readonly hash: number;
  /** Absolute CommitLog offset of the record. */
  readonly phy: number;
  readonly storeTimestamp: number;
}

export interface ChunkIndex {
  readonly startOffset: number;
  readonly endOffset: number;
  readonly queues: readonly ChunkQueue[];
  readonly keys: readonly ChunkKey[];
}

export function unitCount(q: ChunkQueue): number {
  return q.units.length / CQ_STORE_UNIT_SIZE;
}

function corrupt(why: string): StratusError {
  return new StratusError("STORE_CORRUPT", `tier chunk index: ${why}`);
}

export function encodeChunkIndex(index: ChunkIndex): Buffer {
  const topics = index.queues.map((q) => Buffer.from(q.topic, "utf8"));
  let size = HEADER_BYTES + index.keys.length * KEY_ENTRY_BYTES + CRC_BYTES;
  index.queues.forEach((q, i) => {
    size += QUEUE_HEAD_BYTES + (topics[i] as Buffer).length + q.units.length;
  });
  const buf = Buffer.alloc(size);
  buf.writeInt32BE(CHUNK_INDEX_MAGIC, MAGIC_POS);
  buf.writeInt16BE(CHUNK_INDEX_VERSION, VERSION_POS);
  writeLong(buf, START_OFFSET_POS, index.startOffset);
  writeLong(buf, END_OFFSET_POS, index.endOffset);
  buf.writeInt32BE(index.queues.length, QUEUE_COUNT_POS);
  buf.writeInt32BE(index.keys.length, KEY_COUNT_POS);
  let at = HEADER_BYTES;
  index.queues.forEach((q, i) => {
    const topic = topics[i] as Buffer;
    at = buf.writeInt16BE(topic.length, at);
    at += topic.copy(buf, at);
    at = buf.writeInt32BE(q.queueId, at);
    writeLong(buf, at, q.firstQueueOffset);
    at = buf.writeInt32BE(unitCount(q), at + 8);
    at += q.units.copy(buf, at);
  });
  for (const k of index.keys) {
    at = buf.writeInt32BE(k.hash, at);
    at = buf.writeInt32BE(k.phy - index.startOffset, at);
    writeLong(buf, at, k.storeTimestamp);
    at += 8;
  }
  buf.writeUInt32BE(crc32(buf.subarray(0, at)), at);
  return buf;
}

/** Checks magic, version, CRC and offsets; returns the header fields. */
function decodeHeader(buf: Buffer): { start: number; end: number; queueCount: number; keyCount: number } {
  if (buf.length > MAX_TIER_CHUNK_INDEX_BYTES) throw corrupt(`${buf.length} bytes is over the limit`);
  if (buf.length < HEADER_BYTES + CRC_BYTES) throw corrupt(`${buf.length} bytes is too short`);
  if (buf.readInt32BE(MAGIC_POS) !== CHUNK_INDEX_MAGIC) throw corrupt("bad magic");
  const version = buf.readInt16BE(VERSION_POS);
  if (version !== CHUNK_INDEX_VERSION) throw corrupt(`unknown version ${version}`);
  const body = buf.length - CRC_BYTES;
  if (buf.readUInt32BE(body) !== crc32(buf.subarray(0, body))) throw corrupt("CRC mismatch");
  let start: number;
  let end: number;
  try {
    start = readLong(buf, START_OFFSET_POS);
    end = readLong(buf, END_OFFSET_POS);
  } catch {
    throw corrupt("offset beyond 2^53");
  }
  if (start < 0 || end <= start || end - start > MAX_TIER_CHUNK_BYTES)
    throw corrupt(`chunk [${start}, ${end})`);
  const queueCount = buf.readInt32BE(QUEUE_COUNT_POS);
  const keyCount = buf.readInt32BE(KEY_COUNT_POS);
  if (queueCount < 0 || keyCount < 0 || queueCount * QUEUE_HEAD_BYTES + keyCount * KEY_ENTRY_BYTES > body)
    throw corrupt(`${queueCount} queues and ${keyCount} keys do not fit`);
  return { start, end, queueCount, keyCount };
}

/** Decodes a chunk index; anything malformed raises STORE_CORRUPT. Units alias `buf`. */
export function decodeChunkIndex(buf: Buffer): ChunkIndex {
  const h = decodeHeader(buf);
  const body = buf.length - CRC_BYTES;
  const need = (at: number, n: number) => {
    if (at + n > body) throw corrupt(`truncated at ${at}`);
  };
  const queues: ChunkQueue[] = [];
  let at = HEADER_BYTES;
  for (let i = 0; i < h.queueCount; i++) {
    need(at, QUEUE_HEAD_BYTES);
    const topicBytes = buf.readInt16BE(at);
    if (topicBytes <= 0 || topicBytes > MAX_TOPIC_BYTES) throw corrupt(`topic of ${topicBytes} bytes`);
    need(at, QUEUE_HEAD_BYTES + topicBytes);
    const topic = buf.toString("utf8", at + 2, at + 2 + topicBytes);
    at += 2 + topicBytes;
    const queueId = buf.readInt32BE(at);
    const first = safeLong(buf, at + 4);
    const count = buf.readInt32BE(at + 12);
    at += 16;
    if (queueId < 0 || first < 0 || count <= 0)
      throw corrupt(`queue ${topic}/${queueId} at ${first} x${count}`);
    need(at, count * CQ_STORE_UNIT_SIZE);
    queues.push({
      topic,
      queueId,
      firstQueueOffset: first,
      units: buf.subarray(at, at + count * CQ_STORE_UNIT_SIZE),
    });
    at += count * CQ_STORE_UNIT_SIZE;
  }
  need(at, h.keyCount * KEY_ENTRY_BYTES);
  if (at + h.keyCount * KEY_ENTRY_BYTES !== body) throw corrupt("trailing bytes");
  const keys: ChunkKey[] = [];
  for (let i = 0; i < h.keyCount; i++, at += KEY_ENTRY_BYTES) {
    const rel = buf.readInt32BE(at + 4);
    if (rel < 0 || rel >= h.end - h.start) throw corrupt(`key at relative offset ${rel}`);
    keys.push({ hash: buf.readInt32BE(at), phy: h.start + rel, storeTimestamp: safeLong(buf, at + 8) });
  }
  return { startOffset: h.start, endOffset: h.end, queues, keys };
}

function safeLong(buf: Buffer, at: number): number {
  try {
    return readLong(buf, at);
  } catch {
    throw corrupt(`long at ${at} beyond 2^53`);
  }
}
