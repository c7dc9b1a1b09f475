/**
 * Reads over both tiers. ConsumeQueue units come from the local queue or, below its min offset, from the cold
 * tier's chunk holding the offset; records come from local CommitLog segments or, once retention deleted them,
 * from the cold tier. Statuses, nextBeginOffset and batch limits follow getMessage (get-message.ts); min and max
 * offsets span both tiers, so a client cannot tell which tier answered. Records the tier must fetch are asked
 * for together (the tier reader merges them into range reads) before the filter's second stage runs.
 */
import { MAX_PULL_BYTES, MAX_PULL_MESSAGES, MAX_QUERY_RESULTS } from "../common/limits.js";
import { MessageConst } from "../protocol/message-properties.js";
import { decodeMessageRecord } from "../protocol/message-record.js";
import type { CommitLog } from "./commitlog/commit-log.js";
import type { ConsumeQueue } from "./consumequeue/consume-queue.js";
import type { ConsumeQueueTable } from "./consumequeue/consume-queue-table.js";
import { CQ_HOLE_SIZE } from "./consumequeue/consume-queue-unit.js";
import { decodeUnits, getMessage, MAX_FILTER_MESSAGE_BYTES, result, type Unit } from "./get-message.js";
import type { IndexService } from "./index/index-service.js";
import type {
  GetMessageResult,
  GetMessageStatus,
  MessageFilter,
  QueryMessageResult,
} from "./message-store.js";
import { CQ_STORE_UNIT_SIZE } from "./store-config.js";
import { alignUpToSegment, type ColdReader, type QueueRange, type RecordRef } from "./tier-hooks.js";

export interface TieredQueueParts {
  cq: ConsumeQueue | undefined;
  log: CommitLog;
  cold: ColdReader;
  topic: string;
  queueId: number;
}

/** A local queue that holds units (not only a min offset moved up to its max by retention). */
function localUnits(cq: ConsumeQueue | undefined): ConsumeQueue | undefined {
  return cq && cq.maxOffset > cq.minOffset ? cq : undefined;
}

/** Min and max offsets across both tiers. */
export function spanOf(cq: ConsumeQueue | undefined, cold: QueueRange | undefined): QueueRange {
  if (!cold) return { minOffset: cq?.minOffset ?? 0, maxOffset: cq?.maxOffset ?? 0 };
  const local = localUnits(cq);
  return {
    minOffset: local ? Math.min(cold.minOffset, local.minOffset) : cold.minOffset,
    maxOffset: Math.max(cold.maxOffset, cq?.maxOffset ?? 0),
  };
}

function isHole(u: Unit): boolean {
  return (u.size === CQ_HOLE_SIZE && u.phy === 0) || u.size <= 0 || u.phy < 0;
}

/** Whether the unit at `offset` of the local queue points at a record still on local disk. */
function unitIsLocal(cq: ConsumeQueue, log: CommitLog, offset: number): boolean {
  const u = cq.unitAt(offset);
  return u !== undefined && u.commitLogOffset >= log.minOffset;
}

