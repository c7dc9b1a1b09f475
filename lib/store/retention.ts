/**
 * Retention (protocol §9.2): delete the oldest CommitLog segments while they are older than fileReservedTime
 * hours or the CommitLog spans more than maxCommitLogBytes — never the active segment — then move ConsumeQueue
 * min offsets up (deleting wholly older ConsumeQueue files) and drop index files wholly older.
 *
 * A segment's age is the store time of the first record of the segment after it (when it stopped being
 * written), so the store clock, not file mtimes, decides. With a cold tier attached, a segment is deleted only
 * once the guard says the tier holds all of it, whatever its age or the log's size.
 */
import type { Clock } from "../common/clock.js";
import type { CommitLog } from "./commitlog/commit-log.js";
import type { ConsumeQueueTable } from "./consumequeue/consume-queue-table.js";
import type { IndexService } from "./index/index-service.js";
import type { MessageStoreConfig } from "./message-store.js";

/** Apache cleanResourceInterval. */
export const RETENTION_INTERVAL_MS = 10_000;
/** Apache deleteCommitLogFilesInterval spirit: bound the work of one run. */
export const MAX_SEGMENTS_DELETED_PER_RUN = 10;

export interface RetentionParts {
  config: Readonly<MessageStoreConfig>;
  clock: Clock;
  commitLog: CommitLog;
  consumeQueues: ConsumeQueueTable;
  index: IndexService | undefined;
  /** Retention guard (the cold tier): whether segment [start, end) may go. */
  mayDeleteSegment?: ((start: number, end: number) => boolean) | undefined;
}

function firstSegmentExpired(p: RetentionParts): boolean {
  const log = p.commitLog;
  const [first, next] = log.segments;
  if (!first || !next) return false;
  if (p.mayDeleteSegment && !p.mayDeleteSegment(first.fileFromOffset, first.fileEndOffset)) return false;
  const { maxCommitLogBytes, fileReservedTime } = p.config;
  if (maxCommitLogBytes > 0 && log.maxOffset - first.fileFromOffset > maxCommitLogBytes) return true;
  const closedAt = log.readStoreTimestamp(next.fileFromOffset);
  return closedAt > 0 && p.clock.nowMs() >= closedAt + fileReservedTime * 3_600_000;
}

/** One retention pass; returns how many CommitLog segments were deleted. */
export function runRetention(p: RetentionParts): number {
  let deleted = 0;
  while (deleted < MAX_SEGMENTS_DELETED_PER_RUN && firstSegmentExpired(p) && p.commitLog.deleteFirstSegment())
    deleted++;
  if (deleted > 0) {
    const phyMin = p.commitLog.minOffset;
    for (const cq of p.consumeQueues.all()) cq.correctMinOffset(phyMin);
    p.index?.deleteExpired(phyMin);
  }
  return deleted;
}
