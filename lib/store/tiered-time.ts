/**
 * Store-time lookups over both tiers, for SEARCH_OFFSET_BY_TIMESTAMP, GET_EARLIEST_MSG_STORETIME and the admin
 * time spans: a queue offset whose unit and record are still local is answered from local disk; older ones
 * from the cold tier, which narrows a time search to one chunk with the manifest's per-chunk time ranges
 * before reading any object (tier-reader.ts firstOffsetByTime). Semantics follow queue-time.ts.
 */
import type { CommitLog } from "./commitlog/commit-log.js";
import type { ConsumeQueue } from "./consumequeue/consume-queue.js";
import {
  type BoundaryType,
  firstLocalOffsetByTime,
  localStoreTimeAt,
  offsetInQueueByTime,
} from "./queue-time.js";
import type { ColdReader } from "./tier-hooks.js";
import { spanOf } from "./tiered-reads.js";

export interface TieredTimeParts {
  cq: ConsumeQueue | undefined;
  log: CommitLog;
  cold: ColdReader;
  topic: string;
  queueId: number;
}

/** Store time of the message at queue offset `q`, from whichever tier holds it; -1 if neither does. */
export async function storeTimeAtTiered(p: TieredTimeParts, q: number): Promise<number> {
  const local = localStoreTimeAt(p.cq, p.log, q);
  return local ?? p.cold.storeTimeAt(p.topic, p.queueId, q);
}

/** Store time of the oldest message either tier still holds; -1 for an empty queue. */
export async function earliestStoreTimeTiered(p: TieredTimeParts): Promise<number> {
  const span = spanOf(p.cq, p.cold.queueRange(p.topic, p.queueId));
  if (span.maxOffset <= span.minOffset) return -1;
  return storeTimeAtTiered(p, span.minOffset);
}

/** LOWER: first offset with store time >= ts (max if none). UPPER: last offset with store time <= ts (0 if none). */
export async function offsetInQueueByTimeTiered(
  p: TieredTimeParts,
  ts: number,
  boundary: BoundaryType,
): Promise<number> {
  const range = p.cold.queueRange(p.topic, p.queueId);
  if (!range) return p.cq ? offsetInQueueByTime(p.cq, p.log, ts, boundary) : 0;
  const strict = boundary === "UPPER";
  let first = (await p.cold.firstOffsetByTime(p.topic, p.queueId, ts, strict)) ?? range.maxOffset;
  // nothing the tier holds is late enough: the answer is among the local offsets after the tier's
  if (first >= range.maxOffset && p.cq && p.cq.maxOffset > range.maxOffset)
    first = firstLocalOffsetByTime(p.cq, p.log, ts, strict, range.maxOffset);
  if (boundary === "LOWER") return first;
  const min = spanOf(p.cq, range).minOffset;
  return first > min ? first - 1 : 0;
}
