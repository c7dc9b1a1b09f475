/**
 * Cuts a chunk out of CommitLog bytes and builds its index: walks whole records from the start of `bytes` and
 * stops before the record that would pass the byte or queue limit (the first record is always taken), at a
 * blank marker (the segment's end) or at the end of the bytes. Pure over Buffer: the uploader reads the bytes.
 *
 * The ConsumeQueue units and index keys are derived from the records exactly as the store's dispatcher derives
 * them (PREPARED/ROLLBACK records get no unit, ROLLBACK records no keys; the schedule topic's tagsCode is the
 * delivery time), so a reader sees the same queue the local disk had.
 */
import { StratusError } from "../common/errors.js";
import { MAX_MESSAGE_RECORD_BYTES } from "../common/limits.js";
import { MessageConst } from "../protocol/message-properties.js";
import {
  BLANK_MAGIC_CODE,
  decodeMessageRecord,
  isMessageMagic,
  MAGIC_CODE_POS,
  type MessageExt,
  MIN_RECORD_BYTES,
} from "../protocol/message-record.js";
import { isPreparedOrRollback, MessageSysFlag } from "../protocol/message-sys-flag.js";
import { CQ_HOLE_SIZE, encodeConsumeQueueUnit } from "../store/consumequeue/consume-queue-unit.js";
import { indexKeyHash } from "../store/index/index-file-codec.js";
import { buildIndexKey } from "../store/index/index-service.js";
import { consumeQueueTagsCode } from "../store/schedule-delay.js";
import type { ChunkIndex, ChunkKey, ChunkQueue } from "./chunk-index-codec.js";

/** Largest gap in a queue's offsets filled with hole units inside one chunk (the store's rule is the same idea). */
const MAX_HOLE_UNITS = 1024;

export interface ChunkLimits {
  /** Bytes of records per chunk (a single larger record still makes a chunk on its own). */
  maxBytes: number;
  maxQueues: number;
  delayLevels: readonly number[];
}

export interface ChunkCut {
  /** Bytes of `bytes` taken: whole records. 0 when `bytes` starts with a blank marker or holds no whole record. */
  length: number;
  index: ChunkIndex;
  records: number;
  minStoreTimestamp: number;
  maxStoreTimestamp: number;
}

interface QueueBuild {
  topic: string;
  queueId: number;
  first: number;
  units: Buffer[];
}

/** The record's head: its size, or -1 for a blank marker / anything that is not a whole record here. */
function recordSizeAt(bytes: Buffer, pos: number): number {
  if (pos + 8 > bytes.length) return -1;
  const size = bytes.readInt32BE(pos);
  const magic = bytes.readInt32BE(pos + MAGIC_CODE_POS);
  if (magic === BLANK_MAGIC_CODE || !isMessageMagic(magic)) return -1;
  if (size < MIN_RECORD_BYTES || size > MAX_MESSAGE_RECORD_BYTES || pos + size > bytes.length) return -1;
  return size;
}

/**
 * A cut in progress, walked a few records at a time so that building an 8 MiB chunk (thousands of records to
 * decode) never holds the event loop for long: the uploader awaits between steps.
 */
export class ChunkCutter {
  private readonly queues = new Map<string, QueueBuild>();
  private readonly keys: ChunkKey[] = [];
  private pos = 0;
  private records = 0;
  private minTs = Number.MAX_SAFE_INTEGER;
  private maxTs = 0;
  private done = false;

  constructor(
    private readonly bytes: Buffer,
    private readonly startOffset: number,
    private readonly limits: ChunkLimits,
  ) {}

  /** Takes up to `maxRecords` more records; true once the cut is complete. */
  step(maxRecords: number): boolean {
    const { bytes, startOffset, limits } = this;
    for (let n = 0; n < maxRecords && !this.done; n++) {
      const pos = this.pos;
      const size = recordSizeAt(bytes, pos);
      if (size < 0 || (pos > 0 && pos + size > limits.maxBytes)) {
        this.done = true;
        break;
      }
      const m = decodeRecord(bytes.subarray(pos, pos + size), startOffset + pos);
      if (pos > 0 && !isPreparedOrRollback(m.sysFlag)) {
        const id = queueId(m);
        if (!this.queues.has(id) && this.queues.size >= limits.maxQueues) {
          this.done = true;
          break;
        }
      }
      addUnit(this.queues, m, startOffset + pos, size, limits.delayLevels);
      addKeys(this.keys, m, startOffset + pos);
      this.minTs = Math.min(this.minTs, m.storeTimestamp);
      this.maxTs = Math.max(this.maxTs, m.storeTimestamp);
      this.records++;
      this.pos = pos + size;
    }
    return this.done;
  }

