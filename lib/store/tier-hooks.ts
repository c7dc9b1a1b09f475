/**
 * Hooks through which a cold tier (lib/tier: CommitLog chunks in an object store, recorded in a manifest)
 * extends the store. They live here because the store may not import the tier or the ports; lib/tier
 * implements them. With none attached the store is local only and behaves exactly as before.
 *
 * What the tier adds:
 * - reads: ConsumeQueue units and records the local disk no longer holds (ColdReader), so pulls, queries and
 *   lookups by offset reach all history (the async *Tiered methods of DefaultMessageStore);
 * - start: a local CommitLog that is empty, or behind what the tier holds, continues after the tier's end, and
 *   queue offsets continue after the tier's (stateless restart);
 * - retention: a CommitLog segment is deleted only once the tier holds all of it (mayDeleteSegment);
 * - admission: sends are refused with a remark when the tier is too far behind (admit);
 * - durability `objectStore`: a put is answered once the tier has committed it (waitCommitted).
 */

/** Queue offsets [minOffset, maxOffset) of one queue. */
export interface QueueRange {
  readonly minOffset: number;
  readonly maxOffset: number;
}

/** Where a unit points: a record of `size` bytes at CommitLog offset `phy`. */
export interface RecordRef {
  readonly phy: number;
  readonly size: number;
}

export interface ColdReader {
  /** CommitLog offset below which every record is in the tier (0 when it holds nothing). */
  committedOffset(): number;
  /** The queue offsets the tier holds for a queue, or undefined. */
  queueRange(topic: string, queueId: number): QueueRange | undefined;
  /** Queue ids the tier holds, per topic. */
  topicQueues(): Map<string, number[]>;
  /**
   * ConsumeQueue units (20 bytes each, the local format, absolute CommitLog offsets) from queue offset `q` on,
   * at most `maxUnits`, all from the one chunk holding `q`; undefined if the tier does not hold `q`.
   */
  readUnits(topic: string, queueId: number, q: number, maxUnits: number): Promise<Buffer | undefined>;
  /** The records at these places (in the order given); undefined where the tier holds none. */
  readRecords(refs: readonly RecordRef[]): Promise<(Buffer | undefined)[]>;
  /** The whole record starting at `phy`, or undefined. */
  readRecord(phy: number): Promise<Buffer | undefined>;
  /** Store time of the message at queue offset `q`, or -1 if the tier does not hold it. */
  storeTimeAt(topic: string, queueId: number, q: number): Promise<number>;
  /**
   * The first queue offset the tier holds whose store time is >= `ts` (> `ts` when `strict`); the tier's max
   * offset of the queue if none is; undefined if the tier holds nothing of the queue.
   */
  firstOffsetByTime(topic: string, queueId: number, ts: number, strict: boolean): Promise<number | undefined>;
  /**
   * CommitLog offsets below `belowOffset` (the local index covers the rest) of records indexed under
   * `topic#key` (KEYS entries and UNIQ_KEY) stored within [begin, end], newest first, at most `maxNum`. May
   * hold false positives (hash matches): callers check the records.
   */
  queryOffsets(
    topic: string,
    key: string,
    maxNum: number,
    range: { begin: number; end: number; belowOffset: number },
  ): Promise<number[]>;
}

export interface TierHooks {
  readonly cold: ColdReader;
  /** Retention guard: whether local retention may delete the CommitLog segment [start, end). */
  mayDeleteSegment(start: number, end: number): boolean;
  /** Asked before each put: a remark to refuse it with (SERVICE_NOT_AVAILABLE), or undefined to accept it. */
  admit(): string | undefined;
  /**
   * flushDiskType `objectStore`: resolves true once every record below `end` is committed to the tier (object
   * and manifest), false if that has not happened within `timeoutMs`.
   */
  waitCommitted(end: number, timeoutMs: number): Promise<boolean>;
  /** Called after each append batch with the CommitLog's new end (the uploader may start a chunk). */
  onAppended(maxOffset: number): void;
}

/** The local CommitLog as the uploader reads it (implemented by DefaultMessageStore). */
export interface LocalCommitLog {
  getMinPhyOffset(): number;
  getMaxPhyOffset(): number;
  /** CommitLog segment size: segments start at multiples of it and a record never spans two. */
  readonly commitLogSegmentSize: number;
  /** Bytes [phy, phy + size), all within one segment and written, or undefined. */
  readCommitLog(phy: number, size: number): Buffer | undefined;
  /** One retention pass now (after the tier committed more); returns the segments deleted. */
  runRetention(): number;
}

/** The first segment boundary at or after `offset`: where a log that must continue past `offset` starts. */
export function alignUpToSegment(offset: number, segmentSize: number): number {
  return Math.ceil(offset / segmentSize) * segmentSize;
}