export async function getMessageTiered(
  p: TieredQueueParts,
  offset: number,
  maxMsgNums: number,
  maxTotalBytes: number,
  filter: MessageFilter | undefined,
): Promise<GetMessageResult> {
  const { cq, log } = p;
  const range = p.cold.queueRange(p.topic, p.queueId);
  if (!range) return getMessage(cq, log, offset, maxMsgNums, maxTotalBytes, filter);
  const { minOffset: min, maxOffset: max } = spanOf(cq, range);
  if (max === 0) return result("NO_MESSAGE_IN_QUEUE", 0, min, max);
  if (offset < min) return result("OFFSET_TOO_SMALL", min, min, max);
  if (offset === max) return result("OFFSET_OVERFLOW_ONE", offset, min, max);
  if (offset > max) return result("OFFSET_OVERFLOW_BADLY", max, min, max);
  if (cq && offset >= cq.minOffset && offset < cq.maxOffset && unitIsLocal(cq, log, offset)) {
    const r = getMessage(cq, log, offset, maxMsgNums, maxTotalBytes, filter);
    return { ...r, minOffset: min, maxOffset: max };
  }
  const maxNums = Math.max(1, Math.min(maxMsgNums, MAX_PULL_MESSAGES));
  const maxBytes = Math.max(100, Math.min(maxTotalBytes, MAX_PULL_BYTES));
  const want = filter
    ? Math.floor(Math.max(MAX_FILTER_MESSAGE_BYTES, maxNums * CQ_STORE_UNIT_SIZE) / CQ_STORE_UNIT_SIZE)
    : maxNums;
  const raw =
    cq && offset >= cq.minOffset && offset < cq.maxOffset
      ? cq.readUnits(offset, want)
      : await p.cold.readUnits(p.topic, p.queueId, offset, want);
  if (!raw) {
    // neither tier holds the offset (the tier dropped a chunk meanwhile): move on to where data is
    const next = cq && offset < cq.minOffset ? cq.minOffset : max;
    return result("OFFSET_FOUND_NULL", next, min, max);
  }
  const units = decodeUnits(raw);
  const fetched = await fetchRecords(p, units, pickUnits(units, maxNums, maxBytes, filter));
  const scan = scanFetched(units, fetched, maxNums, maxBytes, filter);
  return result(scan.status, offset + scan.consumed, min, max, scan.messages);
}

/** Indexes of the units whose records one pull may need: CQ-filter matches, up to the batch limits. */
function pickUnits(units: Unit[], maxNums: number, maxBytes: number, filter: MessageFilter | undefined) {
  const picked: number[] = [];
  let bytes = 0;
  for (let i = 0; i < units.length && picked.length < maxNums && bytes < maxBytes; i++) {
    const u = units[i] as Unit;
    if (isHole(u) || (filter && !filter.isMatchedByConsumeQueue(u.tagsCode))) continue;
    picked.push(i);
    bytes += u.size;
  }
  return picked;
}

/** The picked records: local ones read now, the others from the cold tier in one call. */
async function fetchRecords(
  p: TieredQueueParts,
  units: Unit[],
  picked: number[],
): Promise<Map<number, Buffer | undefined>> {
  const out = new Map<number, Buffer | undefined>();
  const cold: number[] = [];
  for (const i of picked) {
    const u = units[i] as Unit;
    const local = u.phy >= p.log.minOffset ? p.log.read(u.phy, u.size) : undefined;
    if (local) out.set(i, local);
    else cold.push(i);
  }
  if (cold.length === 0) return out;
  const refs: RecordRef[] = cold.map((i) => ({ phy: (units[i] as Unit).phy, size: (units[i] as Unit).size }));
  const recs = await p.cold.readRecords(refs);
  cold.forEach((i, k) => {
    out.set(i, recs[k]);
  });
  return out;
}

interface FetchedScan {
  status: GetMessageStatus;
  messages: Buffer[];
  /** Units consumed from the first one (the next pull starts after them). */
  consumed: number;
}

/** getMessage's scan over records fetched beforehand; stops at a unit that was not fetched. */
function scanFetched(
  units: Unit[],
  fetched: Map<number, Buffer | undefined>,
  maxNums: number,
  maxBytes: number,
  filter: MessageFilter | undefined,
): FetchedScan {
  const st: FetchedScan = { status: "NO_MATCHED_MESSAGE", messages: [], consumed: units.length };
  let bytes = 0;
  for (let i = 0; i < units.length; i++) {
    const u = units[i] as Unit;
    if (isHole(u)) continue;
    const n = st.messages.length;
    if (n > 0 && (n >= maxNums || bytes + u.size > maxBytes)) return { ...st, consumed: i };
    if (filter && !filter.isMatchedByConsumeQueue(u.tagsCode)) continue;
    if (!fetched.has(i)) return { ...st, consumed: i };
    const rec = fetched.get(i);
    if (!rec) {
      if (n === 0) st.status = "MESSAGE_WAS_REMOVING";
      continue;
    }
    if (filter?.isMatchedByCommitLog && !filter.isMatchedByCommitLog(rec)) continue;
    st.messages.push(rec);
    bytes += u.size;
    st.status = "FOUND";
  }
  return st;
}

