/**
 * getMessage (Apache DefaultMessageStore.getMessage, protocol §5.4): statuses and nextBeginOffset edge cases,
 * the two-stage filter (ConsumeQueue tagsCode, then the whole record), and batch limits (at most maxMsgNums
 * messages and maxTotalBytes bytes, but always at least one message). Records come back as subarrays of as few
 * preads as possible: nearby records are read in one run.
 */
import { MAX_PULL_BYTES, MAX_PULL_MESSAGES } from "../common/limits.js";
import { readLong } from "../protocol/message-record.js";
import type { CommitLog } from "./commitlog/commit-log.js";
import type { ConsumeQueue } from "./consumequeue/consume-queue.js";
import {
  CQ_COMMIT_LOG_OFFSET_POS,
  CQ_HOLE_SIZE,
  CQ_SIZE_POS,
  CQ_TAGS_CODE_POS,
} from "./consumequeue/consume-queue-unit.js";
import type { GetMessageResult, GetMessageStatus, MessageFilter } from "./message-store.js";
import { CQ_STORE_UNIT_SIZE } from "./store-config.js";

/** Apache maxFilterMessageSize: ConsumeQueue bytes scanned per pull when filtering. */
export const MAX_FILTER_MESSAGE_BYTES = 16_000;
/** Largest gap between two records still read in one pread. */
const READ_RUN_MAX_GAP_BYTES = 16 * 1024;
/** Largest single pread of a run. */
const READ_RUN_MAX_BYTES = 1024 * 1024;

export interface Unit {
  phy: number;
  size: number;
  tagsCode: number;
}

/** Reads records by physical offset, sharing one pread among records that sit close together. */
class RunReader {
  private run: Buffer | undefined;
  private runStart = 0;

  constructor(
    private readonly log: CommitLog,
    private readonly units: readonly Unit[],
  ) {}

  /** The record of units[i], or undefined if it is gone. */
  read(i: number): Buffer | undefined {
    const u = this.units[i] as Unit;
    const run = this.run;
    if (run && u.phy >= this.runStart && u.phy + u.size <= this.runStart + run.length)
      return run.subarray(u.phy - this.runStart, u.phy - this.runStart + u.size);
    let end = u.phy + u.size;
    let useful = u.size;
    const seg = this.log.findSegment(u.phy);
    const segEnd = seg ? seg.fileFromOffset + seg.wrotePosition : end;
    for (let k = i + 1; k < this.units.length; k++) {
      const n = this.units[k] as Unit;
      if (n.phy < end || n.phy - end > READ_RUN_MAX_GAP_BYTES) break;
      if (n.phy + n.size - u.phy > READ_RUN_MAX_BYTES || n.phy + n.size > segEnd) break;
      // read other queues' records in between only while at least half of the bytes read are wanted
      if ((useful + n.size) * 2 < n.phy + n.size - u.phy) break;
      useful += n.size;
      end = n.phy + n.size;
    }
    const buf = this.log.read(u.phy, end - u.phy) ?? this.log.read(u.phy, u.size);
    if (!buf) return undefined;
    this.run = buf;
    this.runStart = u.phy;
    return buf.subarray(0, u.size);
  }
}

export function result(
  status: GetMessageStatus,
  next: number,
  min: number,
  max: number,
  messages: Buffer[] = [],
): GetMessageResult {
  return { status, nextBeginOffset: next, minOffset: min, maxOffset: max, messages };
}

export function decodeUnits(buf: Buffer): Unit[] {
  const units: Unit[] = [];
  for (let at = 0; at + CQ_STORE_UNIT_SIZE <= buf.length; at += CQ_STORE_UNIT_SIZE) {
    units.push({
      phy: readLong(buf, at + CQ_COMMIT_LOG_OFFSET_POS),
      size: buf.readInt32BE(at + CQ_SIZE_POS),
      tagsCode: readLong(buf, at + CQ_TAGS_CODE_POS),
    });
  }
  return units;
}