  /** The cut of the records taken so far (all of them once step() answered true). */
  result(): ChunkCut {
    const { startOffset, pos, records } = this;
    const index: ChunkIndex = {
      startOffset,
      endOffset: startOffset + pos,
      queues: [...this.queues.values()].sort(byQueue).map(toChunkQueue),
      keys: this.keys,
    };
    return {
      length: pos,
      index,
      records,
      minStoreTimestamp: records ? this.minTs : 0,
      maxStoreTimestamp: this.maxTs,
    };
  }
}

/** The whole cut in one go. */
export function cutChunk(bytes: Buffer, startOffset: number, limits: ChunkLimits): ChunkCut {
  const cutter = new ChunkCutter(bytes, startOffset, limits);
  while (!cutter.step(Number.POSITIVE_INFINITY));
  return cutter.result();
}

function decodeRecord(rec: Buffer, phy: number): MessageExt {
  const m = decodeMessageRecord(rec);
  if (m.commitLogOffset !== phy)
    throw new StratusError("STORE_CORRUPT", `CommitLog record at ${phy} says it is at ${m.commitLogOffset}`);
  return m;
}

function queueId(m: MessageExt): string {
  return `${m.topic}\u0001${m.queueId}`;
}

function byQueue(a: QueueBuild, b: QueueBuild): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  return a.queueId - b.queueId;
}

function toChunkQueue(q: QueueBuild): ChunkQueue {
  return { topic: q.topic, queueId: q.queueId, firstQueueOffset: q.first, units: Buffer.concat(q.units) };
}

function addUnit(
  queues: Map<string, QueueBuild>,
  m: MessageExt,
  phy: number,
  size: number,
  delayLevels: readonly number[],
): void {
  if (isPreparedOrRollback(m.sysFlag)) return;
  const id = queueId(m);
  let q = queues.get(id);
  if (!q) {
    q = { topic: m.topic, queueId: m.queueId, first: m.queueOffset, units: [] };
    queues.set(id, q);
  }
  const expected = q.first + q.units.length;
  // the writer gives a queue consecutive offsets; a record behind the queue is a duplicate and is left out
  if (m.queueOffset < expected) return;
  if (m.queueOffset - expected > MAX_HOLE_UNITS)
    throw new StratusError(
      "STORE_CORRUPT",
      `queue ${m.topic}/${m.queueId} jumps from ${expected} to ${m.queueOffset}`,
    );
  for (let h = expected; h < m.queueOffset; h++)
    q.units.push(encodeConsumeQueueUnit({ commitLogOffset: 0, size: CQ_HOLE_SIZE, tagsCode: 0 }));
  const tagsCode = consumeQueueTagsCode(
    delayLevels,
    m.topic,
    m.propertiesString,
    m.storeTimestamp,
    undefined,
  );
  q.units.push(encodeConsumeQueueUnit({ commitLogOffset: phy, size, tagsCode }));
}

function addKeys(keys: ChunkKey[], m: MessageExt, phy: number): void {
  if ((m.sysFlag & MessageSysFlag.TRANSACTION_ROLLBACK_TYPE) === MessageSysFlag.TRANSACTION_ROLLBACK_TYPE)
    return;
  const add = (k: string | undefined) => {
    if (k)
      keys.push({ hash: indexKeyHash(buildIndexKey(m.topic, k)), phy, storeTimestamp: m.storeTimestamp });
  };
  add(m.properties.get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX));
  for (const k of (m.properties.get(MessageConst.PROPERTY_KEYS) ?? "").split(MessageConst.KEY_SEPARATOR))
    add(k);
}
