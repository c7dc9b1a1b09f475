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

/** LOWER: first offset with store time >= ts (max if none). UPPER: last offset with store time <= ts (0 if none). */
export function offsetInQueueByTime(
  cq: ConsumeQueue,
  log: CommitLog,
  ts: number,
  boundary: BoundaryType,
): number {
  let lo = cq.minOffset;
  let hi = cq.maxOffset;
  // first offset in [min, max) whose store time is > ts (UPPER) or >= ts (LOWER)
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const t = storeTimeAt(cq, log, mid);
    if (boundary === "LOWER" ? t >= ts : t > ts) hi = mid;
    else lo = mid + 1;
  }
  if (boundary === "LOWER") return lo;
  return lo > cq.minOffset ? lo - 1 : 0;
}