/** The record at `phy` from local disk, else from the tier (only below what it has committed). */
export async function lookMessageTiered(
  log: CommitLog,
  cold: ColdReader | undefined,
  phy: number,
): Promise<Buffer | undefined> {
  const local = log.readRecord(phy);
  if (local || !cold || phy >= cold.committedOffset()) return local;
  return cold.readRecord(phy);
}

/** Whether a stored record is of `topic` and carries `key` as a KEYS entry or its UNIQ_KEY. */
export function recordHasKey(rec: Buffer, topic: string, key: string): boolean {
  try {
    const m = decodeMessageRecord(rec);
    if (m.topic !== topic) return false;
    const props = m.properties;
    if (props.get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX) === key) return true;
    return (props.get(MessageConst.PROPERTY_KEYS) ?? "").split(MessageConst.KEY_SEPARATOR).includes(key);
  } catch {
    return false;
  }
}

/** queryMessage over the local index, then the tier's chunk indexes for what the local one lacks. */
export async function queryMessageTiered(
  parts: { log: CommitLog; index: IndexService | undefined; cold: ColdReader | undefined },
  q: { topic: string; key: string; maxNum: number; begin: number; end: number },
): Promise<QueryMessageResult> {
  const { log, index, cold } = parts;
  const out: QueryMessageResult = {
    messages: [],
    indexLastUpdateTimestamp: index?.lastUpdateTimestamp ?? 0,
    indexLastUpdatePhyoffset: Math.max(0, index?.lastIndexedPhyOffset ?? 0),
  };
  if (!index) return out;
  const limit = Math.max(0, Math.min(q.maxNum, MAX_QUERY_RESULTS));
  const phys = index.queryOffsets(q.topic, q.key, limit, q.begin, q.end);
  if (cold && limit > 0) {
    const seen = new Set(phys);
    const range = { begin: q.begin, end: q.end, belowOffset: log.minOffset };
    for (const phy of await cold.queryOffsets(q.topic, q.key, limit, range))
      if (!seen.has(phy)) phys.push(phy);
  }
  const recs = await Promise.all(phys.map((phy) => lookMessageTiered(log, cold, phy)));
  for (const rec of recs) {
    if (out.messages.length >= limit) break;
    if (rec && recordHasKey(rec, q.topic, q.key)) out.messages.push(rec);
  }
  return out;
}

/** The local topic-queue table with the queues only the tier holds added. */
export function mergeTopicQueues(
  local: Map<string, number[]>,
  cold: Map<string, number[]> | undefined,
): Map<string, number[]> {
  for (const [topic, ids] of cold ?? []) {
    const merged = new Set([...(local.get(topic) ?? []), ...ids]);
    local.set(
      topic,
      [...merged].sort((a, b) => a - b),
    );
  }
  return local;
}

/**
 * At start: a local CommitLog behind what the tier committed (an empty disk, or one that lost its tail) holds
 * nothing the tier lacks. Drop it and continue at the first segment boundary after the tier's end, so offsets
 * never collide with tiered records; queue offsets continue after the tier's (AppendWriter.initialQueueOffset).
 */
export function continueAfterTier(log: CommitLog, consumeQueues: ConsumeQueueTable, committed: number): void {
  if (committed <= log.maxOffset) return;
  if (log.segments.length > 0) {
    log.truncateAt(log.minOffset);
    for (const topic of consumeQueues.topicQueueTable().keys()) consumeQueues.deleteTopic(topic);
  }
  log.emptyStart = alignUpToSegment(committed, log.segmentSize);
  log.flushedOffset = log.emptyStart;
}
