/**
 * Queue offset by store time (Apache ConsumeQueue.getOffsetInQueueByTime, protocol §5.6): a binary search over
 * the queue's units, reading each probe's store time from its CommitLog record. Units whose record is gone
 * count as older than everything.
 */
import type { CommitLog } from "./commitlog/commit-log.js";
import type { ConsumeQueue } from "./consumequeue/consume-queue.js";
import { isHoleUnit } from "./consumequeue/consume-queue-unit.js";

export type BoundaryType = "LOWER" | "UPPER";

function storeTimeAt(cq: ConsumeQueue, log: CommitLog, q: number): number {
  const unit = cq.unitAt(q);
  if (!unit || isHoleUnit(unit)) return -1;
  return log.readStoreTimestamp(unit.commitLogOffset);
}

/** The first offset in [max(from, min), max) whose store time is > ts (`strict`) or >= ts; max if none. */
export function firstLocalOffsetByTime(
  cq: ConsumeQueue,
  log: CommitLog,
  ts: number,
  strict: boolean,
  from = 0,
): number {
  let lo = Math.max(from, cq.minOffset);
  let hi = cq.maxOffset;
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const t = storeTimeAt(cq, log, mid);
    if (strict ? t > ts : t >= ts) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** LOWER: first offset with store time >= ts (max if none). UPPER: last offset with store time <= ts (0 if none). */
export function offsetInQueueByTime(
  cq: ConsumeQueue,
  log: CommitLog,
  ts: number,
  boundary: BoundaryType,
): number {
  const lo = firstLocalOffsetByTime(cq, log, ts, boundary === "UPPER");
  if (boundary === "LOWER") return lo;
  return lo > cq.minOffset ? lo - 1 : 0;
}

/** The local unit at `q` when its record is still on local disk: its store time; undefined otherwise. */
export function localStoreTimeAt(
  cq: ConsumeQueue | undefined,
  log: CommitLog,
  q: number,
): number | undefined {
  if (!cq || q < cq.minOffset || q >= cq.maxOffset) return undefined;
  const t = storeTimeAt(cq, log, q); // -1 for a hole or a record no longer on local disk
  return t >= 0 ? t : undefined;
}