export function getMessage(
  cq: ConsumeQueue | undefined,
  log: CommitLog,
  offset: number,
  maxMsgNums: number,
  maxTotalBytes: number,
  filter: MessageFilter | undefined,
): GetMessageResult {
  if (!cq) return result("NO_MATCHED_LOGIC_QUEUE", 0, 0, 0);
  const min = cq.minOffset;
  const max = cq.maxOffset;
  if (max === 0) return result("NO_MESSAGE_IN_QUEUE", 0, min, max);
  if (offset < min) return result("OFFSET_TOO_SMALL", min, min, max);
  if (offset === max) return result("OFFSET_OVERFLOW_ONE", offset, min, max);
  if (offset > max) return result("OFFSET_OVERFLOW_BADLY", max, min, max);
  const maxNums = Math.max(1, Math.min(maxMsgNums, MAX_PULL_MESSAGES));
  const maxBytes = Math.max(100, Math.min(maxTotalBytes, MAX_PULL_BYTES));
  const scanUnits = Math.floor(
    Math.max(MAX_FILTER_MESSAGE_BYTES, maxNums * CQ_STORE_UNIT_SIZE) / CQ_STORE_UNIT_SIZE,
  );
  const limits: Limits = { maxNums, maxBytes, filter };
  const st: ScanState = {
    messages: [],
    status: "NO_MATCHED_MESSAGE",
    bytes: 0,
    nextPhyFileStart: -1,
    full: false,
  };
  // without a filter every unit but a rare hole or removed record is wanted: read the ConsumeQueue in
  // batch-sized chunks rather than the whole scan window
  let scanned = 0;
  while (scanned < scanUnits && !st.full) {
    const want = Math.min(filter ? scanUnits : maxNums, scanUnits - scanned);
    const raw = cq.readUnits(offset + scanned, want);
    if (!raw) {
      if (scanned === 0) return result("OFFSET_FOUND_NULL", cq.rollNextFile(offset), min, max);
      break;
    }
    const units = decodeUnits(raw);
    scanned += scanChunk(units, log, st, limits);
    // like Apache, one pull reads within one ConsumeQueue file
    if (units.length < want || offset + scanned === cq.rollNextFile(offset)) break;
  }
  return result(st.status, offset + scanned, min, max, st.messages);
}

interface Limits {
  maxNums: number;
  maxBytes: number;
  filter: MessageFilter | undefined;
}

interface ScanState {
  messages: Buffer[];
  status: GetMessageStatus;
  bytes: number;
  /** After a removed record: skip units below the next CommitLog file (Apache nextPhyFileStartOffset). */
  nextPhyFileStart: number;
  full: boolean;
}

/** Runs the two filter stages over `units`; returns how many were consumed (the batch-full unit is not). */
function scanChunk(units: Unit[], log: CommitLog, st: ScanState, lim: Limits): number {
  const reader = new RunReader(log, units);
  const { filter } = lim;
  for (let i = 0; i < units.length; i++) {
    const u = units[i] as Unit;
    // holes, and units a crash left unwritten inside the queue, are skipped
    if ((u.size === CQ_HOLE_SIZE && u.phy === 0) || u.size <= 0 || u.phy < 0) continue;
    if (st.nextPhyFileStart >= 0 && u.phy < st.nextPhyFileStart) continue;
    const n = st.messages.length;
    if (n > 0 && (n >= lim.maxNums || st.bytes + u.size > lim.maxBytes)) {
      st.full = true;
      return i;
    }
    if (filter && !filter.isMatchedByConsumeQueue(u.tagsCode)) {
      if (n === 0) st.status = "NO_MATCHED_MESSAGE";
      continue;
    }
    const rec = reader.read(i);
    if (!rec) {
      if (n === 0) st.status = "MESSAGE_WAS_REMOVING";
      st.nextPhyFileStart = log.findSegment(u.phy) ? -1 : rollNextPhyFile(log, u.phy);
      continue;
    }
    if (filter?.isMatchedByCommitLog && !filter.isMatchedByCommitLog(rec)) {
      if (n === 0) st.status = "NO_MATCHED_MESSAGE";
      continue;
    }
    st.messages.push(rec);
    st.bytes += u.size;
    st.status = "FOUND";
    st.nextPhyFileStart = -1;
  }
  if (st.messages.length >= lim.maxNums) st.full = true;
  return units.length;
}

/** Start of the CommitLog file after the one that would hold `phy` (Apache rollNextFile). */
function rollNextPhyFile(log: CommitLog, phy: number): number {
  return phy + log.segmentSize - (phy % log.segmentSize);
}
